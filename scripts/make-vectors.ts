// Generates the envelope test vectors in test/vectors/ (SPEC §4-§7): valid envelopes and one
// damaged copy per failure class, each listed in test/vectors/manifest.json with its `expect`
// (success + plaintext sha256, or the error code) and the `stage` it fails at:
//   header  - the header does not parse: every reader fails, inspectFile too
//   unlock  - unwrap, commitment, MAC or metadata: every keyed reader fails, inspectFile reads it
//   payload - the chunks: readMetadata and inspectFile succeed, the payload readers fail
//   vault   - a valid envelope that a vault refuses as its item `items/<cachet:item>.env` (SPEC §9:
//             the context or the item path): every envelope reader opens it, Vault lists it as
//             unreadable with `expect`. `vaultPath` (ok vectors) is the path a vault lists.
// Sealed with a fixed local master key kept in the manifest (test-only!). Plaintexts are
// deterministic; salts and nonces are fresh each run, so re-running changes the .env bytes.
// Run: node --import tsx scripts/make-vectors.ts
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sealFile } from '../app/envelope.js';
import { decodeHeader, deriveKeys, encodeHeader, encodeHeaderPrefix, headerMac } from '../app/format/header.js';
import { LocalKeyProvider } from '../app/keys/local.js';
import { Keyring, type EncryptionContext } from '../app/keys/provider.js';
import { sealChunk } from '../app/stream/stream.js';

const OUT = 'test/vectors';
const MASTER = createHash('sha256').update('cachet test vectors: local master key').digest();
const local = LocalKeyProvider.fromMasterKey(MASTER);
const keyring = new Keyring([local]);
const CTX = { 'cachet:item': '00112233445566778899aabbccddeeff', 'cachet:vault': 'ffeeddccbbaa99887766554433221100', 'cachet:purpose': 'item' };

interface Vector {
  file: string;
  description: string;
  expect: string;
  stage?: 'header' | 'unlock' | 'payload' | 'vault';
  sha256?: string;
  size?: number;
  path?: string;
  vaultPath?: string;
  expectContext?: Record<string, string>;
}

function plaintext(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, block = 0; i < n; block++) {
    const h = createHash('sha256').update(`${seed}/${block}`).digest();
    i += h.copy(out, i);
  }
  return out;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * `envelope` with its header re-made by hand under its own data key (unwrapped with the test
 * key): `meta` replaces the metadata plaintext (any bytes, so malformed metadata can be made), and
 * `payload(contentKey)`, when given, replaces the payload. The MAC is recomputed, so only the
 * changed part is wrong.
 */
async function remake(envelope: Buffer, o: { meta?: Buffer; payload?: (ck: Buffer) => Buffer }): Promise<Buffer> {
  const h = decodeHeader(envelope);
  const { plaintext } = await keyring.unwrap(h.stanzas, h.context);
  const k = deriveKeys(plaintext, h.salt);
  let meta = h.meta;
  if (o.meta) {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', k.metadata, nonce);
    c.setAAD(Buffer.from('cachet/v1/meta'));
    meta = Buffer.concat([nonce, c.update(o.meta), c.final(), c.getAuthTag()]);
  }
  const prefix = encodeHeaderPrefix({ chunkLog2: h.chunkLog2, salt: h.salt, context: h.context, commitment: h.commitment, meta });
  const payload = o.payload ? o.payload(k.content) : envelope.subarray(h.length);
  return Buffer.concat([encodeHeader(prefix, headerMac(k.header, prefix), h.stanzas), payload]);
}

interface SealVectorOptions { chunkLog2?: number; stream?: boolean; path?: string; context?: EncryptionContext }

async function seal(data: Buffer, o: SealVectorOptions = {}): Promise<Buffer> {
  const tmp = join(OUT, '.gen.tmp');
  const src = join(OUT, '.gen.src');
  await writeFile(src, data);
  await rm(tmp, { force: true });
  await sealFile(o.stream ? Readable.from([data]) : src, tmp, {
    keyring, keys: [{ provider: 'local', keyId: local.keyId }], context: o.context ?? CTX, chunkLog2: o.chunkLog2 ?? 10,
    metadata: { path: o.path ?? 'vectors/plain.bin', size: null, mtime: 1_700_000_000_000, type: 'application/octet-stream' },
  });
  const b = await readFile(tmp);
  await rm(tmp);
  await rm(src);
  return b;
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  for (const f of await readdir(OUT)) if (f.endsWith('.env')) await rm(join(OUT, f));
  const vectors: Vector[] = [];
  const put = async (file: string, bytes: Buffer, v: Omit<Vector, 'file'>): Promise<void> => {
    await writeFile(join(OUT, file), bytes);
    vectors.push({ file, ...v });
  };
  const ok = async (file: string, description: string, data: Buffer, o: SealVectorOptions & { vaultPath?: string } = {}): Promise<Buffer> => {
    const b = await seal(data, o);
    await put(file, b, {
      description, expect: 'success', sha256: sha(data), size: data.length, path: o?.path ?? 'vectors/plain.bin',
      ...(o.vaultPath !== undefined ? { vaultPath: o.vaultPath } : {}),
    });
    return b;
  };

  const S = 1024;
  await ok('ok-empty.env', 'empty plaintext: one empty final chunk', Buffer.alloc(0));
  await ok('ok-one-byte.env', 'one byte', plaintext(1, 'one'));
  await ok('ok-chunk-minus-one.env', 'S-1 bytes', plaintext(S - 1, 'sm1'));
  await ok('ok-one-chunk.env', 'exactly S bytes: a full chunk marked final', plaintext(S, 's'));
  await ok('ok-chunk-plus-one.env', 'S+1 bytes', plaintext(S + 1, 'sp1'));
  await ok('ok-two-chunks-and-some.env', '2S+13 bytes', plaintext(2 * S + 13, '2s'));
  await ok('ok-stream.env', 'sealed from a stream: size null in the metadata', plaintext(3000, 'stream'), { stream: true });
  await ok('ok-chunk-64k.env', 'chunk_log2 16, one partial chunk', plaintext(5000, '64k'), { chunkLog2: 16 });
  await ok('ok-unicode-path.env', 'a non-ASCII path in the metadata', plaintext(10, 'uni'), { path: 'Fotos/Été/crème brûlée.txt' });

  // An unknown stanza type first: readers skip it (SPEC §7).
  {
    const data = plaintext(700, 'future');
    const b = await seal(data);
    const h = decodeHeader(b);
    const future = { type: 'x-future', keyId: 'future-key', blob: Buffer.from('opaque') };
    const nb = Buffer.concat([encodeHeader(h.authenticated, h.mac, [future, ...h.stanzas]), b.subarray(h.length)]);
    await put('ok-unknown-stanza-type.env', nb, { description: 'an unknown stanza type before the local one is skipped', expect: 'success', sha256: sha(data), size: 700, path: 'vectors/plain.bin' });
  }

  const data = plaintext(2 * S + 100, 'base'); // 3 chunks
  const base = await seal(data);
  const h = decodeHeader(base);
  const F = S + 16;
  const P = h.length;
  const ctxLen = h.authenticated.length - 8 - 32 - 32 - 4 - h.meta.length;
  const at = { commitment: 40 + ctxLen, metaLen: 40 + ctxLen + 32, meta: 40 + ctxLen + 36, mac: h.authenticated.length, n: h.authenticated.length + 32 };
  const stanza0 = at.n + 1;
  const keyIdAt = stanza0 + 1 + 5 + 2;
  const bad = async (file: string, expect: string, stage: Vector['stage'], description: string, f: (b: Buffer) => Buffer, extra: Partial<Vector> = {}): Promise<void> => {
    await put(file, f(Buffer.from(base)), { description, expect, stage, ...extra });
  };
  const flip = (i: number, x = 1) => (b: Buffer): Buffer => ((b[i] = b[i]! ^ x), b);

  await put('bad-empty-file.env', Buffer.alloc(0), { description: 'an empty file', expect: 'not-envelope', stage: 'header' });
  await put('bad-magic-prefix.env', base.subarray(0, 4), { description: 'the first 4 bytes of the magic only', expect: 'not-envelope', stage: 'header' });
  await put('bad-magic-only.env', base.subarray(0, 6), { description: 'the magic only: ends inside the header', expect: 'header-corrupt', stage: 'header' });
  await put('bad-version-only.env', Buffer.concat([base.subarray(0, 6), Buffer.of(2)]), { description: 'the magic and version 2, then the end: cut short before the version is judged', expect: 'header-corrupt', stage: 'header' });
  await bad('bad-magic.env', 'not-envelope', 'header', 'magic changed', flip(0));
  await bad('bad-version.env', 'unsupported-version', 'header', 'version 2', (b) => ((b[6] = 2), b));
  await bad('bad-chunk-log2-range.env', 'header-corrupt', 'header', 'chunk_log2 30 (> 22)', (b) => ((b[7] = 30), b));
  await bad('bad-header-cut.env', 'header-corrupt', 'header', 'file ends inside the metadata', (b) => b.subarray(0, at.meta + 10));
  await bad('bad-meta-len-huge.env', 'header-corrupt', 'header', 'meta_len 0xffffffff: refused before allocating', (b) => (b.writeUInt32BE(0xffffffff, at.metaLen), b));
  await bad('bad-stanza-count-zero.env', 'header-corrupt', 'header', 'n_stanzas 0', (b) => ((b[at.n] = 0), b));
  await bad('bad-stanza-blob-len.env', 'header-corrupt', 'header', 'blob_len 0xffff (> 8192)', (b) => (b.writeUInt16BE(0xffff, keyIdAt + h.stanzas[0]!.keyId.length), b));
  await bad('bad-chunk-log2-changed.env', 'header-corrupt', 'unlock', 'chunk_log2 10 -> 11: the MAC fails', (b) => ((b[7] = 11), b));
  await bad('bad-meta-flipped.env', 'header-corrupt', 'unlock', 'a metadata byte changed: the MAC fails', flip(at.meta + 30));
  await bad('bad-mac-flipped.env', 'header-corrupt', 'unlock', 'a MAC byte changed', flip(at.mac + 3));
  await bad('bad-salt-flipped.env', 'wrong-key', 'unlock', 'a salt byte changed: the commitment fails', flip(20));
  await bad('bad-commitment-flipped.env', 'wrong-key', 'unlock', 'a commitment byte changed', flip(at.commitment));
  await bad('bad-context-changed.env', 'wrong-key', 'unlock', 'the item id in the context changed: the local wrap fails', (b) => {
    const i = b.indexOf(Buffer.from(CTX['cachet:item']));
    b[i] = 0x31;
    return b;
  });
  await bad('bad-stanza-key-id.env', 'local-key-missing', 'unlock', 'the stanza key id changed: no such local key', flip(keyIdAt + 12));
  await bad('bad-stanza-blob.env', 'wrong-key', 'unlock', 'a wrapped-key byte changed', flip(P - 5));
  await put('bad-context-expected.env', base, {
    description: 'a valid file opened as another item', expect: 'context-mismatch', stage: 'unlock',
    expectContext: { 'cachet:item': 'deadbeefdeadbeefdeadbeefdeadbeef' },
  });
  await bad('bad-payload-flipped.env', 'tampered', 'payload', 'a byte of chunk 1 changed', flip(P + F + 7));
  await bad('bad-last-chunk-flipped.env', 'tampered', 'payload', 'the last tag changed', (b) => flip(b.length - 1)(b));
  await bad('bad-truncated-boundary.env', 'truncated', 'payload', 'cut after chunk 1', (b) => b.subarray(0, P + 2 * F));
  await bad('bad-truncated-mid-chunk.env', 'truncated', 'payload', 'cut inside chunk 1', (b) => b.subarray(0, P + F + 300));
  await bad('bad-truncated-no-payload.env', 'truncated', 'payload', 'the header alone', (b) => b.subarray(0, P));
  await bad('bad-trailing-data.env', 'trailing-data', 'payload', 'bytes after the final chunk', (b) => Buffer.concat([b, Buffer.from('extra')]));
  await bad('bad-reordered.env', 'reordered', 'payload', 'chunks 0 and 1 swapped', (b) => Buffer.concat([b.subarray(0, P), b.subarray(P + F, P + 2 * F), b.subarray(P, P + F), b.subarray(P + 2 * F)]));
  {
    const donor = await seal(plaintext(2 * S + 100, 'donor'));
    const dh = decodeHeader(donor);
    await bad('bad-spliced.env', 'tampered', 'payload', 'chunk 1 from another envelope of the same key', (b) => (donor.copy(b, P + F, dh.length + F, dh.length + 2 * F), b));
  }
  {
    const sdata = plaintext(3 * S, 'stream-full'); // 3 full chunks, the last marked final
    const s = await seal(sdata, { stream: true });
    const sh = decodeHeader(s);
    await put('bad-stream-trailing.env', Buffer.concat([s, s.subarray(sh.length, sh.length + F)]), { description: 'size unknown; a copy of chunk 0 after the full final chunk', expect: 'trailing-data', stage: 'payload' });
    await put('bad-stream-truncated.env', s.subarray(0, sh.length + 2 * F), { description: 'size unknown; cut after chunk 1', expect: 'truncated', stage: 'payload' });
    await put('bad-stream-cut-mid-chunk.env', s.subarray(0, sh.length + 2 * F + 100), { description: 'size unknown; cut inside the last chunk: indistinguishable from a changed chunk (SPEC §6)', expect: 'tampered', stage: 'payload' });
  }

  // Metadata that authenticates but is not a valid SPEC §5 object: every keyed reader refuses it.
  {
    const m = (json: string): Buffer => Buffer.from(json, 'utf8');
    const badMeta = async (file: string, description: string, meta: Buffer): Promise<void> => {
      await put(file, await remake(base, { meta }), { description, expect: 'header-corrupt', stage: 'unlock' });
    };
    const size = data.length;
    await badMeta('bad-meta-not-json.env', 'metadata plaintext is not JSON', m('path=vectors/plain.bin'));
    await badMeta('bad-meta-not-utf8.env', 'metadata plaintext is not UTF-8', Buffer.concat([m('{"path":"a'), Buffer.of(0xff), m(`","size":${size},"mtime":1}`)]));
    await badMeta('bad-meta-not-object.env', 'metadata is a JSON array, not an object', m(`["vectors/plain.bin",${size},1]`));
    await badMeta('bad-meta-no-path.env', 'metadata without a path', m(`{"size":${size},"mtime":1}`));
    await badMeta('bad-meta-path-empty.env', 'metadata with an empty path', m(`{"path":"","size":${size},"mtime":1}`));
    await badMeta('bad-meta-path-number.env', 'metadata path is a number', m(`{"path":7,"size":${size},"mtime":1}`));
    await badMeta('bad-meta-size-fraction.env', 'metadata size 1.5 (not an integer)', m('{"path":"vectors/plain.bin","size":1.5,"mtime":1}'));
    await badMeta('bad-meta-size-negative.env', 'metadata size -1', m('{"path":"vectors/plain.bin","size":-1,"mtime":1}'));
    await badMeta('bad-meta-size-unsafe.env', 'metadata size 2^53 (not a safe integer)', m('{"path":"vectors/plain.bin","size":9007199254740992,"mtime":1}'));
    await badMeta('bad-meta-size-string.env', 'metadata size is a string', m(`{"path":"vectors/plain.bin","size":"${size}","mtime":1}`));
    await badMeta('bad-meta-mtime-string.env', 'metadata mtime is a string', m(`{"path":"vectors/plain.bin","size":${size},"mtime":"yesterday"}`));
    await badMeta('bad-meta-mtime-huge.env', 'metadata mtime 1e400 (not finite)', m(`{"path":"vectors/plain.bin","size":${size},"mtime":1e400}`));
    const okMeta = async (file: string, description: string, meta: Buffer): Promise<void> => {
      await put(file, await remake(base, { meta }), { description, expect: 'success', sha256: sha(data), size, path: 'vectors/plain.bin' });
    };
    await okMeta('ok-meta-minimal.env', 'metadata with a path only: size and mtime absent mean null', m('{"path":"vectors/plain.bin"}'));
    await okMeta('ok-meta-integral-float.env', 'size written 2.148e3 and unknown fields: a number with an integer value, extra fields ignored', m(`{"path":"vectors/plain.bin","size":${size / 1000}e3,"mtime":1.5,"x-future":{"a":[1]}}`));
  }
  // Stanza text that is not UTF-8 (SPEC §7): the header does not parse.
  await bad('bad-stanza-type-utf8.env', 'header-corrupt', 'header', 'stanza type byte 0xff: not UTF-8', (b) => ((b[stanza0 + 1] = 0xff), b));

  // Size unknown (a stream) and a full chunk followed by an empty final chunk: no writer makes
  // this (SPEC §6), but every reader accepts it.
  {
    const full = plaintext(S, 'empty-final');
    const s = await seal(full, { stream: true });
    const nb = await remake(s, { payload: (ck) => Buffer.concat([sealChunk(ck, 0, false, full), sealChunk(ck, 1, true, Buffer.alloc(0))]) });
    await put('ok-stream-empty-final.env', nb, { description: 'size unknown; a full chunk, then an empty final chunk (no writer makes it; readers accept it)', expect: 'success', sha256: sha(full), size: S, path: 'vectors/plain.bin' });
  }

  // Vault items (SPEC §9): envelopes every envelope reader opens, refused as `items/<id>.env` of
  // the vault CTX names. Item paths (SPEC §5 path rules) ...
  {
    const small = plaintext(100, 'paths');
    const badPath = async (file: string, description: string, path: string): Promise<void> => {
      await put(file, await seal(small, { path }), { description, expect: 'header-corrupt', stage: 'vault', sha256: sha(small), size: small.length, path });
    };
    await badPath('bad-path-backslash.env', 'path with a backslash', 'docs\\notes.txt');
    await badPath('bad-path-control.env', 'path with a C0 control character (BEL)', 'docs/be\u0007ll.txt');
    await badPath('bad-path-c1-control.env', 'path with a C1 control character (CSI, U+009B)', 'docs/\u009b31mred.txt');
    await badPath('bad-path-del.env', 'path with DEL (U+007F)', 'docs/del\u007f.txt');
    await badPath('bad-path-empty-segment.env', 'path with an empty segment', 'docs//notes.txt');
    await badPath('bad-path-trailing-slash.env', 'path ending in /', 'docs/');
    await badPath('bad-path-absolute.env', 'path starting with /', '/etc/passwd');
    await badPath('bad-path-dot-dot.env', 'path with a .. segment', 'docs/../../escape.txt');
    await badPath('bad-path-dot.env', 'path with a . segment', './notes.txt');
    await badPath('bad-path-segment-bytes.env', 'a segment of 128 characters but 256 UTF-8 bytes', `docs/${'é'.repeat(128)}`);
    await badPath('bad-path-total-bytes.env', 'a path of 4097 UTF-8 bytes', `${Array.from({ length: 16 }, () => 'a'.repeat(254)).join('/')}/${'b'.repeat(17)}`);
    await badPath('bad-path-too-deep.env', 'a path of 65 segments', Array.from({ length: 65 }, () => 'd').join('/'));
    await badPath('bad-path-lone-surrogate.env', 'a path with a lone UTF-16 surrogate (JSON \\ud800)', 'docs/\ud800.txt');
    const okPath = async (file: string, description: string, path: string, vaultPath = path): Promise<void> => {
      await ok(file, description, small, { path, vaultPath });
    };
    await okPath('ok-path-limits.env', 'a path at the limits: 64 segments, one of 255 UTF-8 bytes', `${Array.from({ length: 63 }, () => 'd').join('/')}/${'é'.repeat(127)}a`);
    await okPath('ok-path-total-bytes.env', 'a path of exactly 4096 UTF-8 bytes', `${Array.from({ length: 16 }, () => 'a'.repeat(254)).join('/')}/${'b'.repeat(16)}`);
    await okPath('ok-path-nfd.env', 'a path in NFD: a vault reads it as its NFC form', 'Fotos/E\u0301te\u0301.txt', 'Fotos/\u00c9t\u00e9.txt');
    await okPath('ok-path-windows-names.env', 'names Windows cannot create (a:b, CON, a trailing dot) are valid vault paths', 'a:b/CON/notes.');
  }
  // ... and the context: purpose=item, this vault, this item; other pairs are allowed.
  {
    const small = plaintext(100, 'context');
    const badCtx = async (file: string, description: string, context: EncryptionContext): Promise<void> => {
      await put(file, await seal(small, { context }), { description, expect: 'context-mismatch', stage: 'vault', sha256: sha(small), size: small.length, path: 'vectors/plain.bin' });
    };
    const { 'cachet:purpose': _purpose, ...noPurpose } = CTX;
    const { 'cachet:vault': _vault, ...loose } = CTX;
    await badCtx('bad-purpose-index.env', 'cachet:purpose=index in items/', { ...CTX, 'cachet:purpose': 'index' });
    await badCtx('bad-purpose-missing.env', 'no cachet:purpose', noPurpose);
    await badCtx('bad-vault-missing.env', 'a loose envelope (no cachet:vault) in items/', loose);
    await ok('ok-extra-context.env', 'an extra context pair beside the three Cachet writes', small, { context: { ...CTX, 'x-org:dept': 'finance' } });
  }

  const manifest = {
    format: 'cachet-test-vectors',
    version: 1,
    note: 'TEST-ONLY local master key. Regenerate with: node --import tsx scripts/make-vectors.ts',
    localMasterKeyHex: MASTER.toString('hex'),
    localKeyId: local.keyId,
    context: CTX,
    vectors,
  };
  await writeFile(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const total = (await Promise.all(vectors.map(async (v) => (await readFile(join(OUT, v.file))).length))).reduce((a, b) => a + b, 0);
  console.log(`${vectors.length} vectors, ${total} bytes`);
}

await main();
