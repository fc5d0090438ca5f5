// @pure — imports nothing, so the renderer can bundle the same rule for the app's banner (test/layering.test.ts checks the tag).
// What depends on what: given how each key stands (healthy, failing, or not known) and which keys
// each item is sealed under, how many items each key opens, how many it alone opens (no other
// healthy key of the item does), and which items no healthy key opens any more ("at risk").
// Pure: no KMS call, no vault access; key-health.ts finds the standings, the vault the items.
//
// A key whose state could not be learnt (access denied to DescribeKey, KMS unreachable) is
// `unknown`: an item with no healthy key but an unknown one is `uncertain`, not at risk, so an
// identity without kms:DescribeKey is not told that its whole vault is lost.

/** How a key stands for opening items. */
export type KeyStanding = 'healthy' | 'failing' | 'unknown';

export interface DependentItem {
  readonly id: string;
  readonly path: string;
  readonly keyIds: readonly string[];
}

export interface KeyDependents {
  /** Items sealed under the key. */
  readonly items: number;
  /** Of those, the items no other healthy key opens: lost with this key if it is the only healthy one. */
  readonly alone: number;
}

export interface Dependencies<I extends DependentItem> {
  /** For each key id asked about, in the order given. */
  readonly perKey: ReadonlyMap<string, KeyDependents>;
  /** Items none of whose keys is healthy, and none unknown. */
  readonly atRisk: readonly I[];
  /** Items with no healthy key but at least one key whose state is unknown. */
  readonly uncertain: readonly I[];
}

/**
 * The dependencies of `items` on `keys`. A key an item names but `keys` does not (a key a re-key
 * retired, still in an old item) counts as `unknown`.
 */
export function keyDependencies<I extends DependentItem>(keys: ReadonlyMap<string, KeyStanding>, items: readonly I[]): Dependencies<I> {
  const standing = (k: string): KeyStanding => keys.get(k) ?? 'unknown';
  const counts = new Map<string, { items: number; alone: number }>();
  for (const k of keys.keys()) counts.set(k, { items: 0, alone: 0 });
  const atRisk: I[] = [];
  const uncertain: I[] = [];
  for (const item of items) {
    const own = [...new Set(item.keyIds)];
    const healthy = own.filter((k) => standing(k) === 'healthy');
    for (const k of own) {
      const c = counts.get(k);
      if (!c) continue;
      c.items++;
      if (healthy.every((h) => h === k)) c.alone++;
    }
    if (healthy.length === 0) (own.some((k) => standing(k) === 'unknown') ? uncertain : atRisk).push(item);
  }
  return { perKey: counts, atRisk, uncertain };
}
