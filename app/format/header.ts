// The envelope header codec and key schedule (SPEC §2, §4, §5, §7): pure bytes in and out.
// It parses and builds header bytes, derives the per-envelope keys, computes the header MAC and
// seals/opens the metadata. It does not unwrap data keys (the Keyring does), read files, or touch
// the payload (app/stream/stream.ts).

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest, CachetError } from '../errors.js';
import type { EncryptionContext, Stanza } from '../keys/provider.js';
import { checkDataKey, DATA_KEY_BYTES, wipe } from '../keys/provider.js';
import { decodeContext, encodeContext, MAX_CONTEXT_PAIRS } from './context.js';
import { MAX_KEY_ID_BYTES, MAX_STANZAS } from './limits.js';

/** What the encrypted metadata holds (SPEC §5). */
export interface ItemMetadata { path: string; size: number | null; mtime: number | null; type?: string }

export const MAGIC = Buffer.from('CACHET', 'latin1');

/** The file starts like an envelope (SPEC §4 reader step 1): what the OS integrations sniff. */
export function hasMagic(start: Uint8Array): boolean {
  return start.length >= MAGIC.length && MAGIC.equals(start.subarray(0, MAGIC.length));
}
export const VERSION = 1;
export const MIN_CHUNK_LOG2 = 10;
export const MAX_CHUNK_LOG2 = 22;
export const DEFAULT_CHUNK_LOG2 = 16;
export const SALT_LENGTH = 32;
export const KEY_LENGTH = 32;
export const MAC_LENGTH = 32;
export const COMMITMENT_LENGTH = 32;
const GCM_NONCE = 12;
const GCM_TAG = 16;
/** meta = nonce || ciphertext || tag: anything shorter than an empty JSON's envelope cannot be valid. */
const MIN_META = GCM_NONCE + GCM_TAG;
export const MAX_META_LENGTH = 65536;
export { MAX_STANZAS };
const MAX_TYPE = 32;
const MAX_BLOB = 8192;

/** The longest header SPEC §4 allows; a reader never holds more than this for a header. */
export const MAX_HEADER_LENGTH =
  8 + SALT_LENGTH + 1 + MAX_CONTEXT_PAIRS * 2 * 256 + COMMITMENT_LENGTH + 4 + MAX_META_LENGTH + MAC_LENGTH +
  1 + MAX_STANZAS * (1 + MAX_TYPE + 2 + MAX_KEY_ID_BYTES + 2 + MAX_BLOB);

const INFO = {
  content: 'cachet/v1/content',
  metadata: 'cachet/v1/metadata',
  header: 'cachet/v1/header',
  commitment: 'cachet/v1/commitment',
} as const;
const META_AAD = Buffer.from('cachet/v1/meta', 'latin1');

/** A parsed header (SPEC §4). `authenticated` is the MAC'd prefix (offset 0 to the end of meta). */
export interface DecodedHeader {
  version: number;
  chunkLog2: number;
  salt: Buffer;
  context: Record<string, string>;
  commitment: Buffer;
  meta: Buffer;
  mac: Buffer;
  stanzas: Stanza[];
  authenticated: Buffer;
  /** Header bytes in all; the payload starts here. */
  length: number;
}

// ---------------------------------------------------------------------------------------------
// Key schedule (SPEC §2)

export interface DerivedKeys {
  content: Buffer;
  metadata: Buffer;
  header: Buffer;
  commitment: Buffer;
}

function hkdf(dk: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', dk, salt, info, KEY_LENGTH));
}

/** C = HKDF(DK, salt, "cachet/v1/commitment") (SPEC §2, §4). */
export function deriveCommitment(dk: Uint8Array, salt: Uint8Array): Buffer {
  checkDataKey(dk);
  return hkdf(dk, salt, INFO.commitment);
}

/** Constant-time check that `dk` is this envelope's key (SPEC §4 step 3). */
export function checkCommitment(dk: Uint8Array, salt: Uint8Array, commitment: Uint8Array): boolean {
  if (dk.length !== DATA_KEY_BYTES || commitment.length !== COMMITMENT_LENGTH) return false;
  const c = deriveCommitment(dk, salt);
  try {
    return timingSafeEqual(c, commitment);
  } finally {
    wipe(c);
  }
}

/** All four derived keys (SPEC §2). The caller wipes them; prefer `withDerivedKeys`. */
export function deriveKeys(dk: Uint8Array, salt: Uint8Array): DerivedKeys {
  checkDataKey(dk);
  if (salt.length !== SALT_LENGTH) throw new CachetError('internal', 'a salt must be 32 bytes');
  return {
    content: hkdf(dk, salt, INFO.content),
    metadata: hkdf(dk, salt, INFO.metadata),
    header: hkdf(dk, salt, INFO.header),
    commitment: hkdf(dk, salt, INFO.commitment),
  };
}

/** Run `fn` with the derived keys, zeroing every one of them afterwards, on success and error. */
export async function withDerivedKeys<T>(dk: Uint8Array, salt: Uint8Array, fn: (keys: DerivedKeys) => Promise<T> | T): Promise<T> {
  const keys = deriveKeys(dk, salt);
  try {
    return await fn(keys);
  } finally {
    wipe(keys.content);
    wipe(keys.metadata);
    wipe(keys.header);
    wipe(keys.commitment);
  }
}

// ---------------------------------------------------------------------------------------------
// Metadata (SPEC §5)

/** Precondition: metadata a writer may store. Invalid -> [bad-request]. */
export function checkMetadata(m: ItemMetadata): void {
  const bad = (msg: string): never => {
    throw badRequest('header-limit', `metadata: ${msg}`);
  };
  if (typeof m.path !== 'string' || m.path.length === 0 || m.path.includes('\0')) bad('path must be a non-empty string');
  if (m.size !== null && !(Number.isSafeInteger(m.size) && m.size >= 0)) bad('size must be a non-negative integer or null');
  if (m.mtime !== null && !Number.isFinite(m.mtime)) bad('mtime must be a number or null');
  if (m.type !== undefined && typeof m.type !== 'string') bad('type must be a string');
}

/** meta = nonce(12) || AES-GCM(MK, nonce, json, "cachet/v1/meta") (SPEC §5). */
export function sealMetadata(mk: Uint8Array, metadata: ItemMetadata): Buffer {
  checkMetadata(metadata);
  const json: ItemMetadata = { path: metadata.path, size: metadata.size, mtime: metadata.mtime };
  if (metadata.type !== undefined) json.type = metadata.type;
  const plain = Buffer.from(JSON.stringify(json), 'utf8');
  const nonce = randomBytes(GCM_NONCE);
  const c = createCipheriv('aes-256-gcm', mk, nonce);
  c.setAAD(META_AAD);
  const out = Buffer.concat([nonce, c.update(plain), c.final(), c.getAuthTag()]);
  if (out.length > MAX_META_LENGTH) throw badRequest('header-limit', 'metadata too long (is the path over 64 KiB?)');
  return out;
}

/** Open and check the metadata; a failed tag or a malformed object is [header-corrupt] (SPEC §5). */
export function openMetadata(mk: Uint8Array, meta: Uint8Array): ItemMetadata {
  const corrupt = (why: string, cause?: unknown): never => {
    throw new CachetError('header-corrupt', `header: ${why}`, { part: 'meta' }, { cause });
  };
  if (meta.length < MIN_META) corrupt('metadata too short');
  const d = createDecipheriv('aes-256-gcm', mk, meta.subarray(0, GCM_NONCE));
  d.setAAD(META_AAD);
  d.setAuthTag(meta.subarray(meta.length - GCM_TAG));
  let plain: Buffer;
  try {
    plain = Buffer.concat([d.update(meta.subarray(GCM_NONCE, meta.length - GCM_TAG)), d.final()]);
  } catch (e) {
    return corrupt('metadata does not authenticate', e);
  }
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch (e) {
    return corrupt('metadata is not JSON', e);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return corrupt('metadata is not an object');
  const r = o as Record<string, unknown>;
  const size = r['size'] ?? null;
  const mtime = r['mtime'] ?? null;
  if (typeof r['path'] !== 'string' || r['path'] === '') corrupt('metadata has no path');
  if (size !== null && !(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0)) corrupt('metadata size is invalid');
  if (mtime !== null && !(typeof mtime === 'number' && Number.isFinite(mtime))) corrupt('metadata mtime is invalid');
  const out: ItemMetadata = { path: r['path'] as string, size: size as number | null, mtime: mtime as number | null };
  if (typeof r['type'] === 'string') out.type = r['type'];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Header bytes (SPEC §4, §7)

/** mac = HMAC(HK, authenticated prefix) (SPEC §4). */
export function headerMac(hk: Uint8Array, authenticated: Uint8Array): Buffer {
  return createHmac('sha256', hk).update(authenticated).digest();
}

export function checkHeaderMac(hk: Uint8Array, header: DecodedHeader): boolean {
  return timingSafeEqual(headerMac(hk, header.authenticated), header.mac);
}

export function checkChunkLog2(chunkLog2: number): void {
  if (!Number.isInteger(chunkLog2) || chunkLog2 < MIN_CHUNK_LOG2 || chunkLog2 > MAX_CHUNK_LOG2) {
    throw badRequest('header-limit', `chunk_log2 must be ${MIN_CHUNK_LOG2}..${MAX_CHUNK_LOG2}`);
  }
}

/** The MAC'd prefix of a header: magic .. meta (SPEC §4). */
export function encodeHeaderPrefix(f: { chunkLog2: number; salt: Uint8Array; context: EncryptionContext; commitment: Uint8Array; meta: Uint8Array }): Buffer {
  checkChunkLog2(f.chunkLog2);
  if (f.salt.length !== SALT_LENGTH || f.commitment.length !== COMMITMENT_LENGTH) throw new CachetError('internal', 'bad salt or commitment length');
  if (f.meta.length < MIN_META || f.meta.length > MAX_META_LENGTH) throw badRequest('header-limit', 'metadata too long');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(f.meta.length);
  return Buffer.concat([MAGIC, Buffer.of(VERSION, f.chunkLog2), f.salt, encodeContext(f.context), f.commitment, len, f.meta]);
}

/** n_stanzas || stanzas (SPEC §7). Out-of-range counts or lengths -> [bad-request]. */
export function encodeStanzas(stanzas: readonly Stanza[]): Buffer {
  if (stanzas.length < 1 || stanzas.length > MAX_STANZAS) throw badRequest('header-limit', `an envelope holds 1..${MAX_STANZAS} wrapped keys`);
  const parts: Buffer[] = [Buffer.of(stanzas.length)];
  for (const s of stanzas) {
    const t = Buffer.from(s.type, 'utf8');
    const k = Buffer.from(s.keyId, 'utf8');
    if (t.length < 1 || t.length > MAX_TYPE) throw badRequest('header-limit', 'stanza type must be 1..32 bytes');
    if (k.length < 1 || k.length > MAX_KEY_ID_BYTES) throw badRequest('header-limit', `stanza key id must be 1..${MAX_KEY_ID_BYTES} bytes`);
    if (s.blob.length < 1 || s.blob.length > MAX_BLOB) throw badRequest('header-limit', 'stanza blob must be 1..8192 bytes');
    const kl = Buffer.alloc(2);
    kl.writeUInt16BE(k.length);
    const bl = Buffer.alloc(2);
    bl.writeUInt16BE(s.blob.length);
    parts.push(Buffer.of(t.length), t, kl, k, bl, Buffer.from(s.blob));
  }
  return Buffer.concat(parts);
}

/** A whole header: prefix || mac || stanzas (SPEC §4). */
export function encodeHeader(prefix: Uint8Array, mac: Uint8Array, stanzas: readonly Stanza[]): Buffer {
  if (mac.length !== MAC_LENGTH) throw new CachetError('internal', 'bad mac length');
  return Buffer.concat([prefix, mac, encodeStanzas(stanzas)]);
}

/** Thrown (as header-corrupt) when the bytes end inside the header; a file reader may read more. */
export const SHORT_HEADER = 'short';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parse a header from the start of `bytes` (which may run on into the payload). Every count and
 * length is checked against SPEC §4/§7 bounds and the bytes present before anything is sliced.
 * Refuses: no magic [not-envelope], another version [unsupported-version], anything else
 * [header-corrupt] (detail.reason = 'short' when the bytes end inside the header).
 */
export function decodeHeader(bytes: Uint8Array): DecodedHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const corrupt = (why: string, reason = 'invalid'): never => {
    throw new CachetError('header-corrupt', `header: ${why}`, { reason });
  };
  const need = (p: number, n: number): void => {
    if (p + n > buf.length) corrupt('the file ends inside the header', SHORT_HEADER);
  };
  // SPEC §4 reader step 1.
  if (!hasMagic(buf)) {
    throw new CachetError('not-envelope', 'not a Cachet envelope (no CACHET magic)');
  }
  need(6, 2);
  const version = buf[6]!;
  if (version !== VERSION) throw new CachetError('unsupported-version', `envelope version ${version} is not supported (this reader knows version ${VERSION})`, { version });
  const chunkLog2 = buf[7]!;
  if (chunkLog2 < MIN_CHUNK_LOG2 || chunkLog2 > MAX_CHUNK_LOG2) corrupt(`chunk_log2 ${chunkLog2} out of range`);
  let p = 8;
  need(p, SALT_LENGTH);
  const salt = Buffer.from(buf.subarray(p, p + SALT_LENGTH));
  p += SALT_LENGTH;
  const ctx = decodeContext(buf, p);
  p = ctx.end;
  need(p, COMMITMENT_LENGTH + 4);
  const commitment = Buffer.from(buf.subarray(p, p + COMMITMENT_LENGTH));
  p += COMMITMENT_LENGTH;
  const metaLen = buf.readUInt32BE(p);
  p += 4;
  // SPEC §4 reader step 2: bound before allocating.
  if (metaLen < MIN_META || metaLen > MAX_META_LENGTH) corrupt(`meta_len ${metaLen} out of range`);
  need(p, metaLen);
  const meta = Buffer.from(buf.subarray(p, p + metaLen));
  p += metaLen;
  const authenticated = Buffer.from(buf.subarray(0, p));
  need(p, MAC_LENGTH + 1);
  const mac = Buffer.from(buf.subarray(p, p + MAC_LENGTH));
  p += MAC_LENGTH;
  const n = buf[p++]!;
  if (n < 1 || n > MAX_STANZAS) corrupt(`n_stanzas ${n} out of range`);
  const stanzas: Stanza[] = [];
  for (let i = 0; i < n; i++) {
    need(p, 1);
    const tl = buf[p++]!;
    if (tl < 1 || tl > MAX_TYPE) corrupt('stanza type length out of range');
    need(p, tl + 2);
    const type = text(buf.subarray(p, p + tl), corrupt);
    p += tl;
    const kl = buf.readUInt16BE(p);
    p += 2;
    if (kl < 1 || kl > MAX_KEY_ID_BYTES) corrupt('stanza key id length out of range');
    need(p, kl + 2);
    const keyId = text(buf.subarray(p, p + kl), corrupt);
    p += kl;
    const bl = buf.readUInt16BE(p);
    p += 2;
    if (bl < 1 || bl > MAX_BLOB) corrupt('stanza blob length out of range');
    need(p, bl);
    stanzas.push({ type, keyId, blob: new Uint8Array(buf.subarray(p, p + bl)) });
    p += bl;
  }
  return { version, chunkLog2, salt, context: ctx.context, commitment, meta, mac, stanzas, authenticated, length: p };
}

function text(b: Uint8Array, corrupt: (why: string) => never): string {
  try {
    return utf8.decode(b);
  } catch {
    return corrupt('stanza text is not UTF-8');
  }
}
