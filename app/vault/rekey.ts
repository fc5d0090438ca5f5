// Re-keying one item's header (SPEC §4, §5): the stanzas it gets under the new keys and the check
// that each of them opens it, before anything is written. Kept stanzas are reused, new ones made by
// Keyring.rewrap (KMS ReEncrypt when it can). It does not write files, walk the vault or update the
// index (Vault.rekey does).

import { badRequest, isCachetError } from '../errors.js';
import { checkCommitment, type DecodedHeader } from '../format/header.js';
import { wipe, type EncryptionContext, type Keyring, type Stanza } from '../keys/provider.js';
import type { VaultKey } from './layout.js';

/**
 * The stanzas `h` should carry for `keys`, each checked to open this item (its key commitment),
 * or undefined when it has exactly those already. Throws when a key cannot be made or checked.
 */
export async function newStanzas(h: DecodedHeader, ctx: EncryptionContext, keys: readonly VaultKey[], keyring: Keyring, itemId: string, signal: AbortSignal | undefined): Promise<Stanza[] | undefined> {
  const out: Stanza[] = [];
  const made: Stanza[] = [];
  for (const k of keys) {
    const same = h.stanzas.find((s) => s.type === k.provider && s.keyId === k.keyId);
    if (same) {
      out.push(same);
      continue;
    }
    const sources = [...h.stanzas].filter((s) => keyring.get(s.type)).sort((a, b) => (a.type === k.provider ? 0 : 1) - (b.type === k.provider ? 0 : 1));
    let last: unknown = badRequest('no-provider', 'no key provider here can open this item', { item: itemId });
    let s: Stanza | undefined;
    for (const src of sources) {
      try {
        s = await keyring.rewrap(src, ctx, k, { signal });
        break;
      } catch (e) {
        if (isCachetError(e, 'cancelled')) throw e;
        last = e;
      }
    }
    if (!s) throw last;
    out.push(s);
    made.push(s);
  }
  if (made.length === 0 && out.length === h.stanzas.length) return undefined;
  // Before any old stanza goes, each new one, and each kept one this process can serve, must
  // open this item (SPEC §4 commitment): a re-key never leaves an item its keys cannot open.
  let checked = 0;
  for (const s of out) {
    if (!made.includes(s) && !keyring.get(s.type)) continue;
    const { plaintext } = await keyring.unwrap([s], ctx, { signal, accept: (dk) => checkCommitment(dk, h.salt, h.commitment) });
    wipe(plaintext);
    checked++;
  }
  if (checked === 0) throw badRequest('unchecked', 'no key provider here can check the new keys of this item', { item: itemId });
  return out;
}
