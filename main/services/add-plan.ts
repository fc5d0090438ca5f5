// Where dropped or picked files land in the vault, for the conflict dialog: the core's own add
// scan (app/vault/scan.ts), so the paths asked about are exactly the ones Vault.add writes, with
// its rules (depth 128, the open vault's folder never added to itself, a bad name or an over-deep
// folder skips that entry only). Sources the scan cannot add are left out of the plan: the add
// job reports each of them. Bounded: 100,000 files per request.
// It reads only names and sizes, never content; it does not decide conflicts (the user does) nor
// name the copies of 'keep-both' (Vault.add does).

import { scanSources } from '../../app/vault/scan.js';

export const MAX_PLANNED_FILES = 100_000;

export interface PlannedSource {
  source: string;
  vaultPath: string;
  size: number;
}

export async function planAdd(sources: readonly string[], to: string, opts: { vaultDir?: string; signal?: AbortSignal } = {}): Promise<PlannedSource[]> {
  const scan = await scanSources(sources, { to, vaultDir: opts.vaultDir, signal: opts.signal, maxFiles: MAX_PLANNED_FILES });
  // One entry per vault path: the same file named twice in a drop is asked about once.
  const seen = new Set<string>();
  const out: PlannedSource[] = [];
  for (const f of scan.files) {
    if (seen.has(f.path)) continue;
    seen.add(f.path);
    out.push({ source: f.source, vaultPath: f.path, size: f.size });
  }
  return out;
}
