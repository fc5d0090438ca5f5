// Shown when a copy opened with the default app was edited: save the changes back into the vault
// (re-sealed as the same item), discard the copy, or decide later. Props only.

export interface SaveBackPromptProps {
  readonly vaultPath: string;
  readonly busy: boolean;
  readonly onSave: () => void;
  readonly onDiscard: () => void;
  readonly onLater: () => void;
}

export function SaveBackPrompt({ vaultPath, busy, onSave, onDiscard, onLater }: SaveBackPromptProps) {
  return (
    <div className="notice notice-info save-back" role="alertdialog" aria-label="Save changes back">
      <div className="notice-text">
        <strong className="notice-title">{vaultPath} was changed outside Cachet</strong>
        <span className="notice-hint">Save the changes back into the vault? The open copy is wiped when the vault locks.</span>
      </div>
      <div className="notice-actions">
        <button type="button" className="button button-primary" onClick={onSave} disabled={busy}>
          Save changes back
        </button>
        <button type="button" className="button" onClick={onDiscard} disabled={busy}>
          Discard copy
        </button>
        <button type="button" className="button button-quiet" onClick={onLater} disabled={busy}>
          Later
        </button>
      </div>
    </div>
  );
}
