// The payload: chunked AES-256-GCM under counter nonces with a last-chunk flag (SPEC §6, the STREAM
// construction). sealChunk/openChunk are the unit; sealPayload/openPayload stream a whole payload
// from a byte source to a byte sink in large blocks, with memory flat in the payload size.
// It does not parse headers, derive keys or open files: the envelope (app/envelope.ts) does.
//
// Why blocks: reading and writing a MiB at a time (read of block k+1 overlapped with the write
// of block k) keeps syscalls and promise hops off the per-chunk path. Chunks are independent under
// counter nonces, so threads could seal or open the chunks of a block in parallel; on the 2 vCPUs
// measured that was slower (a worker pool), or 10% faster at +20 MB per worker thread (workers
// reading, sealing and writing their own ranges), against a 100 MB memory target: BENCHMARKS.md.
//
// Why one KeyObject per payload: createCipheriv with a raw key runs Node's key checks and builds
// a key handle for every 64 KiB chunk (11-12% of the CPU of a 1 GiB seal); createSecretKey once
// and passing the KeyObject cut seal/open time by 15-17% (BENCHMARKS.md). Key hygiene, checked in
// Node's source (src/crypto/crypto_cipher.cc CipherBase::InitIv, crypto_util.cc ByteSource): a
// raw key is copied into a native ByteSource that lives only for the init call and is freed with
// OPENSSL_clear_free; the KeyObject holds ONE native copy of the content key for the payload,
// freed the same way (cleared) when the KeyObject is garbage-collected, which JS cannot force. So
// the KeyObject adds one cleared-on-collection copy and removes thousands of transient ones; each
// chunk's expanded AES key schedule lives in its EVP_CIPHER_CTX until final() frees (and clears)
// it, either way. The Buffer the caller owns is still wiped by the caller (envelope.ts, finally).
//
// Why a block pool: a vault add of many small files paid for three fresh 2 MiB blocks and zeroing
// all 6 MiB per file (GC + fill: a quarter of the CPU). Blocks are now sized to the input when
// its size is known, come from a small pool, and only the bytes that held plaintext are zeroed.

import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { badRequest, CachetError, fromSystemError, throwIfAborted } from '../errors.js';

export const TAG_LENGTH = 16;
export const NONCE_LENGTH = 12;
/** Writers stop before 2^32 chunks (SPEC §6). */
export const MAX_CHUNKS = 2 ** 32;
/** Chunks diagnosed either side of a failing position for [reordered] (SPEC §6). */
export const REORDER_WINDOW = 64;
/**
 * Target size of one read or write. 1 MiB and 2 MiB blocks seal and open 1 GiB equally fast, and
 * 1 MiB holds 6 MiB less (three input blocks and the output of writes in flight): peak RSS of
 * a 1 GiB KMS seal 95 -> 89 MB, and a 4 GiB one no longer grows V8's young generation (103 ->
 * 90 MB; BENCHMARKS.md).
 */
export const BLOCK_BYTES = 1024 * 1024;
/** Most buffers given to one writev (below every platform's IOV_MAX). */
const WRITEV_MAX = 512;
/** Writes a file sink lets run at once (ByteSink.inFlight). */
const FILE_WRITES_IN_FLIGHT = 2;

// ---------------------------------------------------------------------------------------------
// One chunk (SPEC §6)

/** nonce_i = u88(i) || last_i. Writes into `out` (reused on the hot path). */
export function chunkNonce(index: number, last: boolean, out: Buffer = Buffer.alloc(NONCE_LENGTH)): Buffer {
  if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_CHUNKS) throw new CachetError('internal', 'chunk index out of range');
  out.fill(0, 0, 7);
  out.writeUInt32BE(index, 7);
  out[11] = last ? 1 : 0;
  return out;
}

function sealParts(key: Uint8Array | KeyObject, nonce: Buffer, plaintext: Uint8Array): [Buffer, Buffer] {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  const ct = c.update(plaintext);
  c.final(); // GCM emits nothing at final
  return [ct, c.getAuthTag()];
}

function openAt(key: Uint8Array | KeyObject, nonce: Buffer, sealed: Uint8Array): Buffer | null {
  if (sealed.length < TAG_LENGTH) return null;
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
  const plain = d.update(sealed.subarray(0, sealed.length - TAG_LENGTH));
  try {
    d.final();
  } catch {
    plain.fill(0);
    return null;
  }
  return plain;
}

/** AES-GCM(CK, nonce_i, chunk, "") = ciphertext || tag (SPEC §6). */
export function sealChunk(key: Uint8Array, index: number, last: boolean, plaintext: Uint8Array): Buffer {
  return Buffer.concat(sealParts(key, chunkNonce(index, last), plaintext));
}

/** The chunk's plaintext, or null if its tag does not verify under (index, last) (SPEC §6). */
export function openChunk(key: Uint8Array, index: number, last: boolean, sealed: Uint8Array): Buffer | null {
  return openAt(key, chunkNonce(index, last), sealed);
}

/**
 * Why chunk `index` failed (SPEC §6), tried on the failure path only:
 * [truncated] it verifies as non-final but ends the file, or is shorter than a tag;
 * [trailing-data] it verifies as final but more follows; [reordered] it verifies at another
 * position within REORDER_WINDOW; else [tampered].
 */
export function diagnoseChunk(key: Uint8Array | KeyObject, index: number, last: boolean, sealed: Uint8Array): CachetError {
  const at = { chunk: index };
  if (sealed.length < TAG_LENGTH) return new CachetError('truncated', 'the file ends inside a chunk', at);
  const nonce = Buffer.alloc(NONCE_LENGTH);
  const opens = (i: number, l: boolean): boolean => {
    const p = openAt(key, chunkNonce(i, l, nonce), sealed);
    p?.fill(0);
    return p !== null;
  };
  if (last && opens(index, false)) return new CachetError('truncated', 'the file ends before its final chunk', at);
  if (!last && opens(index, true)) return new CachetError('trailing-data', 'data follows the final chunk', at);
  for (let d = 1; d <= REORDER_WINDOW; d++) {
    for (const j of [index - d, index + d]) {
      if (j < 0 || j >= MAX_CHUNKS) continue;
      if (opens(j, false) || opens(j, true)) return new CachetError('reordered', `chunk ${index} belongs at position ${j}`, { ...at, belongsAt: j });
    }
  }
  return new CachetError('tampered', `chunk ${index} does not authenticate (changed, or from another file)`, at);
}

// ---------------------------------------------------------------------------------------------
// Sources and sinks

/** Sequential bytes in: fills `into` from `offset`, returns how many it read; 0 only at the end. */
export interface ByteSource {
  read(into: Buffer, offset: number, length: number): Promise<number>;
  /**
   * A read shorter than asked means the end (a regular file): the reader need not ask again to
   * see a 0 (one syscall per small file). A file that grows meanwhile must be caught by the
   * caller's own check (sealTo compares the file's size and mtime after sealing).
   */
  readonly shortReadEnds?: boolean;
}

export interface WriteOptions {
  /**
   * The caller will not touch these buffers again: a sink that is done with them when write()
   * resolves may free their memory at once (see `release`).
   */
  transient?: boolean;
}

/**
 * Bytes out, in order. The sink may hold on to the buffers it is given.
 * `inFlight`: how many writes the caller may start before the first one resolves (default 1).
 * A sink that allows more places each write when it is called (a file at increasing positions),
 * so several can run at once and still land in order.
 */
export interface ByteSink {
  write(parts: readonly Buffer[], opts?: WriteOptions): Promise<void>;
  readonly inFlight?: number;
}

const RELEASE_MIN = 4096;

/**
 * Free the memory of buffers nobody will read again, now rather than at the next GC: a chunk's
 * output is a fresh ArrayBuffer per chunk, and letting them pile up until V8 collects them costs
 * tens of MiB of peak memory. Only buffers that own their whole ArrayBuffer are detached.
 */
export function release(parts: readonly Buffer[]): void {
  for (const b of parts) {
    if (b.length < RELEASE_MIN || b.byteOffset !== 0 || b.buffer.byteLength !== b.length) continue;
    try {
      (b.buffer as ArrayBuffer & { transfer?: (n: number) => ArrayBuffer }).transfer?.(0);
    } catch {
      // not detachable (an external buffer): the GC frees it
    }
  }
}

/** Bytes at a position (a FileHandle satisfies this). */
export interface PositionalSource {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

export function fileSource(fh: FileHandle, position = 0, opts: { regular?: boolean } = {}): ByteSource {
  let pos = position;
  return {
    shortReadEnds: opts.regular === true,
    async read(into, offset, length) {
      const { bytesRead } = await fh.read(into, offset, length, pos);
      pos += bytesRead;
      return bytesRead;
    },
  };
}

/** A Readable (stdin, a pipe) as a ByteSource; Buffer/Uint8Array/string chunks only. */
export function readableSource(r: Readable): ByteSource {
  const it = r[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  let pending: Buffer | null = null;
  let done = false;
  return {
    async read(into, offset, length) {
      while (pending === null || pending.length === 0) {
        if (done) return 0;
        const next = await it.next();
        if (next.done) {
          done = true;
          return 0;
        }
        const v = next.value;
        pending = typeof v === 'string' ? Buffer.from(v, 'utf8') : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.length) : null;
        if (pending === null) throw badRequest('invalid-argument', 'the source stream must yield bytes');
      }
      const n = Math.min(length, pending.length);
      pending.copy(into, offset, 0, n);
      pending = pending.subarray(n);
      return n;
    },
  };
}

export interface FileSinkOptions {
  /**
   * Start write-back (`datasync`) after every this many bytes, one in flight at a time, so the
   * writer's final fsync (app/fs/atomic.ts) finds little left to flush: on disk a 1 GiB seal
   * went 0.85 -> 0.72 s with the same durability (BENCHMARKS.md). 0 or absent: never.
   */
  syncEvery?: number;
}

/**
 * Writes at increasing positions from `position`, batched with writev. `settle()` waits for an
 * early write-back still in flight and throws its error: a datasync error is reported to this
 * file handle once (Linux errseq), so it must not be dropped, or the final fsync would succeed on
 * data that never reached the disk.
 */
export function fileSink(fh: FileHandle, position = 0, sinkOpts: FileSinkOptions = {}): ByteSink & { readonly position: number; settle(): Promise<void> } {
  let pos = position;
  const every = sinkOpts.syncEvery ?? 0;
  let synced = position;
  let syncing: Promise<void> | undefined;
  let syncError: unknown;
  const settle = async (): Promise<void> => {
    if (syncing) await syncing;
    if (syncError !== undefined) throw syncError;
  };
  return {
    get position() {
      return pos;
    },
    // Two positional writes in flight: when one returns, the next is already queued in the
    // thread pool, so the kernel copy never waits for the JS thread to come back from sealing
    // or opening a block (the write is the slowest stage of a large seal or open).
    inFlight: FILE_WRITES_IN_FLIGHT,
    settle,
    async write(parts, opts) {
      if (syncError !== undefined) throw syncError;
      // The range is claimed now, in call order, so writes in flight at once never overlap.
      let at = pos;
      for (const b of parts) pos += b.length;
      for (let i = 0; i < parts.length; i += WRITEV_MAX) {
        let batch = parts.slice(i, i + WRITEV_MAX);
        let want = batch.reduce((n, b) => n + b.length, 0);
        while (want > 0) {
          const { bytesWritten } = await fh.writev(batch, at);
          at += bytesWritten;
          want -= bytesWritten;
          if (want > 0) batch = dropBytes(batch, bytesWritten);
        }
      }
      if (opts?.transient) release(parts);
      if (every > 0 && !syncing && at - synced >= every) {
        synced = at;
        syncing = fh.datasync().then(
          () => { syncing = undefined; },
          (e: unknown) => { syncError = e; syncing = undefined; },
        );
      }
    },
  };
}

function dropBytes(parts: readonly Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of parts) {
    if (n >= b.length) {
      n -= b.length;
      continue;
    }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}

/** A Writable (stdout) as a ByteSink, honouring backpressure. The caller owns ending it. */
export function writableSink(w: Writable): ByteSink {
  return {
    async write(parts) {
      for (const b of parts) {
        if (w.destroyed || w.writableEnded) throw new CachetError('io', 'the output stream is closed');
        if (b.length === 0) continue;
        if (!w.write(b)) {
          const ac = new AbortController();
          try {
            await Promise.race([
              once(w, 'drain', { signal: ac.signal }),
              once(w, 'close', { signal: ac.signal }).then(() => {
                throw new CachetError('io', 'the output stream closed');
              }),
            ]);
          } finally {
            ac.abort();
          }
        }
      }
    },
  };
}

/** A sink that keeps nothing (verify). */
export const NULL_SINK: ByteSink = {
  write: async (parts, opts) => {
    if (opts?.transient) release(parts);
  },
};

async function fill(src: ByteSource, buf: Buffer, length: number): Promise<number> {
  let n = 0;
  while (n < length) {
    const r = await src.read(buf, n, length - n);
    if (r === 0) break;
    n += r;
    if (src.shortReadEnds && n < length) break;
  }
  return n;
}

/**
 * Mark a promise that is awaited later (a write or read overlapped with other work) as handled,
 * so a failure while the loop awaits something else is not an unhandled rejection (which kills
 * the process); the later `await` still throws it.
 */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/**
 * A payload's writes to one sink: started in order, at most `sink.inFlight` at once (1 unless
 * the sink places its writes itself, see ByteSink).
 */
class WriteQueue {
  readonly #sink: ByteSink;
  readonly #max: number;
  readonly #pending: Promise<void>[] = [];
  constructor(sink: ByteSink) {
    this.#sink = sink;
    this.#max = Math.max(1, Math.floor(sink.inFlight ?? 1));
  }
  /** Start a write once fewer than the maximum are in flight; throws an earlier write's error. */
  async push(parts: readonly Buffer[], opts?: WriteOptions): Promise<void> {
    while (this.#pending.length >= this.#max) await this.#pending.shift();
    this.#pending.push(handled(this.#sink.write(parts, opts)));
  }
  /** Wait for every write; the first error is thrown. */
  async drain(): Promise<void> {
    while (this.#pending.length > 0) await this.#pending.shift();
  }
  /** Wait for every write, never throwing (the failure path). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#pending.splice(0));
  }
}

export interface StreamOptions {
  signal?: AbortSignal | undefined;
  /** Called after each block with the plaintext bytes done so far. */
  onProgress?: ((bytes: number) => void) | undefined;
}

export interface SealPayloadOptions extends StreamOptions {
  /**
   * The expected plaintext size (a file's stat size), used only to size the blocks: a 4 KiB file
   * needs one 64 KiB block, not three of 1 MiB. A source that yields more still seals correctly.
   */
  sizeHint?: number | undefined;
}

function blockChunks(chunkSize: number): number {
  return Math.max(1, Math.floor(BLOCK_BYTES / chunkSize));
}

// ---------------------------------------------------------------------------------------------
// Block pool

/** Pooled buffers are whole multiples of this size (their class); a request takes the class above it. */
const POOL_UNIT = 64 * 1024;
/**
 * Bytes the pool keeps in all, across classes (wiped; this much may stay allocated between
 * operations): enough for a few concurrent seals and opens of 1 MiB blocks, and a bound however
 * many different file sizes pass through (a class per size would grow without limit).
 */
const POOL_BYTES = 12 * 1024 * 1024;
const pool = new Map<number, Buffer[]>();
let pooledBytes = 0;

function poolClass(length: number): number {
  return Math.max(1, Math.ceil(length / POOL_UNIT)) * POOL_UNIT;
}

/** A buffer of `length` bytes from the pool (contents unspecified; zero or old ciphertext). */
function takeBlock(length: number): Buffer {
  const cls = poolClass(length);
  const list = pool.get(cls);
  const b = list?.pop();
  if (list && list.length === 0) pool.delete(cls);
  if (!b) return Buffer.allocUnsafeSlow(cls).subarray(0, length);
  pooledBytes -= cls;
  return b.subarray(0, length);
}

/**
 * Give a block back. `dirty` bytes at its start may hold plaintext and are zeroed first; a block
 * the pool has no room for goes to the GC.
 */
function giveBlock(b: Buffer, dirty: number): void {
  if (dirty > 0) b.fill(0, 0, dirty);
  const cls = b.buffer.byteLength;
  if (b.byteOffset !== 0 || cls !== poolClass(b.length) || pooledBytes + cls > POOL_BYTES) return;
  const list = pool.get(cls);
  if (list) list.push(Buffer.from(b.buffer, 0, cls));
  else pool.set(cls, [Buffer.from(b.buffer, 0, cls)]);
  pooledBytes += cls;
}

// ---------------------------------------------------------------------------------------------
// Seal (SPEC §6)

/**
 * Seal everything `source` yields as a STREAM payload under `key` into `sink`. Returns the
 * plaintext byte count. The final chunk is known by reading one block ahead; a plaintext of
 * k*S bytes ends with a full chunk marked final, an empty one with one empty final chunk.
 */
export async function sealPayload(key: Uint8Array, chunkLog2: number, source: ByteSource, sink: ByteSink, opts: SealPayloadOptions = {}): Promise<number> {
  const S = 2 ** chunkLog2;
  const perBlock = blockChunks(S);
  // Whole chunks always (a block that is not the last must hold whole chunks), and one byte more
  // than the hint, so that a source of exactly the hinted size ends inside the first block.
  const hint = opts.sizeHint;
  const chunksPerBlock = hint !== undefined && Number.isSafeInteger(hint) && hint >= 0 ? Math.min(perBlock, Math.floor(hint / S) + 1) : perBlock;
  const blockLen = S * chunksPerBlock;
  // Three blocks: one being sealed, the one after it (already read: it tells whether this one is
  // last), and one being read meanwhile, so reading overlaps sealing and writing. Taken from the
  // pool when first read into: a payload that ends in its first block never takes the others.
  const bufs: (Buffer | undefined)[] = [undefined, undefined, undefined];
  const dirty = [0, 0, 0];
  let failed = true;
  const ko = createSecretKey(key);
  const nonce = Buffer.alloc(NONCE_LENGTH);
  let index = 0;
  let total = 0;
  const writes = new WriteQueue(sink);
  let pendingRead: Promise<number> = Promise.resolve(0);
  let eof = false;
  const readInto = (slot: number): Promise<number> => {
    if (eof) return Promise.resolve(0);
    const buf = (bufs[slot] ??= takeBlock(blockLen));
    return fill(source, buf, blockLen).then((n) => {
      dirty[slot] = Math.max(dirty[slot]!, n);
      if (n < blockLen) eof = true;
      return n;
    });
  };
  try {
    throwIfAborted(opts.signal);
    let k = 0;
    let curLen = await readInto(0);
    pendingRead = handled(readInto(1));
    for (;;) {
      const cur = bufs[k % 3]!;
      const nextLen = await pendingRead;
      throwIfAborted(opts.signal);
      const final = nextLen === 0;
      if (!final) pendingRead = handled(readInto((k + 2) % 3));
      const n = final ? Math.max(1, Math.ceil(curLen / S)) : chunksPerBlock;
      if (index + n > MAX_CHUNKS) throw badRequest('file-too-large', 'the file is too large for one envelope');
      const parts: Buffer[] = [];
      for (let c = 0; c < n; c++) {
        const from = c * S;
        const [ct, tag] = sealParts(ko, chunkNonce(index, final && c === n - 1, nonce), cur.subarray(from, Math.min(from + S, curLen)));
        parts.push(ct, tag);
        index++;
      }
      total += curLen;
      await writes.push(parts, { transient: true });
      opts.onProgress?.(total);
      if (final) break;
      k++;
      curLen = nextLen;
    }
    await writes.drain();
    failed = false;
    return total;
  } catch (e) {
    await Promise.allSettled([writes.settled(), pendingRead]);
    throw e instanceof CachetError ? e : fromSystemError(e, 'seal');
  } finally {
    // They held plaintext: zeroed before they go back to the pool (all of it after a failure,
    // where a read may have stopped part-way; else the bytes read into them).
    bufs.forEach((b, i) => b && giveBlock(b, failed ? b.length : dirty[i]!));
  }
}

// ---------------------------------------------------------------------------------------------
// Open (SPEC §6)

/** The plaintext size of a well-formed payload of `length` bytes, or null if no layout fits. */
export function plaintextLength(length: number, chunkLog2: number): number | null {
  const full = 2 ** chunkLog2 + TAG_LENGTH;
  if (length < TAG_LENGTH) return null;
  const n = Math.ceil(length / full);
  const lastLen = length - (n - 1) * full;
  if (lastLen < TAG_LENGTH) return null;
  return length - n * TAG_LENGTH;
}

/** The payload length that a plaintext of `size` bytes seals to (SPEC §6). */
export function payloadLength(size: number, chunkLog2: number): number {
  const n = size === 0 ? 1 : Math.ceil(size / 2 ** chunkLog2);
  return size + n * TAG_LENGTH;
}

export interface OpenPayloadOptions extends StreamOptions {
  /** Stop once this many plaintext bytes are out (preview). */
  limit?: number | undefined;
}

/**
 * Open the STREAM payload at [start, start+length) of `src` into `sink`. Each chunk goes to the
 * sink only after its tag verifies; the chunk at the end of `length` must be the final one.
 * Returns the plaintext bytes released and whether the payload was read to its end.
 */
export async function openPayload(
  key: Uint8Array, chunkLog2: number, src: PositionalSource, start: number, length: number, sink: ByteSink, opts: OpenPayloadOptions = {},
): Promise<{ bytes: number; complete: boolean }> {
  const S = 2 ** chunkLog2;
  const full = S + TAG_LENGTH;
  if (length === 0) throw new CachetError('truncated', 'the file ends before its first chunk', { chunk: 0 });
  const chunks = Math.ceil(length / full);
  const blockLen = Math.min(full * blockChunks(full), length);
  // Two blocks: the one being opened and the next one, read meanwhile. The payload length says
  // where the final chunk is, so no look-ahead past the block is needed.
  const bufs = [takeBlock(blockLen), takeBlock(blockLen)];
  const ko = createSecretKey(key);
  const nonce = Buffer.alloc(NONCE_LENGTH);
  const limit = opts.limit ?? Infinity;
  let index = 0;
  let out = 0;
  const writes = new WriteQueue(sink);
  let pendingRead: Promise<number> = Promise.resolve(0);
  const readAt = async (buf: Buffer, at: number): Promise<number> => {
    const want = Math.min(buf.length, length - at);
    let n = 0;
    while (n < want) {
      const { bytesRead } = await src.read(buf, n, want - n, start + at + n);
      if (bytesRead === 0) throw new CachetError('changed-while-reading', 'the file got shorter while it was read');
      n += bytesRead;
    }
    return n;
  };
  const plainIn = (sealedLen: number): number => sealedLen - Math.ceil(sealedLen / full) * TAG_LENGTH;
  // Read the block after [at, at+len) into `buf`, unless the payload or the limit ends first.
  const readAfter = (buf: Buffer, at: number, len: number): Promise<number> =>
    at + len < length && out + plainIn(len) < limit ? readAt(buf, at + len) : Promise.resolve(0);
  try {
    throwIfAborted(opts.signal);
    let k = 0;
    let pos = 0; // payload offset of the current block
    let curLen = await readAt(bufs[0]!, 0);
    pendingRead = handled(readAfter(bufs[1]!, pos, curLen));
    for (;;) {
      throwIfAborted(opts.signal);
      const cur = bufs[k % 2]!;
      const parts: Buffer[] = [];
      for (let off = 0; off < curLen && out < limit; off += full) {
        const sealed = cur.subarray(off, Math.min(off + full, curLen));
        const last = index === chunks - 1;
        const plain = openAt(ko, chunkNonce(index, last, nonce), sealed);
        if (plain === null) {
          for (const p of parts) p.fill(0);
          throw diagnoseChunk(ko, index, last, sealed);
        }
        index++;
        const keep = Math.min(plain.length, limit - out);
        parts.push(keep === plain.length ? plain : plain.subarray(0, keep));
        out += keep;
      }
      await writes.push(parts, { transient: true });
      opts.onProgress?.(out);
      const nextLen = await pendingRead;
      if (nextLen === 0) break;
      pos += curLen;
      curLen = nextLen;
      k++;
      pendingRead = handled(readAfter(bufs[(k + 1) % 2]!, pos, curLen));
    }
    await writes.drain();
    return { bytes: out, complete: index === chunks };
  } catch (e) {
    await Promise.allSettled([writes.settled(), pendingRead]);
    throw e instanceof CachetError ? e : fromSystemError(e, 'open');
  } finally {
    // They held ciphertext only (plaintext comes out of the decipher in fresh buffers).
    for (const b of bufs) giveBlock(b, 0);
  }
}
