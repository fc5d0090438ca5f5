// Where an added item goes when its vault path is taken (the --on-conflict policy, or the
// person's answer in the app): fail, skip, keep both ("name (2).ext") or replace. Pure decisions
// over the paths in use; it does not write or remove items (Vault.add and addStream do).

import { badRequest, CachetError } from '../errors.js';
import type { IndexEntries } from './index-cache.js';
import { keepBothName } from './paths.js';
import type { ConflictPolicy } from './types.js';

/** The vault paths in use, for conflict checks. */
export function pathsInUse(entries: IndexEntries): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [id, e] of entries) {
    const l = m.get(e.path);
    if (l) l.push(id);
    else m.set(e.path, [id]);
  }
  return m;
}

/**
 * Decide where `path` goes given the policy: the path to write and the ids it replaces, or
 * 'skip', or a failure. `reserved` holds paths taken earlier in the same job.
 */
export async function resolveConflict(path: string, policy: ConflictPolicy, inUse: Map<string, string[]>, reserved: Set<string>): Promise<{ path: string; replace: string[] } | 'skip'> {
  const taken = (p: string): boolean => inUse.has(p) || reserved.has(p);
  if (!taken(path)) return { path, replace: [] };
  const choice = typeof policy === 'function' ? await policy(path) : policy;
  switch (choice) {
    case 'fail':
      throw new CachetError('exists', 'an item with this path is already in the vault', { path });
    case 'skip':
      return 'skip';
    case 'keep-both': {
      for (let n = 2; n < 10_000; n++) {
        const p = keepBothName(path, n);
        if (!taken(p)) return { path: p, replace: [] };
      }
      throw new CachetError('exists', 'no free "keep both" name', { path });
    }
    case 'replace':
      if (reserved.has(path)) throw new CachetError('exists', 'this path is added twice in one job', { path, reason: 'duplicate-in-job' });
      return { path, replace: [...(inUse.get(path) ?? [])] };
    default:
      throw badRequest('conflict', 'unknown conflict choice', { choice: String(choice) });
  }
}
