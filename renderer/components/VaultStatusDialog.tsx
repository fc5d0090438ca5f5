// The open vault's Status panel (issue 14): where the vault is, its items and whether its index is
// up to date, each key's state and how many items it alone opens, the items no healthy key opens
// (with the one action that saves them: re-key), and the local key file to back up. The same
// facts as `cachet status` (app/vault/vault-status.ts computes them for both). Props only.

import { CONDITION_LABELS } from '../../app/keys/key-condition.js';
import type { KeyReportT, VaultStatusT } from '../../contract/ipc.js';
import { describeError, type ErrorLike } from '../errors/messages.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';

export interface VaultStatusDialogProps {
  readonly status: VaultStatusT | null;
  readonly checking: boolean;
  readonly error: ErrorLike | null;
  /** A short name for a key (its alias or the end of its ARN). */
  readonly keyName: (keyId: string) => string;
  readonly onRefresh: () => void;
  /** Re-key the items at risk (their ids); shown when there are some. */
  readonly onRekey: (ids: readonly string[]) => void;
  /** Who used the keys (CloudTrail); shown when the vault has a KMS key. */
  readonly onHistory?: (() => void) | undefined;
  readonly onClose: () => void;
}

/** How many paths a list shows before "and N more". */
export const LISTED_PATHS = 20;

const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const yesNo = (b: boolean | null): string => (b === null ? 'Not known' : b ? 'On' : 'Off');

/** A key's state in words: its condition, the deletion date, and what KMS answered when it could not be described (pure). */
export function keyStateText(k: KeyReportT): string {
  let text = CONDITION_LABELS[k.state];
  if (k.deletionDate) text += ` on ${k.deletionDate.slice(0, 10)}`;
  if (k.error) text += ` (${describeError({ code: k.error }).title})`;
  return text;
}

function PathList({ items, label }: { readonly items: VaultStatusT['atRisk']; readonly label: string }) {
  const shown = items.slice(0, LISTED_PATHS);
  return (
    <ul className="status-paths" aria-label={label}>
      {shown.map((i) => (
        <li key={i.id} title={i.path}>
          {i.path}
        </li>
      ))}
      {items.length > shown.length && <li className="muted">and {count(items.length - shown.length, 'more item')}</li>}
    </ul>
  );
}

export function VaultStatusDialog({ status, checking, error, keyName, onRefresh, onRekey, onHistory, onClose }: VaultStatusDialogProps) {
  return (
    <Dialog title="Vault status" onClose={onClose} className="dialog-wide status-dialog">
      <div className="status-body" aria-busy={checking}>
        {checking && <p className="muted" role="status">Checking the keys…</p>}
        {error && <ErrorNotice error={error} onRetry={onRefresh} compact />}
        {status && (
          <>
            <dl className="status-facts">
              <dt>Location</dt>
              <dd className="status-location">{status.location}</dd>
              <dt>Vault ID</dt>
              <dd>
                <code>{status.vault}</code>
              </dd>
              <dt>Items</dt>
              <dd>
                {status.items === null ? 'Could not be listed' : count(status.items, 'item')}
                {status.unreadable > 0 && `, ${count(status.unreadable, 'item file')} that cannot be read (see the list's notice)`}
              </dd>
              <dt>Index</dt>
              <dd>
                {status.indexFresh === null
                  ? 'Not known: the items could not be listed'
                  : status.indexFresh
                    ? 'Up to date'
                    : 'Out of date: another writer changed the vault or a save was missed. The next change rewrites it; nothing is lost.'}
              </dd>
            </dl>

            <h3 className="status-heading">Keys</h3>
            <table className="status-keys">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">State</th>
                  <th scope="col">Items</th>
                  <th scope="col">Only key for</th>
                  <th scope="col">Rotation</th>
                  <th scope="col">Multi-Region</th>
                </tr>
              </thead>
              <tbody>
                {status.keys.map((k) => (
                  <tr key={k.keyId} className={k.healthy === false ? 'status-key-failing' : undefined}>
                    <th scope="row" title={k.keyId}>
                      {k.provider === 'local' ? 'Local key' : keyName(k.keyId)}
                    </th>
                    <td>{keyStateText(k)}</td>
                    <td>{k.items === null ? '–' : k.items.toLocaleString('en-US')}</td>
                    <td>{k.alone === null ? '–' : k.alone.toLocaleString('en-US')}</td>
                    <td>{k.provider === 'local' ? '–' : yesNo(k.rotation)}</td>
                    <td>{k.provider === 'local' ? '–' : k.multiRegion === null ? 'Not known' : k.multiRegion ? 'Yes' : 'No'}</td>
                  </tr>
                ))}
              </tbody>
            </table>

            <h3 className="status-heading">At risk</h3>
            {status.atRisk.length === 0 ? (
              <p>{status.items === null ? 'Not known: the items could not be listed.' : 'None: every item opens with a healthy key.'}</p>
            ) : (
              <>
                <p>{count(status.atRisk.length, 'item')} no healthy key opens:</p>
                <PathList items={status.atRisk} label="Items at risk" />
                <button type="button" className="button" onClick={() => onRekey(status.atRisk.map((i) => i.id))}>
                  Re-key {count(status.atRisk.length, 'item')}…
                </button>
              </>
            )}
            {status.uncertain.length > 0 && (
              <>
                <p>{count(status.uncertain.length, 'item')} may be at risk: a key's state could not be read.</p>
                <PathList items={status.uncertain} label="Items that may be at risk" />
              </>
            )}

            <h3 className="status-heading">Local key file</h3>
            <p className="status-location">{status.localKeyFile.path}</p>
            <p className="muted">
              {status.localKeyFile.present
                ? 'Keep a backup of this file and its passphrase: items sealed with the local key open with nothing else.'
                : 'There is no local key on this machine.'}
            </p>
          </>
        )}
      </div>
      <div className="dialog-actions">
        {onHistory && status?.keys.some((k) => k.provider === 'aws-kms') && (
          <button type="button" className="button" onClick={onHistory}>
            Access history…
          </button>
        )}
        <button type="button" className="button" onClick={onRefresh} disabled={checking}>
          Check again
        </button>
        <button type="button" className="button button-primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
