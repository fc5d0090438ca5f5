// The CLI's side of key health (issue 14): checks a vault's keys (app/keys/key-health.ts, imported
// only when the vault has a KMS key, so local-only vaults never load the AWS SDK), works out what
// depends on what (app/keys/key-dependencies.ts), and words it: the one-line warning for a key
// that is disabled or scheduled for deletion (the same line for ls, add, verify and status), the
// `cachet status` table, and the `--json` shapes documented in usage.ts. It also words a job's KMS
// usage (app/keys/kms-usage.ts). It never throws for a key it cannot describe: that is a state.

import { isWarning, type KeyReport } from '../keys/key-condition.js';
import type { KmsUsageReport } from '../keys/kms-usage.js';
import type { VaultItem, VaultKey } from '../vault/vault.js';
import { keyReports, keysAndDependents, type KeysAndDependents } from '../vault/vault-status.js';
import type { Context } from './context.js';
import { printable } from './terminal-text.js';

export type VaultHealth = KeysAndDependents;

/**
 * The health of `keys` and, with `items`, what depends on what (app/vault/vault-status.ts). A
 * local-only vault costs no AWS call and no SDK import.
 */
export async function vaultHealth(ctx: Context, keys: readonly VaultKey[], items: readonly VaultItem[] | null, opts: { rotation?: boolean } = {}): Promise<VaultHealth> {
  const localKeyId = await ctx.keys.localKeyId().catch(() => undefined);
  return keysAndDependents(keys, items, localKeyId, async (ks, local) =>
    (await import('../keys/key-health.js')).checkKeyHealth(ks, { ...ctx.aws, signal: ctx.signal, localKeyId: local, rotation: opts.rotation }));
}

const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : 'an unknown date');
const items = (n: number): string => `${n} item${n === 1 ? '' : 's'}`;

/** The warning for each key that is disabled or scheduled for deletion, one line each (and a hint). */
export function keyWarnings(h: VaultHealth, vaultArg: string): string[] {
  const out: string[] = [];
  for (const k of h.keys) {
    if (!isWarning(k)) continue;
    const alone = h.perKey?.get(k.keyId)?.alone;
    const count = alone === undefined ? '' : alone === 0 ? ' (no item depends on it alone)' : '';
    if (k.condition === 'disabled') {
      out.push(`cachet: warning: KMS key ${k.keyId} is disabled${alone ? `: ${items(alone)} cannot be opened until it is enabled` : count}\n`
        + `  hint: aws kms enable-key --key-id ${k.keyId}, or re-key: cachet rekey ${vaultArg} --to <another key>\n`);
    } else {
      out.push(`cachet: warning: KMS key ${k.keyId} is scheduled for deletion on ${day(k.deletionDate)}${alone ? `: ${items(alone)} will become unreadable` : count}\n`
        + `  hint: aws kms cancel-key-deletion --key-id ${k.keyId}, or re-key them now: cachet rekey ${vaultArg} --to <another key>\n`);
    }
  }
  return out;
}

/** Print the warnings on stderr; whether there were any. */
export function printKeyWarnings(ctx: Context, h: VaultHealth, vaultArg: string): boolean {
  const w = keyWarnings(h, vaultArg);
  for (const line of w) {
    ctx.progress.end();
    ctx.io.stderr.write(line.split('\n').map((l) => printable(l)).join('\n'));
  }
  return w.length > 0;
}

export const keyReportJson: (h: VaultHealth) => KeyReport[] = keyReports;

/** `KMS: 12 requests (Decrypt 2, GenerateDataKey 10), 1 throttled (slowed down by KMS: 0.4 s waiting to retry), 1 retry; estimated cost $0.000036 (...)` */
export function formatKmsUsage(u: KmsUsageReport): string {
  const ops = Object.entries(u.byOperation).map(([op, n]) => `${op} ${n}`).join(', ');
  const slowed = u.throttledMs > 0 ? ` (slowed down by KMS: ${(u.throttledMs / 1000).toFixed(1)} s waiting to retry)` : '';
  return `cachet: KMS: ${u.requests} request${u.requests === 1 ? '' : 's'}${ops ? ` (${ops})` : ''}, ${u.throttled} throttled${slowed}, ${u.retries} retr${u.retries === 1 ? 'y' : 'ies'}; `
    + `estimated cost $${u.estimatedCostUsd.toFixed(6)} (estimate at $0.03 per 10,000 requests)`;
}
