// Canonical encoding of the encryption context (SPEC §3). Pure bytes in and out: used by the header
// codec (§4) and by the local key provider, whose wrapping binds the same bytes (§7). It does not
// decide which pairs a context holds; the vault and the CLI do.

import { badRequest, CachetError } from '../errors.js';
import type { EncryptionContext } from '../keys/provider.js';

export const MAX_CONTEXT_PAIRS = 16;
const MAX_PART = 255;

function checkPart(s: string, what: string, fail: (msg: string) => never): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length < 1 || b.length > MAX_PART) fail(`context ${what} must be 1..255 bytes`);
  for (const c of b) if (c < 0x21 || c > 0x7e) fail(`context ${what} must be printable ASCII`);
  return b;
}

/** The canonical bytes of a context (SPEC §3): pairs sorted by key bytes. Invalid -> [bad-request]. */
export function encodeContext(context: EncryptionContext): Buffer {
  const fail = (msg: string): never => {
    throw badRequest('header-limit', msg);
  };
  const pairs = Object.entries(context).map(([k, v]) => {
    if (typeof v !== 'string') fail('context values must be strings');
    return [checkPart(k, 'key', fail), checkPart(v, 'value', fail)] as const;
  });
  if (pairs.length > MAX_CONTEXT_PAIRS) fail(`a context holds at most ${MAX_CONTEXT_PAIRS} pairs`);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [Buffer.of(pairs.length)];
  for (const [k, v] of pairs) parts.push(Buffer.of(k.length), k, Buffer.of(v.length), v);
  return Buffer.concat(parts);
}

/**
 * Decode a context at `offset` of `bytes`. Refuses unsorted, duplicate, empty, over-long or
 * non-printable entries and a context that runs past the end [header-corrupt] (SPEC §3).
 */
export function decodeContext(bytes: Uint8Array, offset: number): { context: Record<string, string>; end: number } {
  const fail = (msg: string, reason = 'invalid'): never => {
    throw new CachetError('header-corrupt', `header: ${msg}`, { part: 'context', reason });
  };
  const short = (): never => fail('the file ends inside the encryption context', 'short');
  let p = offset;
  if (p >= bytes.length) short();
  const count = bytes[p++]!;
  if (count > MAX_CONTEXT_PAIRS) fail('too many context pairs');
  const context: Record<string, string> = Object.create(null) as Record<string, string>;
  let prev: Buffer | undefined;
  const part = (what: string): Buffer => {
    if (p >= bytes.length) short();
    const len = bytes[p++]!;
    if (len < 1) fail(`empty context ${what}`);
    if (p + len > bytes.length) short();
    const b = Buffer.from(bytes.buffer, bytes.byteOffset + p, len);
    for (const c of b) if (c < 0x21 || c > 0x7e) fail(`context ${what} is not printable ASCII`);
    p += len;
    return b;
  };
  for (let i = 0; i < count; i++) {
    const k = part('key');
    const v = part('value');
    if (prev && Buffer.compare(prev, k) >= 0) fail('context keys are unsorted or repeated');
    prev = k;
    context[k.toString('latin1')] = v.toString('latin1');
  }
  // A plain object for callers (JSON, spreading); the null-prototype map only guarded decoding.
  return { context: { ...context }, end: p };
}

/**
 * The first key of `expected` whose value `found` does not hold (undefined values are not
 * checked), or undefined when every pair matches. Extra pairs in `found` are allowed (SPEC §3).
 */
export function contextMismatch(found: Readonly<Record<string, string>>, expected: Readonly<Partial<Record<string, string>>>): string | undefined {
  for (const [k, v] of Object.entries(expected)) {
    if (v !== undefined && found[k] !== v) return k;
  }
  return undefined;
}

/**
 * Refuse [context-mismatch] a header whose context differs from `expected` on any pair: the one
 * check of "this file is the one its name says" (SPEC §9: an item file copied over another's
 * name). `detail` is added to the error (the item id, for instance).
 */
export function checkContext(found: Readonly<Record<string, string>>, expected: Readonly<Partial<Record<string, string>>>, detail: Record<string, string> = {}): void {
  const k = contextMismatch(found, expected);
  if (k === undefined) return;
  throw new CachetError('context-mismatch', `the file's context ${k} is not the expected one`, { ...detail, key: k, expected: expected[k] ?? '', found: found[k] ?? '' });
}
