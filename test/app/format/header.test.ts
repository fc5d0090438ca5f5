// Header codec and key schedule tests (SPEC §2-§5, §7): canonical context, bounds refused before
// allocation, every truncation point, MAC and metadata, and that derived keys are wiped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { decodeContext, encodeContext } from '../../../app/format/context.js';
import {
  checkCommitment, checkHeaderMac, decodeHeader, deriveKeys, encodeHeader, encodeHeaderPrefix, encodeStanzas, headerMac,
  MAX_HEADER_LENGTH, openMetadata, sealMetadata, withDerivedKeys, type DerivedKeys,
} from '../../../app/format/header.js';
import { CachetError, type ErrorCode } from '../../../app/errors.js';

function code(fn: () => unknown): ErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    assert.ok(e instanceof CachetError, String(e));
    return e.code;
  }
}

describe('encryption context (SPEC §3)', () => {
  it('encodes canonically: sorted by key bytes, length-prefixed', () => {
    const a = encodeContext({ 'cachet:vault': 'v1', 'cachet:item': 'i1' });
    const b = encodeContext({ 'cachet:item': 'i1', 'cachet:vault': 'v1' });
    assert.ok(a.equals(b));
    assert.equal(a.toString('latin1'), '\x02\x0bcachet:item\x02i1\x0ccachet:vault\x02v1');
    assert.deepEqual(decodeContext(a, 0), { context: { 'cachet:item': 'i1', 'cachet:vault': 'v1' }, end: a.length });
    assert.ok(encodeContext({}).equals(Buffer.of(0)));
  });
  it('refuses invalid contexts when writing [bad-request]', () => {
    assert.equal(code(() => encodeContext({ 'a b': 'x' })), 'bad-request');
    assert.equal(code(() => encodeContext({ a: '' })), 'bad-request');
    assert.equal(code(() => encodeContext({ a: 'é' })), 'bad-request');
    assert.equal(code(() => encodeContext({ a: 'x'.repeat(256) })), 'bad-request');
    assert.equal(code(() => encodeContext(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])))), 'bad-request');
  });
  it('refuses unsorted, duplicate, empty, non-printable or cut-off entries when reading [header-corrupt]', () => {
    const dec = (hex: string): ErrorCode | 'none' => code(() => decodeContext(Buffer.from(hex, 'hex'), 0));
    assert.equal(dec('02 0162 0178 0161 0178'.replace(/ /g, '')), 'header-corrupt'); // b, a
    assert.equal(dec('02 0161 0178 0161 0179'.replace(/ /g, '')), 'header-corrupt'); // a, a
    assert.equal(dec('01 00 0178'.replace(/ /g, '')), 'header-corrupt');
    assert.equal(dec('01 0120 0178'.replace(/ /g, '')), 'header-corrupt'); // space
    assert.equal(dec('01 0161 05787878'.replace(/ /g, '')), 'header-corrupt');
    assert.equal(dec('11'), 'header-corrupt'); // 17 pairs
    assert.equal(dec('01 0161 0178'.replace(/ /g, '')), 'none');
  });
});

function sampleHeader(o: { stanzas?: number } = {}): { bytes: Buffer; dk: Buffer; keys: DerivedKeys } {
  const dk = randomBytes(32);
  const salt = randomBytes(32);
  const keys = deriveKeys(dk, salt);
  const meta = sealMetadata(keys.metadata, { path: 'a/b.txt', size: 10, mtime: 1, type: 'text/plain' });
  const prefix = encodeHeaderPrefix({ chunkLog2: 16, salt, context: { 'cachet:item': 'i' }, commitment: keys.commitment, meta });
  const stanzas = Array.from({ length: o.stanzas ?? 2 }, (_, i) => ({ type: i ? 'aws-kms' : 'local', keyId: `key-${i}`, blob: randomBytes(40 + i) }));
  return { bytes: encodeHeader(prefix, headerMac(keys.header, prefix), stanzas), dk, keys };
}

describe('header (SPEC §4)', () => {
  it('round-trips and authenticates', () => {
    const { bytes, dk, keys } = sampleHeader();
    const h = decodeHeader(Buffer.concat([bytes, Buffer.from('payload')]));
    assert.equal(h.length, bytes.length);
    assert.equal(h.chunkLog2, 16);
    assert.deepEqual(h.context, { 'cachet:item': 'i' });
    assert.deepEqual(h.stanzas.map((s) => [s.type, s.keyId, s.blob.length]), [['local', 'key-0', 40], ['aws-kms', 'key-1', 41]]);
    assert.ok(checkCommitment(dk, h.salt, h.commitment));
    assert.ok(!checkCommitment(randomBytes(32), h.salt, h.commitment));
    assert.ok(checkHeaderMac(keys.header, h));
    assert.ok(h.mac.equals(createHmac('sha256', keys.header).update(bytes.subarray(0, h.authenticated.length)).digest()));
    assert.deepEqual(openMetadata(keys.metadata, h.meta), { path: 'a/b.txt', size: 10, mtime: 1, type: 'text/plain' });
  });
  it('derives keys with HKDF-SHA-256 and the SPEC §2 labels', () => {
    const dk = randomBytes(32);
    const salt = randomBytes(32);
    const k = deriveKeys(dk, salt);
    for (const [name, info] of [['content', 'cachet/v1/content'], ['metadata', 'cachet/v1/metadata'], ['header', 'cachet/v1/header'], ['commitment', 'cachet/v1/commitment']] as const) {
      assert.ok(k[name].equals(Buffer.from(hkdfSync('sha256', dk, salt, info, 32))), name);
    }
  });
  it('every cut inside the header is refused (not-envelope before the magic, then header-corrupt)', () => {
    const { bytes } = sampleHeader();
    for (let at = 0; at < bytes.length; at++) {
      const c = code(() => decodeHeader(bytes.subarray(0, at)));
      assert.equal(c, at < 6 ? 'not-envelope' : 'header-corrupt', `cut at ${at}`);
    }
  });
  it('refuses out-of-range counts and lengths before allocating', () => {
    const { bytes } = sampleHeader({ stanzas: 1 });
    const h = decodeHeader(bytes);
    const metaLenAt = h.authenticated.length - h.meta.length - 4;
    const nAt = h.authenticated.length + 32;
    const with_ = (f: (b: Buffer) => void): ErrorCode | 'none' => {
      const b = Buffer.from(bytes);
      f(b);
      return code(() => decodeHeader(b));
    };
    assert.equal(with_((b) => b.write('CACHEX', 0, 'latin1')), 'not-envelope');
    assert.equal(with_((b) => (b[6] = 0)), 'unsupported-version');
    assert.equal(with_((b) => (b[6] = 0xff)), 'unsupported-version');
    assert.equal(with_((b) => (b[7] = 9)), 'header-corrupt');
    assert.equal(with_((b) => (b[7] = 23)), 'header-corrupt');
    assert.equal(with_((b) => b.writeUInt32BE(0xffffffff, metaLenAt)), 'header-corrupt');
    assert.equal(with_((b) => b.writeUInt32BE(0, metaLenAt)), 'header-corrupt');
    assert.equal(with_((b) => (b[nAt] = 0)), 'header-corrupt');
    assert.equal(with_((b) => (b[nAt] = 17)), 'header-corrupt');
    assert.equal(with_((b) => (b[nAt + 1] = 0)), 'header-corrupt'); // type_len 0
    assert.equal(with_((b) => (b[nAt + 1] = 33)), 'header-corrupt');
    assert.equal(with_((b) => b.writeUInt16BE(2049, nAt + 2 + 5)), 'header-corrupt'); // key_id_len
    assert.equal(with_((b) => b.writeUInt16BE(0, nAt + 2 + 5 + 2 + 5)), 'header-corrupt'); // blob_len
    assert.equal(with_((b) => b.writeUInt16BE(8193, nAt + 2 + 5 + 2 + 5)), 'header-corrupt');
    assert.equal(with_((b) => (b[nAt + 2] = 0xff)), 'header-corrupt'); // type not UTF-8
  });
  it('MAX_HEADER_LENGTH covers the largest header the bounds allow', () => {
    const big = encodeStanzas(Array.from({ length: 16 }, () => ({ type: 'x'.repeat(32), keyId: 'k'.repeat(2048), blob: Buffer.alloc(8192) })));
    const ctx = encodeContext(Object.fromEntries(Array.from({ length: 16 }, (_, i) => [String(i).padStart(255, 'k'), 'v'.repeat(255)])));
    assert.equal(8 + 32 + ctx.length + 32 + 4 + 65536 + 32 + big.length, MAX_HEADER_LENGTH);
  });
  it('writers refuse out-of-range stanzas [bad-request]', () => {
    assert.equal(code(() => encodeStanzas([])), 'bad-request');
    assert.equal(code(() => encodeStanzas(Array.from({ length: 17 }, () => ({ type: 'local', keyId: 'k', blob: Buffer.alloc(1) })))), 'bad-request');
    assert.equal(code(() => encodeStanzas([{ type: 'local', keyId: 'k', blob: Buffer.alloc(8193) }])), 'bad-request');
    assert.equal(code(() => encodeStanzas([{ type: '', keyId: 'k', blob: Buffer.alloc(1) }])), 'bad-request');
  });
});

describe('metadata (SPEC §5)', () => {
  it('fails closed on a changed byte, another key, or a malformed object [header-corrupt]', () => {
    const mk = randomBytes(32);
    const meta = sealMetadata(mk, { path: 'x', size: null, mtime: null });
    assert.deepEqual(openMetadata(mk, meta), { path: 'x', size: null, mtime: null });
    const bad = Buffer.from(meta);
    bad[15]! ^= 1;
    assert.equal(code(() => openMetadata(mk, bad)), 'header-corrupt');
    assert.equal(code(() => openMetadata(randomBytes(32), meta)), 'header-corrupt');
    assert.equal(code(() => openMetadata(mk, meta.subarray(0, 20))), 'header-corrupt');
    assert.equal(code(() => sealMetadata(mk, { path: '', size: null, mtime: null })), 'bad-request');
    assert.equal(code(() => sealMetadata(mk, { path: 'x', size: -1, mtime: null })), 'bad-request');
    assert.equal(code(() => sealMetadata(mk, { path: 'x'.repeat(70_000), size: null, mtime: null })), 'bad-request');
    // Unknown fields are ignored (SPEC §5); a missing path is refused.
    const sealJson = (o: unknown): Buffer => {
      const nonce = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', mk, nonce).setAAD(Buffer.from('cachet/v1/meta'));
      return Buffer.concat([nonce, c.update(JSON.stringify(o)), c.final(), c.getAuthTag()]);
    };
    assert.deepEqual(openMetadata(mk, sealJson({ path: 'y', size: 3, mtime: 4, future: { x: 1 } })), { path: 'y', size: 3, mtime: 4 });
    assert.equal(code(() => openMetadata(mk, sealJson({ size: 3, mtime: 4 }))), 'header-corrupt');
    assert.equal(code(() => openMetadata(mk, sealJson([1, 2]))), 'header-corrupt');
    assert.equal(code(() => openMetadata(mk, sealJson({ path: 'y', size: -1, mtime: 4 }))), 'header-corrupt');
  });
});

describe('withDerivedKeys', () => {
  const zero = (k: DerivedKeys): boolean => [k.content, k.metadata, k.header, k.commitment].every((b) => b.length === 32 && b.every((x) => x === 0));
  it('zeroes every derived key after success', async () => {
    let seen: DerivedKeys | undefined;
    const r = await withDerivedKeys(randomBytes(32), randomBytes(32), (k) => {
      seen = k;
      assert.ok(!zero(k));
      return 42;
    });
    assert.equal(r, 42);
    assert.ok(seen && zero(seen));
  });
  it('zeroes every derived key after an error', async () => {
    let seen: DerivedKeys | undefined;
    await assert.rejects(withDerivedKeys(randomBytes(32), randomBytes(32), async (k) => {
      seen = k;
      throw new Error('boom');
    }), /boom/);
    assert.ok(seen && zero(seen));
  });
});
