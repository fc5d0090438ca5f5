// Creating a vault: choose an empty folder (or an S3 location), then the key(s) to seal with: the local key, or AWS
// KMS keys (the AWS panel is passed in). Props only.

import type { KeyboardEvent, ReactNode } from 'react';

export type KeyMode = 'local' | 'aws';
const KEY_MODES: readonly KeyMode[] = ['local', 'aws'];

export interface CreateVaultFormProps {
  readonly folder: string | null;
  readonly mode: KeyMode;
  readonly localSection: ReactNode;
  readonly awsSection: ReactNode;
  /** Why "Create vault" is not possible yet, or undefined when it is. */
  readonly blocker: string | undefined;
  readonly busy: boolean;
  readonly onPickFolder: () => void;
  /** Choose an S3 location instead (the S3 dialog). */
  readonly onPickS3: () => void;
  readonly onMode: (mode: KeyMode) => void;
  readonly onCreate: () => void;
}

export function CreateVaultForm(p: CreateVaultFormProps) {
  // Left/Right (wrapping), Home and End select a tab and move focus to it (tabs that follow focus).
  const onTabKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const at = KEY_MODES.indexOf(p.mode);
    const to = e.key === 'ArrowRight' ? (at + 1) % KEY_MODES.length
      : e.key === 'ArrowLeft' ? (at - 1 + KEY_MODES.length) % KEY_MODES.length
        : e.key === 'Home' ? 0 : e.key === 'End' ? KEY_MODES.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    p.onMode(KEY_MODES[to]!);
    e.currentTarget.querySelector<HTMLElement>(`#tab-${KEY_MODES[to]!}`)?.focus();
  };
  return (
    <div className="create-vault">
      <div className="field">
        <span className="field-label">1. Where</span>
        <div className="folder-pick">
          <button type="button" className="button" onClick={p.onPickFolder} disabled={p.busy}>
            Choose folder…
          </button>
          <button type="button" className="button" onClick={p.onPickS3} disabled={p.busy}>
            In Amazon S3…
          </button>
          <span className={`folder-path ${p.folder ? '' : 'muted'}`} data-testid="create-folder">
            {p.folder ?? 'No folder or S3 location chosen'}
          </span>
        </div>
      </div>
      <div className="field">
        <span className="field-label" id="key-mode-label">
          2. Key
        </span>
        <div className="tabs" role="tablist" aria-labelledby="key-mode-label" onKeyDown={onTabKey}>
          {KEY_MODES.map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              id={`tab-${m}`}
              aria-selected={p.mode === m}
              // The ARIA tabs pattern: one tab in the Tab order, arrows move between them; only the
              // shown panel exists, so only the selected tab controls one.
              tabIndex={p.mode === m ? 0 : -1}
              aria-controls={p.mode === m ? `panel-${m}` : undefined}
              className={`tab ${p.mode === m ? 'tab-active' : ''}`}
              onClick={() => p.onMode(m)}
            >
              {m === 'local' ? 'Local key' : 'AWS KMS'}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${p.mode}`} aria-labelledby={`tab-${p.mode}`} className="tab-panel">
          {p.mode === 'local' ? p.localSection : p.awsSection}
        </div>
      </div>
      <div className="form-actions">
        {p.blocker && <span className="muted">{p.blocker}</span>}
        <button type="button" className="button button-primary" disabled={p.busy || p.blocker !== undefined} onClick={p.onCreate}>
          {p.busy ? 'Creating…' : 'Create vault'}
        </button>
      </div>
    </div>
  );
}
