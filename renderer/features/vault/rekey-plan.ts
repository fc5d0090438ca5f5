// What a re-key changes, worked out before it runs (issue 11 defect 2): the keys in use now (the
// vault's, or those of the picked items), the keys chosen, and from those which are removed and
// which added. Pure; the dialog (RekeyDialog.tsx) shows it and refuses a change to the same set.

import type { KeyRefT } from '../../../contract/ipc.js';
import { providerOfKeyId } from '../../../app/format/limits.js';

/** A key id as a KeyRef (app/format/limits.ts providerOfKeyId). */
export function keyRefOf(keyId: string): KeyRefT {
  return { provider: providerOfKeyId(keyId), keyId };
}

/** The keys the items are sealed with now, once each, in first-seen order. */
export function keysInUse(keyIdLists: readonly (readonly string[])[]): KeyRefT[] {
  const seen = new Set<string>();
  const out: KeyRefT[] = [];
  for (const list of keyIdLists) {
    for (const k of list) {
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(keyRefOf(k));
    }
  }
  return out;
}

export interface RekeyPlan {
  readonly removing: readonly KeyRefT[];
  readonly adding: readonly KeyRefT[];
  /** The chosen set is the current one: nothing to do. */
  readonly unchanged: boolean;
}

export function planRekey(current: readonly KeyRefT[], chosen: readonly KeyRefT[]): RekeyPlan {
  const now = new Set(current.map((k) => k.keyId));
  const next = new Set(chosen.map((k) => k.keyId));
  const removing = current.filter((k) => !next.has(k.keyId));
  const adding = chosen.filter((k) => !now.has(k.keyId));
  return { removing, adding, unchanged: removing.length === 0 && adding.length === 0 };
}
