// The banner for a vault key that is disabled or scheduled for deletion (issue 14): per such key,
// its date and how many items no other healthy key opens ("37 items will become unreadable on
// 2027-01-04"), and one action: re-key the items at risk to a healthy key. Props only; the words
// match the CLI's warning line (app/cli/health.ts). Shows nothing when no key needs attention.

import type { KeyReportT } from '../../contract/ipc.js';

export interface KeyHealthBannerProps {
  readonly keys: readonly KeyReportT[];
  /** How many items no healthy key opens. */
  readonly atRisk: number;
  /** A short name for a key (its alias or the end of its ARN). */
  readonly keyName: (keyId: string) => string;
  readonly onRekey: () => void;
}

const items = (n: number): string => `${n} item${n === 1 ? '' : 's'}`;

/** The one sentence for a key that needs attention, or null (pure: tested on its own). */
export function keyHealthLine(k: KeyReportT, name: string): string | null {
  const alone = k.alone ?? 0;
  if (k.state === 'pending-deletion' || k.state === 'pending-replica-deletion') {
    const day = k.deletionDate ? k.deletionDate.slice(0, 10) : 'an unknown date';
    return alone > 0
      ? `${items(alone)} will become unreadable on ${day}: the key ${name} is scheduled for deletion.`
      : `The key ${name} is scheduled for deletion on ${day}; no item depends on it alone.`;
  }
  if (k.state === 'disabled') {
    return alone > 0
      ? `${items(alone)} cannot be opened while the key ${name} is disabled.`
      : `The key ${name} is disabled; no item depends on it alone.`;
  }
  return null;
}

export function KeyHealthBanner({ keys, atRisk, keyName, onRekey }: KeyHealthBannerProps) {
  const lines = keys.map((k) => keyHealthLine(k, keyName(k.keyId))).filter((l): l is string => l !== null);
  if (lines.length === 0) return null;
  return (
    <div className="notice notice-error key-health-banner" role="alert" data-testid="key-health-banner">
      <div className="notice-text">
        {lines.map((l) => (
          <strong className="notice-title" key={l}>{l}</strong>
        ))}
        <span className="notice-hint">Cancel the deletion or enable the key in the AWS KMS console, or re-key the items to a healthy key now.</span>
      </div>
      {atRisk > 0 && (
        <div className="notice-actions">
          <button type="button" className="button" onClick={onRekey}>
            Re-key {items(atRisk)}…
          </button>
        </div>
      )}
    </div>
  );
}
