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
// Writers serialise read-merge-write of the index with an advisory lock file (`index.lock`), so
// two processes adding at once keep each other's entries. The lock only guards the cache: a
// writer that cannot get it in a few seconds writes anyway, and a dead holder's lock is taken over
// (how it is made and removed without races: see "Index write lock" below).
//
// This module does not stat item files, decide freshness or list folders: vault.ts does.

import { randomBytes } from 'node:crypto';
import { link, open, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { openToBuffer, inspectFile, sealFile } from '../envelope.js';
import { processAlive, tempHost, tempName } from '../fs/atomic.js';
import { CachetError, isCachetError, type ErrorCode } from '../errors.js';
import { Keyring, wipe, type CallOptions, type EncryptionContext, type KeyProvider, type KeyRef, type Stanza } from '../keys/provider.js';
import { indexContext, indexFile, isId, newId } from './layout.js';
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

/** Errors that mean "this index file is not a usable index of this vault": rebuild it. */
const UNUSABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'not-envelope', 'unsupported-version', 'header-corrupt', 'tampered', 'truncated', 'trailing-data',
  'reordered', 'wrong-key', 'context-mismatch', 'vault-corrupt', 'kms-invalid-ciphertext', 'not-found',
  // Wrapped only under keys this process lacks (the vault was re-keyed elsewhere): read the items instead.
  'local-key-missing', 'bad-request',
]);

export function isUnusableIndexError(e: unknown): boolean {
  return isCachetError(e) && UNUSABLE.has(e.code);
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
    if (!isId(id) || typeof e !== 'object' || e === null) continue;
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

  /** Whether a data key for the index is held (so the next write needs no KMS call). */
  get hasKey(): boolean {
    return this.#key !== undefined;
  }

  #memoKeyring(last: { fp?: string; key?: Buffer }): Keyring {
    const providers: KeyProvider[] = [];
    for (const t of ['aws-kms', 'local']) {
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
    const before = await stampOf(this.#file);
    if (!before) {
      this.#seen = undefined;
      return { state: 'missing' };
    }
    if (sameStamp(before, this.#seen)) return { state: 'unchanged' };
    if (this.#bad && sameStamp(before, this.#bad.stamp)) return { state: 'unusable', error: this.#bad.error };
    const last: { fp?: string; key?: Buffer } = {};
    try {
      const header = await inspectFile(this.#file);
      const ctx = header.context;
      if (ctx['cachet:vault'] !== this.#vaultId || ctx['cachet:purpose'] !== 'index' || !isId(ctx['cachet:item'])) {
        throw new CachetError('context-mismatch', 'index.env belongs to another vault', { reason: 'index-context' });
      }
      const res = await openToBuffer(this.#file, {
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
      const fps = header.stanzas.map((s) => fingerprint(s, ctx));
      if (last.key && last.fp && fps.includes(last.fp) && stanzasMatchKeys(header.stanzas, keys)) {
        wipe(this.#memo.get(last.fp)); // a re-read of a re-sealed index (same stanza) replaces its copy
        this.#memo.set(last.fp, Buffer.from(last.key));
        this.#setKey({ plaintext: last.key, stanzas: header.stanzas, indexId: ctx['cachet:item']! });
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
    } finally {
      wipe(last.key);
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

// ---------------------------------------------------------------------------------------------
// Index write lock (SPEC §9)
//
// The lock is made atomically: the owner ({host, pid, nonce}) is written to a `.tmp-…` file that
// is then hard-linked to `index.lock` (EEXIST: held by someone else), so `index.lock` never
// exists without its owner in it. A killed writer leaves at most that temp, which the next
// opener's cleanupTemps removes (SPEC §9).
//
// Why removal takes a second lock: "read the lock, judge it stale, unlink it" is not atomic. Two
// writers that both judged one dead lock stale would each unlink "it", and the second unlink
// would remove the lock the first had just made: two holders. So `index.lock` is only ever
// removed (a stale one taken over, or one's own released) by the holder of `index.lock.break`,
// made the same way, held for a few syscalls, and re-checking under it that the lock is still the
// very file judged stale (or its own). A break lock left by a writer killed inside those few
// syscalls is removed when its holder is gone or after BREAK_STALE_MS; only two writers racing to
// remove such a leftover could still both hold the index lock, which the lock tolerates: it only
// guards the cache, and an entry lost from the index is read again from its item (SPEC §9).

export const INDEX_LOCK_FILE = 'index.lock';
export const INDEX_BREAK_FILE = 'index.lock.break';
const LOCK_WAIT_MS = 5_000;
/** A lock older than this is a leftover even if its holder seems alive (a reused pid, another host). */
const LOCK_STALE_MS = 30_000;
const LOCK_ATTEMPTS = 1_000;
/** The break lock is held for a few syscalls: older than this, its holder is gone. */
const BREAK_STALE_MS = 10_000;
const BREAK_ATTEMPTS = 500;
/**
 * An unreadable lock older than this is a leftover. Cachet makes its locks atomically, but on a
 * file system without hard links it falls back to create-then-write (and Cachet before the atomic
 * lock always did): such a lock is empty for a moment, and empty for good if its writer is killed.
 */
const LOCK_UNWRITTEN_MS = 2_000;
/** link() errors of file systems without hard links (FAT, some network and sync folders). */
const NO_LINK_CODES: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS']);

interface LockSeen {
  text: string;
  ino: number;
  mtimeMs: number;
}

/** A lock file's text and identity, read through one descriptor (so they belong together). */
async function readLock(path: string): Promise<LockSeen | undefined> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const s = await fh.stat();
    return { text: await fh.readFile('utf8'), ino: s.ino, mtimeMs: s.mtimeMs };
  } catch {
    return undefined; // gone already
  } finally {
    await fh?.close().catch(() => {});
  }
}

function sameLock(a: LockSeen, b: LockSeen): boolean {
  return a.ino === b.ino && a.text === b.text && a.mtimeMs === b.mtimeMs;
}

function lockIsStale(seen: LockSeen, now: number, staleMs = LOCK_STALE_MS): boolean {
  if (now - seen.mtimeMs > staleMs) return true;
  try {
    const { host, pid } = JSON.parse(seen.text) as { host?: unknown; pid?: unknown };
    return host === tempHost() && typeof pid === 'number' && pid !== process.pid && !processAlive(pid);
  } catch {
    return now - seen.mtimeMs > LOCK_UNWRITTEN_MS;
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Make `path` from the owner temp: 'held', 'busy' (someone holds it) or 'failed' (cannot lock here). */
async function createLock(path: string, temp: string, me: string): Promise<'held' | 'busy' | 'failed'> {
  try {
    await link(temp, path);
    return 'held';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return 'busy';
    if (!NO_LINK_CODES.has(code)) return 'failed';
  }
  try {
    await writeFile(path, me, { flag: 'wx' });
    return 'held';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'busy' : 'failed';
  }
}

/** Run `fn` holding `index.lock.break`; undefined (fn not run) if it cannot be had. */
async function withBreakLock<T>(vaultDir: string, temp: string, me: string, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  const path = join(vaultDir, INDEX_BREAK_FILE);
  for (let attempt = 0; attempt < BREAK_ATTEMPTS; attempt++) {
    const r = await createLock(path, temp, me);
    if (r === 'failed') return undefined;
    if (r === 'held') {
      try {
        return { value: await fn() };
      } finally {
        if ((await readLock(path))?.text === me) await unlink(path).catch(() => {});
      }
    }
    const seen = await readLock(path);
    if (seen && lockIsStale(seen, Date.now(), BREAK_STALE_MS)) await unlink(path).catch(() => {});
    else await pause(1 + Math.floor(Math.random() * 4));
  }
  return undefined;
}

/** Remove `index.lock` if, under the break lock, it is still what `isIt` accepts. True if removed. */
async function removeLockIf(vaultDir: string, temp: string, me: string, isIt: (now: LockSeen) => boolean): Promise<boolean> {
  const path = join(vaultDir, INDEX_LOCK_FILE);
  const r = await withBreakLock(vaultDir, temp, me, async () => {
    const now = await readLock(path);
    if (!now || !isIt(now)) return false;
    await unlink(path);
    return true;
  }).catch(() => undefined);
  return r?.value ?? false;
}

/** Write the owner temp; undefined if this folder takes no files (read-only: go on unlocked). */
async function ownerTemp(vaultDir: string, me: string): Promise<string | undefined> {
  const temp = join(vaultDir, tempName());
  try {
    await writeFile(temp, me, { flag: 'wx' });
    return temp;
  } catch {
    return undefined;
  }
}

function ownerRecord(): string {
  return JSON.stringify({ host: tempHost(), pid: process.pid, nonce: randomBytes(8).toString('hex') });
}

/** Remove the index lock of a writer that is gone (called at open). */
export async function cleanupIndexLock(vaultDir: string): Promise<void> {
  const seen = await readLock(join(vaultDir, INDEX_LOCK_FILE));
  if (!seen || !lockIsStale(seen, Date.now())) return;
  const me = ownerRecord();
  const temp = await ownerTemp(vaultDir, me);
  if (!temp) return;
  try {
    await removeLockIf(vaultDir, temp, me, (now) => sameLock(now, seen));
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** Run `fn` holding the vault's index lock, or without it once LOCK_WAIT_MS have passed. */
export async function withIndexLock<T>(vaultDir: string, fn: () => Promise<T>): Promise<T> {
  const path = join(vaultDir, INDEX_LOCK_FILE);
  const me = ownerRecord();
  const deadline = Date.now() + LOCK_WAIT_MS;
  // The owner record, linked to index.lock and (to remove a lock) index.lock.break. Kept until
  // the end, not unlinked right after the link, because the release needs it again.
  const temp = await ownerTemp(vaultDir, me);
  if (!temp) return fn();
  let held = false;
  try {
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
      const r = await createLock(path, temp, me);
      if (r === 'held') held = true;
      if (r !== 'busy') break;
      const seen = await readLock(path);
      if (!seen) continue; // released meanwhile: try again at once
      if (lockIsStale(seen, Date.now())) {
        await removeLockIf(vaultDir, temp, me, (now) => sameLock(now, seen));
        continue;
      }
      if (Date.now() > deadline) break;
      await pause(5 + Math.floor(Math.random() * 20));
    }
    return await fn();
  } finally {
    // Only our own: if we held it past LOCK_STALE_MS it may have been taken over (not ours now).
    if (held) await removeLockIf(vaultDir, temp, me, (now) => now.text === me);
    await unlink(temp).catch(() => {});
  }
}
