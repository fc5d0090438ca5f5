// A loose envelope the OS opened (issue 15): what it says about itself without a key (the keys
// it is sealed under, its size, its file's date, the vault it belongs to) and, when a key at hand
// opens it, the stored name, size and date; then decrypt it to a chosen file, or add it into the
// open vault under a path the person can change. Props only.

import { useState } from 'react';
import type { EnvelopeInfoT } from '../../contract/ipc.js';
import type { ErrorLike } from '../errors/messages.js';
import { formatDate, formatSize, shortKeyLabel } from '../features/browse/browse-logic.js';
import { looksLikeVaultPath } from '../features/browse/path-check.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';

export interface EnvelopeDialogProps {
  /** The envelope's file path (shown while it is being read). */
  readonly path: string;
  readonly info: EnvelopeInfoT | null;
  readonly busy: boolean;
  readonly error: ErrorLike | null;
  readonly done: string | null;
  /** A short name for a key (its alias, else the end of its ARN). */
  readonly keyName: (keyId: string) => string | undefined;
  /** Where "add" puts it: the open vault's current folder; null when no vault is open. */
  readonly addFolder: string | null;
  readonly onDecrypt: () => void;
  /** The file the last decrypt wrote, to show in the file manager. */
  readonly wrote?: string | null;
  readonly onShowInFolder?: (path: string) => void;
  readonly onAdd: (vaultPath: string) => void;
  readonly onClose: () => void;
}

const fileName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

export function EnvelopeDialog(p: EnvelopeDialogProps) {
  const { info } = p;
  const suggested = info?.suggestedName ?? '';
  const [target, setTarget] = useState<string | null>(null);
  const to = target ?? (p.addFolder ? `${p.addFolder}/${suggested}` : suggested);
  const toProblem = to.trim() === '' || !looksLikeVaultPath(to.trim()) ? 'Use a name, optionally with folders separated by /, without “.” or “..” parts.' : undefined;
  return (
    <Dialog title={`Sealed file ${fileName(p.path)}`} onClose={p.onClose} className="dialog-wide envelope-dialog">
      <div className="status-body">
        {!info && p.busy && <p className="muted" role="status">Reading the envelope…</p>}
        {info && (
          <>
            <dl className="status-facts">
              <dt>File</dt>
              <dd className="status-location">{info.path}</dd>
              <dt>Size</dt>
              <dd>{formatSize(info.fileSize)} sealed</dd>
              <dt>Modified</dt>
              <dd>{formatDate(info.modifiedAt)}</dd>
              <dt>Sealed with</dt>
              <dd>
                {info.keys.map((k) => (k.provider === 'local' ? 'Local key' : (p.keyName(k.keyId) ?? shortKeyLabel(k.keyId)))).join(', ')}
              </dd>
              <dt>Belongs to</dt>
              <dd>{info.vault ? <>an item of vault <code>{info.vault}</code></> : 'no vault (a file sealed on its own)'}</dd>
            </dl>
            <h3 className="status-heading">Content</h3>
            {info.content ? (
              <dl className="status-facts">
                <dt>Name</dt>
                <dd>{info.content.path}</dd>
                <dt>Size</dt>
                <dd>{formatSize(info.content.size)}</dd>
                <dt>Modified</dt>
                <dd>{formatDate(info.content.mtime)}</dd>
              </dl>
            ) : (
              info.error && (
                <>
                  <p>None of the keys at hand opens it:</p>
                  <ErrorNotice error={info.error} compact />
                </>
              )
            )}
          </>
        )}
        {p.error && <ErrorNotice error={p.error} compact />}
        {p.done && (
          <p className="envelope-done" role="status">
            {p.done}{' '}
            {p.wrote && p.onShowInFolder && (
              <button type="button" className="link-button" onClick={() => p.onShowInFolder!(p.wrote!)}>
                Show in folder
              </button>
            )}
          </p>
        )}
        {info?.content && p.addFolder !== null && (
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!toProblem) p.onAdd(to.trim());
            }}
          >
            <label className="field">
              <span className="field-label">Add to the open vault as</span>
              <input className="input" value={to} onChange={(e) => setTarget(e.target.value)} aria-invalid={toProblem ? true : undefined} spellCheck={false} />
            </label>
            {toProblem && <p className="field-error">{toProblem}</p>}
          </form>
        )}
        {info?.content && p.addFolder === null && <p className="muted">Open a vault to add this file into it.</p>}
      </div>
      <div className="dialog-actions">
        {info?.content && p.addFolder !== null && (
          <button type="button" className="button" disabled={p.busy || toProblem !== undefined} onClick={() => p.onAdd(to.trim())}>
            Add to vault
          </button>
        )}
        {info?.content && (
          <button type="button" className="button" disabled={p.busy} onClick={p.onDecrypt}>
            Decrypt to…
          </button>
        )}
        <button type="button" className="button button-primary" onClick={p.onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
