// Sealed files end to end (SPEC §2-§7): seal a file or stream into an envelope, and open, verify,
// preview, inspect or re-header one. An envelope is read through positional reads (an
// EnvelopeReader: a vault store's reader, or a loose file opened here by path) and sealed into a
// ByteSink (sealToSink: a vault store's write) or a loose file. Loose output files are written
// atomically (app/fs/atomic.ts): a sealed file appears only once complete; an opened file only
// after its last chunk verifies. Every plaintext data key and derived key is zeroed on success and
// on error (try/finally). It does not know about vaults (ids, index, layout, stores): app/vault
// does, through these calls.

import type { Readable, Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { badRequest, CachetError, fromSystemError, throwIfAborted } from './errors.js';
import type { EncryptionContext, KeyRef, Keyring, Stanza } from './keys/provider.js';
import { checkDataKey, wipe } from './keys/provider.js';
import { checkContext, encodeContext } from './format/context.js';
import {
  checkChunkLog2, checkCommitment, checkHeaderMac, checkMetadata, decodeHeader, DEFAULT_CHUNK_LOG2,
  encodeHeader, encodeHeaderPrefix, headerMac, MAX_HEADER_LENGTH, openMetadata, SALT_LENGTH, sealMetadata, SHORT_HEADER,
  VERSION, withDerivedKeys, type DecodedHeader, type DerivedKeys, type ItemMetadata,
} from './format/header.js';
import {
  fileSource, NULL_SINK, openPayload, payloadLength, plaintextLength, readableSource, sealPayload, writableSink,
  type ByteSink, type ByteSource, type PositionalSource,
} from './stream/stream.js';
import { replaceHead, writeAtomicSink } from './fs/atomic.js';
import { withInFlightRecord } from './fs/in-flight.js';
import { fileReader, openRegular, type RegularFile } from './fs/regular-file.js';

export type { ItemMetadata } from './format/header.js';
export interface Progress { bytes: number; total: number | null }
/** Everything readable without a key (SPEC §4). */
export interface HeaderInfo {
  version: number; chunkSize: number; context: Record<string, string>;
  stanzas: { type: string; keyId: string; blob: Uint8Array }[];
  /** The payload starts here. */
  headerLength: number;
  /** File size - headerLength, when known. */
  payloadLength: number | null;
}
export interface SealOptions {
  keyring: Keyring; keys: readonly KeyRef[]; context: EncryptionContext; metadata: ItemMetadata;
  chunkLog2?: number; signal?: AbortSignal; onProgress?: (p: Progress) => void;
  /** Reuse a data key (vault index, SPEC §9); the caller owns and wipes it. `keys` is then unused. */
  dataKey?: { plaintext: Buffer; stanzas: Stanza[] };
}
export interface OpenOptions {
  keyring: Keyring;
  /** Refuse [context-mismatch] if the header's context differs on any of these pairs (SPEC §9). */
  expectContext?: Partial<Record<string, string>>;
  signal?: AbortSignal; onProgress?: (p: Progress) => void;
}

const FIRST_HEADER_READ = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * An opened envelope: positional reads of one version of it (SPEC §9: a vault store's reader, or
 * a loose file). `restat` says what that version is now: another size or version than at open
 * means it was changed while read [changed-while-reading]; undefined, that it is gone.
 */
export interface EnvelopeReader extends PositionalSource {
  /** For messages: a path, or s3://bucket/key. */
  readonly location: string;
  readonly size: number;
  readonly version: string;
  restat(): Promise<{ size: number; version: string } | undefined>;
}

/**
 * An envelope to read: a path (a loose file, opened here, following a link as any command-line
 * tool does, but never blocking on a FIFO), or a reader the caller opened (a vault store's,
 * which does not follow links) and still owns: it is not closed here.
 */
export type EnvelopeSource = string | EnvelopeReader;

async function readFully(src: PositionalSource, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let n = 0;
  while (n < length) {
    const { bytesRead } = await src.read(buf, n, length - n, n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return buf.subarray(0, n);
}

/** Parse the header at the start of an envelope (SPEC §4), reading no more than the bound allows. */
export async function readHeader(src: PositionalSource & { readonly size: number }): Promise<DecodedHeader> {
  const fileSize = src.size;
  try {
    const first = await readFully(src, Math.min(fileSize, FIRST_HEADER_READ));
    try {
      return decodeHeader(first);
    } catch (e) {
      const most = Math.min(fileSize, MAX_HEADER_LENGTH);
      if (e instanceof CachetError && e.detail['reason'] === SHORT_HEADER && first.length < most) {
        return decodeHeader(await readFully(src, most));
      }
      throw e;
    }
  } catch (e) {
    throw fromSystemError(e, 'read the header');
  }
}

/** What toInfo reads of a header: a decoded one, or the parts a writer has just encoded. */
type HeaderParts = Pick<DecodedHeader, 'version' | 'chunkLog2' | 'context' | 'stanzas' | 'length'>;

function toInfo(h: HeaderParts, fileSize: number | null): HeaderInfo {
  return {
    version: h.version,
    chunkSize: 2 ** h.chunkLog2,
    context: { ...h.context },
    stanzas: h.stanzas.map((s) => ({ type: s.type, keyId: s.keyId, blob: s.blob })),
    headerLength: h.length,
    payloadLength: fileSize === null ? null : fileSize - h.length,
  };
}

interface Unlocked {
  header: DecodedHeader;
  keys: DerivedKeys;
  metadata: ItemMetadata;
}

/**
 * SPEC §4 reader step 3: unwrap DK from any stanza, check the commitment (inside the keyring's
 * `accept`, so a stanza that unwraps to another key falls through to the next), then the MAC, then
 * open the metadata. `fn` runs with the derived keys; DK and every derived key are zeroed after.
 */
async function unlock<T>(header: DecodedHeader, opts: OpenOptions, fn: (u: Unlocked) => Promise<T>): Promise<T> {
  if (opts.expectContext) checkContext(header.context, opts.expectContext);
  throwIfAborted(opts.signal);
  const { plaintext } = await opts.keyring.unwrap(header.stanzas, header.context, {
    signal: opts.signal,
    accept: (k) => checkCommitment(k, header.salt, header.commitment),
  });
  try {
    return await withDerivedKeys(plaintext, header.salt, async (keys) => {
      if (!checkHeaderMac(keys.header, header)) throw new CachetError('header-corrupt', 'header: the MAC does not verify', { part: 'mac' });
      const metadata = openMetadata(keys.metadata, header.meta);
      return fn({ header, keys, metadata });
    });
  } finally {
    wipe(plaintext);
  }
}

/** With an authenticated size, a payload of another length is cut short or has data appended (SPEC §6). */
function checkPayloadLength(h: DecodedHeader, m: ItemMetadata, fileSize: number): void {
  if (m.size === null) return;
  const want = payloadLength(m.size, h.chunkLog2);
  const have = fileSize - h.length;
  if (have < want) throw new CachetError('truncated', 'the file is shorter than its sealed size', { expected: want, found: have });
  if (have > want) throw new CachetError('trailing-data', 'data follows the final chunk', { expected: want, found: have });
}

function progress(cb: OpenOptions['onProgress'], total: number | null): ((n: number) => void) | undefined {
  return cb ? (bytes) => cb({ bytes, total }) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Seal

/**
 * Seal `source` (a loose file's path, or a Readable) into `sink`, header first, in order (a vault
 * store's write, which places the result atomically; a Writable). A source file whose size or
 * mtime changes while read [changed-while-reading]; for a path the metadata's size is the file's.
 * On a throw the sink holds a partial envelope: its owner discards it.
 */
export async function sealToSink(source: string | Readable, sink: ByteSink, opts: SealOptions): Promise<{ header: HeaderInfo; bytes: number }> {
  const chunkLog2 = opts.chunkLog2 ?? DEFAULT_CHUNK_LOG2;
  checkChunkLog2(chunkLog2);
  checkMetadata(opts.metadata);
  encodeContext(opts.context); // Precondition: a valid context, refused before any KMS call.
  if (opts.dataKey) checkDataKey(opts.dataKey.plaintext);
  throwIfAborted(opts.signal);

  let file: RegularFile | undefined;
  let src: ByteSource;
  let metadata = opts.metadata;
  if (typeof source === 'string') {
    // A regular file (never a FIFO that would block): its size and mtime are compared after sealing.
    file = await openRegular(source, { follow: true });
    src = fileSource(file.fh, 0, { regular: true });
    metadata = { ...metadata, size: file.size };
  } else {
    src = readableSource(source);
  }
  let owned: Buffer | undefined;
  try {
    let dk: Buffer;
    let stanzas: Stanza[];
    if (opts.dataKey) {
      dk = opts.dataKey.plaintext;
      stanzas = opts.dataKey.stanzas;
    } else {
      const g = await opts.keyring.generate(opts.keys, opts.context, { signal: opts.signal });
      owned = dk = g.plaintext;
      stanzas = g.stanzas;
    }
    const salt = randomBytes(SALT_LENGTH);
    return await withDerivedKeys(dk, salt, async (keys) => {
      const prefix = encodeHeaderPrefix({ chunkLog2, salt, context: opts.context, commitment: keys.commitment, meta: sealMetadata(keys.metadata, metadata) });
      const headerBytes = encodeHeader(prefix, headerMac(keys.header, prefix), stanzas);
      // The header goes out with the first block (one write, not two, per small file).
      const bytes = await sealPayload(keys.content, chunkLog2, src, withPrefix(sink, headerBytes), {
        signal: opts.signal,
        sizeHint: file?.size,
        onProgress: progress(opts.onProgress, metadata.size),
      });
      if (metadata.size !== null && bytes !== metadata.size) {
        throw new CachetError('changed-while-reading', 'the source changed size while it was sealed', { expected: metadata.size, found: bytes });
      }
      if (file) {
        const st = await file.fh.stat();
        if (st.size !== file.size || st.mtimeMs !== file.mtimeMs) {
          throw new CachetError('changed-while-reading', 'the source changed while it was sealed', { path: source as string });
        }
      }
      // The parts just encoded, not a re-parse of headerBytes.
      const header: HeaderParts = { version: VERSION, chunkLog2, context: opts.context, stanzas, length: headerBytes.length };
      return { header: toInfo(header, header.length + payloadLength(bytes, chunkLog2)), bytes };
    });
  } catch (e) {
    throw fromSystemError(e, 'seal', typeof source === 'string' ? source : undefined);
  } finally {
    wipe(owned);
    await file?.fh.close().catch(() => {});
  }
}

/**
 * `sink` with `prefix` written in front of the first write. That write is not marked transient
 * (the prefix is still read afterwards, and a Writable sink may keep its buffers queued): its
 * parts go to the GC as before the block pool.
 */
function withPrefix(sink: ByteSink, prefix: Buffer): ByteSink {
  let pending: Buffer | undefined = prefix;
  return {
    inFlight: sink.inFlight,
    async write(parts, opts) {
      if (pending === undefined) return sink.write(parts, opts);
      const first = pending;
      pending = undefined;
      return sink.write([first, ...parts]);
    },
  };
}

/**
 * Seal `source` (a path, or a Readable such as stdin) into the envelope file `dest`, atomically:
 * a temp beside it, fsync, rename; never a partial file. An existing `dest` is refused [exists]
 * unless `overwrite`. A source file whose size or mtime changes while read [changed-while-reading].
 * For a path the metadata's size is the file's; for a stream it is the caller's (null if unknown).
 * `syncDir: false` leaves the folder fsync to the caller (WriteAtomicOptions.syncDir: a batch).
 */
export async function sealFile(
  source: string | Readable, dest: string, opts: SealOptions & { overwrite?: boolean; syncDir?: boolean; fresh?: boolean },
): Promise<{ header: HeaderInfo; bytes: number }> {
  return writeAtomicSink(dest, (sink) => sealToSink(source, sink, opts), {
    overwrite: opts.overwrite ?? false, syncDir: opts.syncDir ?? true, fresh: opts.fresh ?? false,
  });
}

/** Seal into a Writable (stdout). The caller ends `dest`; on error it holds a partial envelope. */
export async function sealToWritable(source: string | Readable, dest: Writable, opts: SealOptions): Promise<{ header: HeaderInfo; bytes: number }> {
  return sealToSink(source, writableSink(dest), opts);
}

// ---------------------------------------------------------------------------------------------
// Open

interface OpenedFile {
  src: EnvelopeReader;
  size: number;
  header: DecodedHeader;
}

async function withHeader<T>(source: EnvelopeSource, fn: (f: OpenedFile) => Promise<T>): Promise<T> {
  const owned = typeof source === 'string' ? fileReader(await openRegular(source, { follow: true })) : undefined;
  const src = owned ?? (source as EnvelopeReader);
  try {
    const header = await readHeader(src);
    return await fn({ src, size: src.size, header });
  } catch (e) {
    throw fromSystemError(e, 'open', src.location);
  } finally {
    await owned?.close();
  }
}

/** Open the payload of an unlocked file into `sink`; the length is checked first (SPEC §6). */
async function openTo(f: OpenedFile, u: Unlocked, sink: ByteSink, opts: OpenOptions, limit?: number): Promise<{ bytes: number; complete: boolean }> {
  checkPayloadLength(f.header, u.metadata, f.size);
  const total = u.metadata.size ?? plaintextLength(f.size - f.header.length, f.header.chunkLog2);
  const r = await openPayload(u.keys.content, f.header.chunkLog2, f.src, f.header.length, f.size - f.header.length, sink, {
    signal: opts.signal, onProgress: progress(opts.onProgress, total), limit,
  });
  if (r.complete) {
    const st = await f.src.restat();
    if (!st || st.size !== f.size || st.version !== f.src.version) throw new CachetError('changed-while-reading', 'the file changed while it was read');
  }
  return r;
}

/**
 * Open an envelope into `dest`: a path (written atomically, renamed into place only after the
 * last chunk verifies; on any error no output file remains; the original's mtime is restored) or
 * a Writable (stdout), which receives verified chunks only. Existing `dest` refused unless `overwrite`.
 */
export async function openFile(source: EnvelopeSource, dest: string | Writable, opts: OpenOptions & { overwrite?: boolean }): Promise<{ metadata: ItemMetadata; header: HeaderInfo; bytes: number }> {
  return withHeader(source, (f) => unlock(f.header, opts, async (u) => {
    let bytes: number;
    if (typeof dest === 'string') {
      ({ bytes } = await writeAtomicSink(dest, async (sink, out) => {
        const r = await openTo(f, u, sink, opts);
        if (u.metadata.mtime !== null) await out.utimes(new Date(), new Date(u.metadata.mtime));
        return r;
        // Plaintext: private from its first byte (#8), also if the process dies before the rename.
      }, { overwrite: opts.overwrite ?? false, mode: 0o600, around: withInFlightRecord }));
    } else {
      ({ bytes } = await openTo(f, u, writableSink(dest), opts));
    }
    return { metadata: u.metadata, header: toInfo(f.header, f.size), bytes };
  }));
}

/** The first `maxBytes` of the plaintext (preview), from verified chunks only; `truncated` if there is more. */
export async function openToBuffer(source: EnvelopeSource, opts: OpenOptions & { maxBytes: number }): Promise<{ metadata: ItemMetadata; header: HeaderInfo; data: Buffer; truncated: boolean }> {
  if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes < 0) throw badRequest('max-bytes', 'maxBytes must be a non-negative integer');
  return withHeader(source, (f) => unlock(f.header, opts, async (u) => {
    const parts: Buffer[] = [];
    const sink: ByteSink = { write: async (ps) => void parts.push(...ps) };
    const r = await openTo(f, u, sink, opts, opts.maxBytes);
    const total = plaintextLength(f.size - f.header.length, f.header.chunkLog2) ?? 0;
    return { metadata: u.metadata, header: toInfo(f.header, f.size), data: Buffer.concat(parts, r.bytes), truncated: total > r.bytes };
  }));
}

/** Everything readable without a key (SPEC §4). */
export async function inspectFile(source: EnvelopeSource): Promise<HeaderInfo> {
  return withHeader(source, async (f) => toInfo(f.header, f.size));
}

/** Authenticate the whole file (header, metadata, every chunk); writes nothing. */
export async function verifyFile(source: EnvelopeSource, opts: OpenOptions): Promise<{ metadata: ItemMetadata; bytes: number }> {
  return withHeader(source, (f) => unlock(f.header, opts, async (u) => {
    const { bytes } = await openTo(f, u, NULL_SINK, opts);
    return { metadata: u.metadata, bytes };
  }));
}

/** Unwrap and read the metadata only; the payload is not read. */
export async function readMetadata(source: EnvelopeSource, opts: OpenOptions): Promise<{ metadata: ItemMetadata; header: HeaderInfo }> {
  return withHeader(source, (f) => unlock(f.header, opts, async (u) => ({ metadata: u.metadata, header: toInfo(f.header, f.size) })));
}

/**
 * Where a rewritten header goes: `head` replaces the bytes before `keepFrom` (the old header's
 * length) of the version the reader opened, atomically (a vault store's rewriteHead).
 */
export type PlaceHeader = (head: Buffer, keepFrom: number) => Promise<void>;

/**
 * Replace the header of `source` atomically without touching the payload ciphertext (SPEC §4, §5):
 * new metadata (unwraps DK: new meta nonce, new MAC; the size stays the sealed one) and/or new
 * stanzas (no unwrap needed when the metadata is unchanged; the caller must make stanzas that wrap
 * this file's DK under this context, e.g. with Keyring.rewrap, or the file will not open).
 * A loose file (a path) is rewritten here (a new file renamed over it); a reader's new header goes
 * to `place`, which its owner gives.
 */
export async function rewriteHeader(
  source: EnvelopeSource, change: { metadata?: ItemMetadata; stanzas?: Stanza[] }, opts: OpenOptions, place?: PlaceHeader,
): Promise<HeaderInfo> {
  if (!change.metadata && !change.stanzas) throw badRequest('invalid-argument', 'nothing to change');
  return withHeader(source, async (f) => {
    const h = f.header;
    let prefix: Buffer;
    let mac: Buffer;
    if (change.metadata) {
      const m = change.metadata;
      checkMetadata(m);
      ({ prefix, mac } = await unlock(h, opts, async (u) => {
        const meta = sealMetadata(u.keys.metadata, { ...m, size: u.metadata.size });
        const p = encodeHeaderPrefix({ chunkLog2: h.chunkLog2, salt: h.salt, context: h.context, commitment: h.commitment, meta });
        return { prefix: p, mac: headerMac(u.keys.header, p) };
      }));
    } else {
      if (opts.expectContext) checkContext(h.context, opts.expectContext);
      prefix = h.authenticated;
      mac = h.mac;
    }
    const bytes = encodeHeader(prefix, mac, change.stanzas ?? h.stanzas);
    const payload = f.size - h.length;
    if (place) await place(bytes, h.length);
    else if (typeof source === 'string') await replaceHead(source, f.src, bytes, h.length, f.size, { signal: opts.signal });
    else throw new CachetError('internal', 'rewriteHeader of a reader needs a place for the header');
    const stanzas = change.stanzas ?? h.stanzas;
    return toInfo({ version: h.version, chunkLog2: h.chunkLog2, context: h.context, stanzas, length: bytes.length }, bytes.length + payload);
  });
}
