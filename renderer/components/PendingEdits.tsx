// The list of copies opened with the default app that were edited and not yet saved back or
// discarded (issue 11 defect 3): always visible while there are any, so "Later" leaves a trace.
// Props only.

export interface PendingEditsProps {
  readonly edits: readonly { readonly tempId: string; readonly vaultPath: string; readonly modifiedAt: number }[];
  readonly busy: boolean;
  readonly onSave: (tempId: string) => void;
  readonly onDiscard: (tempId: string) => void;
}

const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

export function PendingEdits({ edits, busy, onSave, onDiscard }: PendingEditsProps) {
  if (edits.length === 0) return null;
  return (
    <section className="pending-edits" aria-label="Edits not saved back">
      <h2 className="pending-title">
        {edits.length === 1 ? '1 edited copy is not saved back' : `${edits.length} edited copies are not saved back`}
        <span className="muted"> · locking the vault wipes them</span>
      </h2>
      <ul className="pending-list">
        {edits.map((e) => (
          <li key={e.tempId} className="pending-edit" data-pending={e.vaultPath}>
            <span className="pending-name" title={e.vaultPath}>
              {e.vaultPath}
            </span>
            <span className="muted">changed {time.format(new Date(e.modifiedAt))}</span>
            <button type="button" className="button button-small" onClick={() => onSave(e.tempId)} disabled={busy} aria-label={`Save back ${e.vaultPath}`}>
              Save back
            </button>
            <button type="button" className="button button-small button-danger-quiet" onClick={() => onDiscard(e.tempId)} disabled={busy} aria-label={`Discard the edits to ${e.vaultPath}`}>
              Discard
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
