// Who used this vault's data keys, and when (issue 14): the KMS calls CloudTrail recorded with
// this vault's encryption context, newest first, for the last days chosen; the same record as
// `cachet history` (app/keys/access-history.ts). Props only.

import type { Res } from '../../contract/ipc.js';
import type { ErrorLike } from '../errors/messages.js';
import { formatDate } from '../features/browse/browse-logic.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';

export type AccessHistoryView = Res<'vault:history'>;
export const HISTORY_DAYS = [1, 7, 30, 90] as const;

export interface AccessHistoryDialogProps {
  readonly history: AccessHistoryView | null;
  readonly days: number;
  readonly loading: boolean;
  readonly error: ErrorLike | null;
  readonly onDays: (days: number) => void;
  readonly onRefresh: () => void;
  readonly onClose: () => void;
}

/** The caller as a person reads it: the role or user name at the end of the ARN (the whole ARN on hover). */
export function whoOf(identity: string | null): string {
  if (!identity) return 'an AWS service';
  return identity.slice(identity.lastIndexOf('/') + 1) || identity;
}

export function AccessHistoryDialog(p: AccessHistoryDialogProps) {
  const h = p.history;
  return (
    <Dialog title="Access history" onClose={p.onClose} className="dialog-wide history-dialog">
      <div className="status-body" aria-busy={p.loading}>
        <label className="field field-inline">
          <span className="field-label">KMS calls for this vault in the last</span>
          <select className="input" value={p.days} onChange={(e) => p.onDays(Number(e.target.value))}>
            {HISTORY_DAYS.map((d) => (
              <option key={d} value={d}>
                {d === 1 ? '24 hours' : `${d} days`}
              </option>
            ))}
          </select>
        </label>
        {p.loading && <p className="muted" role="status">Reading AWS CloudTrail…</p>}
        {p.error && <ErrorNotice error={p.error} onRetry={p.onRefresh} compact />}
        {h && !p.loading && (
          <>
            <p>
              {h.events.length === 0
                ? 'No KMS call for this vault was recorded in that time.'
                : `${h.events.length.toLocaleString('en-US')} ${h.events.length === 1 ? 'call' : 'calls'}, newest first.`}{' '}
              <span className="muted">CloudTrail shows a call about 5 minutes after it is made.</span>
            </p>
            {h.truncated && <p className="field-error">Only the newest calls are shown: choose a shorter time to see the rest.</p>}
            {h.events.length > 0 && (
              <table className="status-keys history-table">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Operation</th>
                    <th scope="col">Who</th>
                    <th scope="col">From</th>
                    <th scope="col">Item</th>
                  </tr>
                </thead>
                <tbody>
                  {h.events.map((e, i) => (
                    <tr key={`${e.time}-${i}`}>
                      <td>{formatDate(Date.parse(e.time))}</td>
                      <td>{e.operation}</td>
                      <td title={e.identity ?? undefined}>{whoOf(e.identity)}</td>
                      <td title={e.userAgent ?? undefined}>{e.sourceIp ?? '–'}</td>
                      <td title={e.item ?? undefined}>{e.item === null ? 'the vault (index, keys)' : (e.path ?? `an item no longer here (${e.item.slice(0, 8)}…)`)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={p.onRefresh} disabled={p.loading}>
          Check again
        </button>
        <button type="button" className="button button-primary" onClick={p.onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
