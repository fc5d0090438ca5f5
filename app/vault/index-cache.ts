// The vault index (SPEC §9): `index.env`, an envelope of `{"items": {"<id>": entry}}` that lets a
// vault list N items after opening with O(1) key unwraps instead of N. It is only a cache: the
// caller validates every entry against the item file's size and mtime and drops what does not
// match; a lost, corrupt or foreign index reads as "missing" and is rebuilt from item headers.
//
// The index data key is kept (in memory, zeroed on close) after the first read or write, and the
// index is re-sealed with it and a fresh salt (SPEC §2, SealOptions.dataKey), so keeping the index
// current costs no KMS call. To learn that key without a second unwrap, reads go through a keyring
// whose providers remember the key they handed out for a stanza (`MemoProvider`): the envelope
// still checks the commitment and MAC, so a remembered key that does not belong fails as it would.
//
// It reads and writes through the vault store (store.ts): every read says which version of
// index.env it saw, and every write says when it may replace (a WriteCondition), so writers can
// read-merge-write inside the store's writer section with { ifVersion } (catalog.ts).
//
// This module does not lock or retry (catalog.ts does, through VaultStore.exclusive), stat item
// files, decide freshness or list folders (catalog.ts does).

import { Readable } from 'node:stream';
import { openToBuffer, sealToSink } from '../envelope.js';
import { CachetError, isCachetError, UNUSABLE_INDEX_CODES } from '../errors.js';
import { Keyring, wipe, type CallOptions, type EncryptionContext, type KeyProvider, type KeyRef, type Stanza } from '../keys/provider.js';
import { isItemId, PROVIDER_TYPES } from '../format/limits.js';
import { INDEX_FILE, indexContext, newId } from './layout.js';
import { isVaultPath } from './paths.js';
import type { StoreReader, VaultStore, WriteCondition } from './store.js';

export interface IndexEntry {
  path: string;
  size: number | null;
  mtime: number | null;
  type?: string;
  /** Key ids of the item's stanzas, in header order. */
  keys: string[];
  /** The item file's size and mtimeMs when this entry was made (SPEC §9). */
  fsize: number;
  fmtime: number;
}

export type IndexEntries = Map<string, IndexEntry>;

/** A cap on the decrypted index; a bigger one is treated as corrupt (and rebuilt). */
export const MAX_INDEX_BYTES = 512 * 1024 * 1024;

export function isUnusableIndexError(e: unknown): boolean {
  return isCachetError(e) && UNUSABLE_INDEX_CODES.has(e.code);
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Entries of a decrypted index. A malformed document is 'vault-corrupt'; a malformed entry is dropped. */
export function decodeIndex(bytes: Uint8Array): IndexEntries {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (e) {
    throw new CachetError('vault-corrupt', 'the vault index is not JSON', { reason: 'index-json' }, { cause: e });
  }
  const items = (doc as { items?: unknown } | null)?.items;
  if (typeof items !== 'object' || items === null || Array.isArray(items)) {
    throw new CachetError('vault-corrupt', 'the vault index has no items', { reason: 'index-shape' });
  }
  const out: IndexEntries = new Map();
  for (const [id, v] of Object.entries(items as Record<string, unknown>)) {
    const e = v as Record<string, unknown> | null;
    if (!isItemId(id) || typeof e !== 'object' || e === null) continue;
    const { path, size, mtime, type, keys, fsize, fmtime } = e;
    if (!isVaultPath(path)) continue;
    if (!(size === null || (isNum(size) && size >= 0))) continue;
    if (!(mtime === null || isNum(mtime))) continue;
    if (type !== undefined && typeof type !== 'string') continue;
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) continue;
    if (!isNum(fsize) || !isNum(fmtime)) continue;
    const entry: IndexEntry = { path, size, mtime, keys: keys as string[], fsize, fmtime };
    if (typeof type === 'string') entry.type = type;
    out.set(id, entry);
  }
  return out;
}

export function encodeIndex(entries: IndexEntries): Buffer {
  const items: Record<string, IndexEntry> = {};
  for (const [id, e] of entries) items[id] = e;
  return Buffer.from(JSON.stringify({ items }), 'utf8');
}

function fingerprint(s: Stanza, ctx: EncryptionContext): string {
  const c = Object.keys(ctx).sort().map((k) => [k, ctx[k]]);
  return JSON.stringify([s.type, s.keyId, Buffer.from(s.blob).toString('base64'), c]);
}

/** True when the stanzas are exactly one per vault key (so the key may be reused for the index). */
export function stanzasMatchKeys(stanzas: readonly Stanza[], keys: readonly KeyRef[]): boolean {
  if (stanzas.length !== keys.length) return false;
  return keys.every((k) => stanzas.some((s) => s.type === k.provider && s.keyId === k.keyId));
}

/**
 * Wraps a provider: an unwrap of a stanza it has seen before returns the remembered key (no KMS
 * call); every key it hands out is noted in `last` so the reader can keep it once the envelope
 * has accepted it.
 */
class MemoProvider implements KeyProvider {
  readonly type;
  constructor(
    private readonly inner: KeyProvider,
    private readonly memo: Map<string, Buffer>,
    private readonly last: { fp?: string; key?: Buffer },
  ) {
    this.type = inner.type;
  }

  generateDataKey(keyId: string, context: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    return this.inner.generateDataKey(keyId, context, opts);
  }

  wrapKey(keyId: string, plaintext: Uint8Array, context: EncryptionContext, opts?: CallOptions): Promise<Stanza> {
    return this.inner.wrapKey(keyId, plaintext, context, opts);
  }

  async unwrapKey(stanza: Stanza, context: EncryptionContext, opts?: CallOptions): Promise<Buffer> {
    const fp = fingerprint(stanza, context);
    const hit = this.memo.get(fp);
    const key = hit ? Buffer.from(hit) : await this.inner.unwrapKey(stanza, context, opts);
    wipe(this.last.key);
    this.last.fp = fp;
    this.last.key = Buffer.from(key);
    return key;
  }
}

interface IndexKey {
  plaintext: Buffer;
  stanzas: Stanza[];
  indexId: string;
}

/** What a read found; `version` is the store's version of index.env (absent when there is no file to name). */
export type IndexReadResult =
  | { state: 'unchanged'; version: string }
  | { state: 'read'; entries: IndexEntries; version: string }
  | { state: 'missing' }
  | { state: 'unusable'; error: CachetError; version?: string };

/** Reads and writes `index.env` for one open vault. Not safe for overlapping calls: the vault serialises them. */
/** Reads of an index replaced under the reader each time before giving up (IndexStore.read). */
const INDEX_READ_ATTEMPTS = 8;

export class IndexStore {
  readonly #store: VaultStore;
  readonly #vaultId: string;
  readonly #keyring: Keyring;
  #key: IndexKey | undefined;
  readonly #memo = new Map<string, Buffer>();
  /** The version this store last read or wrote. */
  #seen: string | undefined;
  /** The version last found unusable, so asking again does not re-open (or re-unwrap) it. */
  #bad: { version: string; error: CachetError } | undefined;

  constructor(store: VaultStore, vaultId: string, keyring: Keyring) {
    this.#store = store;
    this.#vaultId = vaultId;
    this.#keyring = keyring;
  }

  #memoKeyring(last: { fp?: string; key?: Buffer }): Keyring {
    const providers: KeyProvider[] = [];
    for (const t of PROVIDER_TYPES) {
      const p = this.#keyring.get(t);
      if (p) providers.push(new MemoProvider(p, this.#memo, last));
    }
    return new Keyring(providers);
  }

  /**
   * The index as it is on disk, unless it is the version this store last read or wrote
   * ('unchanged'). `keys` are the vault's keys: the index data key is kept for reuse only when the
   * index is wrapped under exactly those.
   */
  async read(keys: readonly KeyRef[], opts: CallOptions = {}): Promise<IndexReadResult> {
    // A store whose readers read the version they opened by name (S3: GETs with If-Match) says
    // [changed-while-reading] when another writer replaced the index meanwhile: a newer index is
    // there, so read that one (a folder reader holds its descriptor and never sees this).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#readOnce(keys, opts);
      } catch (e) {
        if (!isCachetError(e, 'changed-while-reading') || attempt >= INDEX_READ_ATTEMPTS) throw e;
      }
    }
  }

  async #readOnce(keys: readonly KeyRef[], opts: CallOptions): Promise<IndexReadResult> {
    // One open serves the version check, the header and the payload (no stat, no second open);
    // never a link, and a FIFO named index.env does not block: it reads as unusable (rebuilt).
    let f: StoreReader;
    try {
      f = await this.#store.openRead(INDEX_FILE, { signal: opts.signal });
    } catch (e) {
      if (isCachetError(e, 'not-found')) {
        this.#seen = undefined;
        return { state: 'missing' };
      }
      if (isCachetError(e, 'bad-request')) {
        this.#seen = undefined;
        return { state: 'unusable', error: e };
      }
      throw e;
    }
    const last: { fp?: string; key?: Buffer } = {};
    try {
      const before = f.version;
      if (before === this.#seen) return { state: 'unchanged', version: before };
      if (this.#bad && before === this.#bad.version) return { state: 'unusable', error: this.#bad.error, version: before };
      try {
        const res = await openToBuffer(f, {
          keyring: this.#memoKeyring(last),
          expectContext: { 'cachet:vault': this.#vaultId, 'cachet:purpose': 'index' },
          maxBytes: MAX_INDEX_BYTES,
          signal: opts.signal,
        });
        let entries: IndexEntries;
        try {
          if (res.truncated) throw new CachetError('vault-corrupt', 'the vault index is too large', { reason: 'index-size' });
          entries = decodeIndex(res.data);
        } finally {
          res.data.fill(0);
        }
        const { header } = res;
        const ctx = header.context;
        if (!isItemId(ctx['cachet:item'])) throw new CachetError('context-mismatch', 'index.env belongs to another vault', { reason: 'index-context' });
        const fps = header.stanzas.map((s) => fingerprint(s, ctx));
        if (last.key && last.fp && fps.includes(last.fp) && stanzasMatchKeys(header.stanzas, keys)) {
          wipe(this.#memo.get(last.fp)); // a re-read of a re-sealed index (same stanza) replaces its copy
          this.#memo.set(last.fp, Buffer.from(last.key));
          this.#setKey({ plaintext: last.key, stanzas: header.stanzas, indexId: ctx['cachet:item'] });
          last.key = undefined;
        }
        this.#seen = before;
        return { state: 'read', entries, version: before };
      } catch (e) {
        if (isUnusableIndexError(e)) {
          this.#seen = undefined;
          this.#bad = { version: before, error: e as CachetError };
          return { state: 'unusable', error: e as CachetError, version: before };
        }
        throw e;
      }
    } finally {
      wipe(last.key);
      await f.close();
    }
  }

  #setKey(k: IndexKey): void {
    if (this.#key && this.#key.plaintext !== k.plaintext) wipe(this.#key.plaintext);
    this.#key = k;
  }

  /**
   * Seal `entries` as the new index, atomically (the store's write), if `when` allows (else
   * [exists] or [conflict]). Reuses the held data key when it is wrapped under exactly `keys`;
   * otherwise one new data key is made. Returns the stanzas' key ids, in the order of `keys`
   * (for aws-kms: the resolved ARNs).
   */
  async write(entries: IndexEntries, keys: readonly KeyRef[], when: WriteCondition, opts: CallOptions = {}): Promise<string[]> {
    if (this.#key && !stanzasMatchKeys(this.#key.stanzas, keys)) this.forgetKey();
    if (!this.#key) {
      const indexId = newId();
      const g = await this.#keyring.generate(keys, indexContext(this.#vaultId, indexId), opts);
      this.#key = { plaintext: g.plaintext, stanzas: g.stanzas, indexId };
    }
    const key = this.#key;
    const json = encodeIndex(entries);
    const dataKey = { plaintext: Buffer.from(key.plaintext), stanzas: key.stanzas };
    try {
      const { version } = await this.#store.write(INDEX_FILE, (sink) => sealToSink(Readable.from([json]), sink, {
        keyring: this.#keyring,
        keys,
        context: indexContext(this.#vaultId, key.indexId),
        metadata: { path: 'index.json', size: json.length, mtime: Date.now() },
        dataKey,
        signal: opts.signal,
      }), when, { signal: opts.signal, sizeHint: json.length });
      this.#seen = version;
    } finally {
      wipe(dataKey.plaintext);
      json.fill(0);
    }
    return key.stanzas.map((s) => s.keyId);
  }

  /** Drop the held data key (after a re-key the index is re-made under the new keys). */
  forgetKey(): void {
    wipe(this.#key?.plaintext);
    this.#key = undefined;
    for (const k of this.#memo.values()) wipe(k);
    this.#memo.clear();
  }

  /** Forget what was last seen on disk, so the next read opens the file again. */
  invalidate(): void {
    this.#seen = undefined;
    this.#bad = undefined;
  }

  close(): void {
    this.forgetKey();
    this.invalidate();
  }
}
