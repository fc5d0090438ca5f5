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
// Writers serialise read-merge-write of the index with an advisory lock file, index-lock.ts.
//
// This module does not lock (index-lock.ts does), stat item files, decide freshness or list
// folders (catalog.ts does).

import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { openToBuffer, sealFile } from '../envelope.js';
import { openRegular, type RegularFile } from '../fs/regular-file.js';
import { CachetError, isCachetError, UNUSABLE_INDEX_CODES } from '../errors.js';
import { Keyring, wipe, type CallOptions, type EncryptionContext, type KeyProvider, type KeyRef, type Stanza } from '../keys/provider.js';
import { isItemId, PROVIDER_TYPES } from '../format/limits.js';
import { indexContext, indexFile, newId } from './layout.js';
import { isVaultPath } from './paths.js';

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

/** The identity of a file version, to notice that someone else rewrote it. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

export function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

async function stampOf(path: string): Promise<FileStamp | undefined> {
  try {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
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

export type IndexReadResult =
  | { state: 'unchanged' }
  | { state: 'read'; entries: IndexEntries }
  | { state: 'missing' }
  | { state: 'unusable'; error: CachetError };

/** Reads and writes `index.env` for one open vault. Not safe for overlapping calls: the vault serialises them. */
export class IndexStore {
  readonly #file: string;
  readonly #vaultId: string;
  readonly #keyring: Keyring;
  #key: IndexKey | undefined;
  readonly #memo = new Map<string, Buffer>();
  #seen: FileStamp | undefined;
  /** The version last found unusable, so asking again does not re-open (or re-unwrap) it. */
  #bad: { stamp: FileStamp; error: CachetError } | undefined;

  constructor(vaultDir: string, vaultId: string, keyring: Keyring) {
    this.#file = indexFile(vaultDir);
    this.#vaultId = vaultId;
    this.#keyring = keyring;
  }

  get file(): string {
    return this.#file;
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
    // One open serves the version check, the header and the payload (no stat, no second open);
    // never a link, and a FIFO named index.env does not block: it reads as unusable (rebuilt).
    let f: RegularFile;
    try {
      f = await openRegular(this.#file, { follow: false, what: 'read the vault index' });
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
      const before: FileStamp = { size: f.size, mtimeMs: f.mtimeMs, ino: f.ino };
      if (sameStamp(before, this.#seen)) return { state: 'unchanged' };
      if (this.#bad && sameStamp(before, this.#bad.stamp)) return { state: 'unusable', error: this.#bad.error };
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
        return { state: 'read', entries };
      } catch (e) {
        if (isUnusableIndexError(e)) {
          this.#seen = undefined;
          this.#bad = { stamp: before, error: e as CachetError };
          return { state: 'unusable', error: e as CachetError };
        }
        throw e;
      }
    } finally {
      wipe(last.key);
      await f.fh.close().catch(() => {});
    }
  }

  #setKey(k: IndexKey): void {
    if (this.#key && this.#key.plaintext !== k.plaintext) wipe(this.#key.plaintext);
    this.#key = k;
  }

  /**
   * Seal `entries` as the new index, atomically (sealFile writes a temp and renames it). Reuses
   * the held data key when it is wrapped under exactly `keys`; otherwise one new data key is made.
   * Returns the stanzas' key ids, in the order of `keys` (for aws-kms: the resolved ARNs).
   */
  async write(entries: IndexEntries, keys: readonly KeyRef[], opts: CallOptions = {}): Promise<string[]> {
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
      await sealFile(Readable.from([json]), this.#file, {
        keyring: this.#keyring,
        keys,
        context: indexContext(this.#vaultId, key.indexId),
        metadata: { path: 'index.json', size: json.length, mtime: Date.now() },
        dataKey,
        overwrite: true,
        signal: opts.signal,
      });
    } finally {
      wipe(dataKey.plaintext);
      json.fill(0);
    }
    this.#seen = await stampOf(this.#file);
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
