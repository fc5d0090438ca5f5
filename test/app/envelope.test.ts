// End-to-end envelope tests (SPEC §4-§7): round trips through every reader, every tamper class with
// its exact error code and no output left behind, multi-stanza fallback, header rewrites, key
// wiping, cancellation and atomic output.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile, appendFile, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  inspectFile, openFile, openToBuffer, readMetadata, rewriteHeader, sealFile, sealToWritable, verifyFile,
  type OpenOptions, type SealOptions,
} from '../../app/envelope.js';
import { LocalKeyProvider } from '../../app/keys/local.js';
import { Keyring, type EncryptionContext, type KeyProvider, type Stanza } from '../../app/keys/provider.js';
import { CachetError, type ErrorCode } from '../../app/errors.js';
import { decodeHeader } from '../../app/format/header.js';
import { spyProvider } from '../helpers/key-spy.js';

const ITEM = '0123456789abcdef0123456789abcdef';
const VAULT = 'fedcba9876543210fedcba9876543210';
const CTX = { 'cachet:item': ITEM, 'cachet:vault': VAULT, 'cachet:purpose': 'item' };

let dir: string;
let n = 0;
const local = LocalKeyProvider.fromMasterKey(Buffer.alloc(32, 0x11));
const other = LocalKeyProvider.fromMasterKey(Buffer.alloc(32, 0x22));
const keyring = new Keyring([local]);
const keys = [{ provider: 'local' as const, keyId: local.keyId }];

function fresh(name = 'f'): string {
  return join(dir, `${name}-${++n}`);
}

async function seal(data: Buffer, o: Partial<SealOptions> & { stream?: boolean } = {}): Promise<string> {
  const src = fresh('src');
  await writeFile(src, data);
  const dest = fresh('env');
  const source = o.stream ? Readable.from([data.subarray(0, data.length >> 1), data.subarray(data.length >> 1)]) : src;
  await sealFile(source, dest, { keyring, keys, context: CTX, metadata: { path: 'docs/a.txt', size: null, mtime: 1_700_000_000_000 }, chunkLog2: 10, ...o });
  return dest;
}

async function collect(run: (w: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const w = new PassThrough();
  const parts: Buffer[] = [];
  w.on('data', (b: Buffer) => parts.push(b));
  await run(w);
  return Buffer.concat(parts);
}

async function entries(): Promise<Set<string>> {
  return new Set(await readdir(dir));
}

/** `fn` fails with `code`, and leaves no new file (no output, no temp) in the test folder. */
async function failsCleanly(code: ErrorCode, fn: () => Promise<unknown>): Promise<void> {
  const beforeFiles = await entries();
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof CachetError, `not a CachetError: ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return true;
  });
  const added = [...(await entries())].filter((f) => !beforeFiles.has(f));
  assert.deepEqual(added, [], 'no output or temp file may remain');
}

/** Every reader that reads the payload fails with `code` (path output, Writable, preview, verify). */
async function allReadersFail(env: string, code: ErrorCode, opts: OpenOptions = { keyring }): Promise<void> {
  await failsCleanly(code, () => openFile(env, fresh('out'), opts));
  await failsCleanly(code, () => verifyFile(env, opts));
  await failsCleanly(code, () => openToBuffer(env, { ...opts, maxBytes: 1 << 30 }));
  const released = await collect((w) => openFile(env, w, opts).catch((e: unknown) => {
    assert.ok(e instanceof CachetError && e.code === code, `Writable: ${String(e)}`);
  }));
  // Whatever reached the Writable verified: it is a prefix of what was sealed (checked by callers
  // that know the plaintext); here, at least, it is never more than the payload holds.
  assert.ok(released.length <= (await stat(env)).size);
}

function flip(b: Buffer, i: number, x = 1): Buffer {
  b[i] = b[i]! ^ x;
  return b;
}

async function mutate(env: string, f: (b: Buffer, h: ReturnType<typeof decodeHeader>) => Buffer): Promise<string> {
  const b = await readFile(env);
  const out = fresh('bad');
  await writeFile(out, f(Buffer.from(b), decodeHeader(b)));
  return out;
}

/** Offsets inside a header (SPEC §4). */
function layout(h: ReturnType<typeof decodeHeader>): { salt: number; ctx: number; commitment: number; metaLen: number; meta: number; mac: number; nStanzas: number; stanza0: number } {
  const ctxLen = h.authenticated.length - 8 - 32 - 32 - 4 - h.meta.length;
  const commitment = 40 + ctxLen;
  const mac = commitment + 32 + 4 + h.meta.length;
  return { salt: 8, ctx: 40, commitment, metaLen: commitment + 32, meta: commitment + 36, mac, nStanzas: mac + 32, stanza0: mac + 33 };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cachet-env-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('round trips', () => {
  for (const log2 of [10, 16]) {
    const S = 2 ** log2;
    for (const size of [0, 1, S - 1, S, S + 1, 2 * S + 7, 3 * 1024 * 1024 + 5]) {
      it(`chunk_log2 ${log2}, ${size} bytes, every reader`, async () => {
        const data = randomBytes(size);
        const env = await seal(data, { chunkLog2: log2 });
        const out = fresh('out');
        const r = await openFile(env, out, { keyring });
        assert.ok((await readFile(out)).equals(data));
        assert.equal(r.bytes, size);
        assert.equal(r.metadata.size, size);
        assert.equal(r.metadata.path, 'docs/a.txt');
        assert.equal((await stat(out)).mtimeMs, 1_700_000_000_000);
        assert.ok((await collect((w) => openFile(env, w, { keyring }))).equals(data));
        const v = await verifyFile(env, { keyring });
        assert.equal(v.bytes, size);
        const pv = await openToBuffer(env, { keyring, maxBytes: 1500 });
        assert.ok(pv.data.equals(data.subarray(0, 1500)));
        assert.equal(pv.truncated, size > 1500);
        const info = await inspectFile(env);
        assert.equal(info.chunkSize, S);
        assert.deepEqual(info.context, CTX);
        assert.equal(info.headerLength + (info.payloadLength ?? -1), (await stat(env)).size);
        assert.equal((await readMetadata(env, { keyring })).metadata.size, size);
      });
    }
  }

  it('seals a stream (size unknown) and to a Writable', async () => {
    const data = randomBytes(5000);
    const env = await seal(data, { stream: true });
    const m = await readMetadata(env, { keyring });
    assert.equal(m.metadata.size, null);
    assert.ok((await openToBuffer(env, { keyring, maxBytes: 10_000 })).data.equals(data));
    const src = fresh('src');
    await writeFile(src, data);
    const bytes = await collect((w) => sealToWritable(src, w, { keyring, keys, context: CTX, metadata: { path: 'x', size: null, mtime: null }, chunkLog2: 10 }));
    const env2 = fresh('env');
    await writeFile(env2, bytes);
    assert.ok((await openToBuffer(env2, { keyring, maxBytes: 10_000 })).data.equals(data));
  });

  it('progress is reported with the total, and no more often than per block', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const seen: number[] = [];
    const env = await seal(data, { chunkLog2: 16, onProgress: (p) => seen.push(p.bytes) });
    assert.equal(seen.at(-1), data.length);
    assert.ok(seen.length >= 2 && seen.length <= 8, `${seen.length} progress events`);
    const totals: (number | null)[] = [];
    await verifyFile(env, { keyring, onProgress: (p) => totals.push(p.total) });
    assert.ok(totals.every((t) => t === data.length));
  });
});

describe('tampering: exact error code, nothing released to a file', () => {
  const data = randomBytes(5 * 1024 + 100); // 6 chunks at chunk_log2 10
  let env: string;
  let streamEnv: string;
  before(async () => {
    env = await seal(data);
    streamEnv = await seal(data, { stream: true });
  });

  it('bad magic -> not-envelope; empty file -> not-envelope', async () => {
    await allReadersFail(await mutate(env, (b) => flip(b, 0, 1)), 'not-envelope');
    const empty = fresh('empty');
    await writeFile(empty, '');
    await allReadersFail(empty, 'not-envelope');
    await failsCleanly('not-envelope', () => inspectFile(empty));
  });
  it('unknown version -> unsupported-version (also for inspect)', async () => {
    const bad = await mutate(env, (b) => (b[6] = 2, b));
    await allReadersFail(bad, 'unsupported-version');
    await failsCleanly('unsupported-version', () => inspectFile(bad));
  });
  it('chunk_log2 out of range or changed -> header-corrupt', async () => {
    await allReadersFail(await mutate(env, (b) => (b[7] = 30, b)), 'header-corrupt');
    await allReadersFail(await mutate(env, (b) => (b[7] = 11, b)), 'header-corrupt');
  });
  it('salt or commitment changed -> wrong-key (the key does not commit to this header)', async () => {
    await allReadersFail(await mutate(env, (b) => flip(b, 9, 1)), 'wrong-key');
    await allReadersFail(await mutate(env, (b, h) => flip(b, layout(h).commitment, 1)), 'wrong-key');
  });
  it('context changed -> wrong-key (local wrapping binds the context)', async () => {
    await allReadersFail(await mutate(env, (b) => {
      const i = b.indexOf(Buffer.from(ITEM));
      b[i] = 0x31; // '0' -> '1', still sorted and printable
      return b;
    }), 'wrong-key');
  });
  it('metadata or MAC changed -> header-corrupt', async () => {
    await allReadersFail(await mutate(env, (b, h) => flip(b, layout(h).meta + 20, 1)), 'header-corrupt');
    await allReadersFail(await mutate(env, (b, h) => flip(b, layout(h).mac, 0x80)), 'header-corrupt');
  });
  it('oversized counts and lengths are refused before allocating -> header-corrupt', async () => {
    await allReadersFail(await mutate(env, (b, h) => (b.writeUInt32BE(0xffffffff, layout(h).metaLen), b)), 'header-corrupt');
    await allReadersFail(await mutate(env, (b, h) => (b.writeUInt32BE(65537, layout(h).metaLen), b)), 'header-corrupt');
    await allReadersFail(await mutate(env, (b, h) => (b[layout(h).nStanzas] = 0, b)), 'header-corrupt');
    await allReadersFail(await mutate(env, (b, h) => (b[layout(h).nStanzas] = 17, b)), 'header-corrupt');
    await allReadersFail(await mutate(env, (b) => (b[40] = 17, b)), 'header-corrupt');
    // blob_len 0xffff (> 8192) in stanza 0: type_len(1) type("local") key_id_len(2) key_id
    await allReadersFail(await mutate(env, (b, h) => {
      const p = layout(h).stanza0 + 1 + 5 + 2 + h.stanzas[0]!.keyId.length;
      b.writeUInt16BE(0xffff, p);
      return b;
    }), 'header-corrupt');
  });
  it('file ends inside the header -> header-corrupt', async () => {
    const h = decodeHeader(await readFile(env));
    for (const at of [7, 8, 39, 45, layout(h).meta + 3, layout(h).mac + 5, h.length - 1]) {
      const bad = await mutate(env, (b) => b.subarray(0, at));
      await allReadersFail(bad, 'header-corrupt');
      await failsCleanly('header-corrupt', () => inspectFile(bad));
    }
  });
  it('stanza key id altered -> local-key-missing; blob altered -> wrong-key', async () => {
    await allReadersFail(await mutate(env, (b, h) => flip(b, layout(h).stanza0 + 1 + 5 + 2 + 10, 1)), 'local-key-missing');
    await allReadersFail(await mutate(env, (b, h) => flip(b, h.length - 3, 1)), 'wrong-key');
  });
  it('wrapped key swapped in from another file -> wrong-key (other context, or same context and commitment)', async () => {
    const otherItem = await seal(randomBytes(10), { context: { ...CTX, 'cachet:item': 'a'.repeat(32) } });
    const sameCtx = await seal(randomBytes(10));
    for (const donor of [otherItem, sameCtx]) {
      const d = decodeHeader(await readFile(donor));
      const dStanzas = (await readFile(donor)).subarray(d.authenticated.length + 32, d.length);
      await allReadersFail(await mutate(env, (b, h) => Buffer.concat([b.subarray(0, h.authenticated.length + 32), dStanzas, b.subarray(h.length)])), 'wrong-key');
    }
  });
  it('payload byte flipped -> tampered', async () => {
    await allReadersFail(await mutate(env, (b, h) => flip(b, h.length + 1040 * 2 + 5, 1)), 'tampered');
    await allReadersFail(await mutate(env, (b) => flip(b, b.length - 1, 1)), 'tampered');
  });
  it('truncated at chunk boundaries and mid-chunk -> truncated', async () => {
    const h = decodeHeader(await readFile(env));
    for (const cut of [0, 1040, 1040 * 3, 1040 * 2 + 500, 1040 * 5 + 20]) {
      await allReadersFail(await mutate(env, (b) => b.subarray(0, h.length + cut)), 'truncated');
    }
  });
  it('stream-sealed (size unknown): truncated at a boundary -> truncated; mid-chunk -> tampered (SPEC §6)', async () => {
    const h = decodeHeader(await readFile(streamEnv));
    for (const cut of [0, 1040, 1040 * 3]) await allReadersFail(await mutate(streamEnv, (b) => b.subarray(0, h.length + cut)), 'truncated');
    await allReadersFail(await mutate(streamEnv, (b) => b.subarray(0, h.length + 1040 * 2 + 500)), 'tampered');
    await allReadersFail(await mutate(streamEnv, (b) => b.subarray(0, h.length + 1040 * 5 + 10)), 'truncated');
  });
  it('data appended -> trailing-data', async () => {
    await allReadersFail(await mutate(env, (b) => Buffer.concat([b, Buffer.from('x')])), 'trailing-data');
    await allReadersFail(await mutate(env, (b) => Buffer.concat([b, b.subarray(b.length - 1040)])), 'trailing-data');
    // size unknown, final chunk full: the full chunk verifies as final, more follows
    const full = await seal(randomBytes(4096), { stream: true });
    await allReadersFail(await mutate(full, (b) => Buffer.concat([b, randomBytes(100)])), 'trailing-data');
  });
  it('two chunks swapped -> reordered', async () => {
    await allReadersFail(await mutate(env, (b, h) => {
      const c1 = Buffer.from(b.subarray(h.length + 1040, h.length + 2080));
      b.copy(b, h.length + 1040, h.length + 3 * 1040, h.length + 4 * 1040);
      c1.copy(b, h.length + 3 * 1040);
      return b;
    }), 'reordered');
  });
  it('chunk spliced in from another file of the same key -> tampered', async () => {
    const donor = await readFile(await seal(randomBytes(data.length)));
    const dh = decodeHeader(donor);
    await allReadersFail(await mutate(env, (b, h) => {
      donor.copy(b, h.length + 1040 * 2, dh.length + 1040 * 2, dh.length + 1040 * 3);
      return b;
    }), 'tampered');
  });
  it('header of one file on the payload of another -> wrong length or tampered', async () => {
    const donor = await readFile(await seal(randomBytes(data.length)));
    const dh = decodeHeader(donor);
    await allReadersFail(await mutate(env, (b, h) => Buffer.concat([b.subarray(0, h.length), donor.subarray(dh.length)])), 'tampered');
  });
  it('wrong context expected -> context-mismatch, before any unwrap', async () => {
    let calls = 0;
    const spy = new Keyring([{ ...providerMethods(local), type: 'local', unwrapKey: async (s, c, o) => (calls++, local.unwrapKey(s, c, o)) }]);
    await allReadersFail(env, 'context-mismatch', { keyring: spy, expectContext: { 'cachet:item': 'b'.repeat(32) } });
    await failsCleanly('context-mismatch', () => readMetadata(env, { keyring: spy, expectContext: { 'cachet:vault': 'c'.repeat(32) } }));
    assert.equal(calls, 0);
    await verifyFile(env, { keyring, expectContext: { 'cachet:item': ITEM, 'cachet:vault': VAULT } });
  });
  it('the Writable receives only verified chunks, a prefix of the plaintext', async () => {
    const bad = await mutate(env, (b, h) => flip(b, h.length + 1040 * 4 + 5, 1));
    const got = await collect((w) => openFile(bad, w, { keyring }).catch(() => {}));
    assert.ok(got.length <= 4 * 1024);
    assert.ok(data.subarray(0, got.length).equals(got));
  });
});

function providerMethods(p: KeyProvider): KeyProvider {
  return {
    type: p.type,
    generateDataKey: (k, c, o) => p.generateDataKey(k, c, o),
    wrapKey: (k, pt, c, o) => p.wrapKey(k, pt, c, o),
    unwrapKey: (s, c, o) => p.unwrapKey(s, c, o),
  };
}

function ctxAad(c: EncryptionContext): Buffer {
  return Buffer.from(JSON.stringify(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** A stand-in 'aws-kms' provider (AES-GCM under its own key) whose unwrap can be made to fail. */
class FakeKms implements KeyProvider {
  readonly type = 'aws-kms' as const;
  readonly key = randomBytes(32);
  fail: CachetError | null = null;
  async generateDataKey(keyId: string, context: EncryptionContext): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    const plaintext = randomBytes(32);
    return { plaintext, stanza: await this.wrapKey(keyId, plaintext, context) };
  }
  async wrapKey(keyId: string, plaintext: Uint8Array, context: EncryptionContext): Promise<Stanza> {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv).setAAD(ctxAad(context));
    return { type: 'aws-kms', keyId, blob: Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]) };
  }
  async unwrapKey(stanza: Stanza, context: EncryptionContext): Promise<Buffer> {
    if (this.fail) throw this.fail;
    const b = Buffer.from(stanza.blob);
    const d = createDecipheriv('aes-256-gcm', this.key, b.subarray(0, 12)).setAAD(ctxAad(context));
    d.setAuthTag(b.subarray(44));
    return Buffer.concat([d.update(b.subarray(12, 44)), d.final()]);
  }
}

describe('several wrapped keys', () => {
  it('any one stanza opens; a failing first provider falls through to the second', async () => {
    const kms = new FakeKms();
    const both = new Keyring([kms, local]);
    const data = randomBytes(3000);
    const env = await seal(data, { keyring: both, keys: [{ provider: 'aws-kms', keyId: 'arn:aws:kms:eu-west-1:111122223333:key/x' }, ...keys] });
    const info = await inspectFile(env);
    assert.deepEqual(info.stanzas.map((s) => s.type), ['aws-kms', 'local']);
    kms.fail = new CachetError('kms-access-denied', 'denied');
    assert.ok((await openToBuffer(env, { keyring: both, maxBytes: 1e6 })).data.equals(data));
    // Only KMS here, and it fails: its error, not a generic one.
    await failsCleanly('kms-access-denied', () => verifyFile(env, { keyring: new Keyring([kms]) }));
    kms.fail = null;
    assert.ok((await openToBuffer(env, { keyring: new Keyring([kms]), maxBytes: 1e6 })).data.equals(data));
    // Only the local key, of another machine: it says which key is missing.
    await failsCleanly('local-key-missing', () => verifyFile(env, { keyring: new Keyring([other]) }));
  });
});

describe('large headers', () => {
  it('reads a header longer than the first read (64 KiB): long path and key id', async () => {
    const kms = new FakeKms();
    const both = new Keyring([local, kms]);
    const path = 'd/'.repeat(32_000);
    const data = randomBytes(2000);
    const env = await seal(data, { keyring: both, keys: [...keys, { provider: 'aws-kms', keyId: 'k'.repeat(2048) }], metadata: { path, size: null, mtime: null } });
    const info = await inspectFile(env);
    assert.ok(info.headerLength > 64 * 1024, `header ${info.headerLength}`);
    const r = await openToBuffer(env, { keyring: both, maxBytes: 1e6 });
    assert.equal(r.metadata.path, path);
    assert.ok(r.data.equals(data));
    await failsCleanly('bad-request', () => sealFile(Readable.from([data]), fresh('env'), { keyring, keys, context: CTX, metadata: { path: 'x'.repeat(70_000), size: null, mtime: null } }));
  });
});

describe('rewriteHeader', () => {
  it('renames (new metadata) without touching the payload bytes', async () => {
    const data = randomBytes(4000);
    const env = await seal(data);
    const before = await readFile(env);
    const h0 = decodeHeader(before);
    const info = await rewriteHeader(env, { metadata: { path: 'new/name.bin', size: 1, mtime: 5 } }, { keyring });
    const afterBytes = await readFile(env);
    assert.ok(afterBytes.subarray(info.headerLength).equals(before.subarray(h0.length)));
    const m = await readMetadata(env, { keyring });
    assert.equal(m.metadata.path, 'new/name.bin');
    assert.equal(m.metadata.size, 4000, 'the sealed size is kept');
    assert.equal(m.metadata.mtime, 5);
    assert.ok((await openToBuffer(env, { keyring, maxBytes: 1e6 })).data.equals(data));
    assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.tmp-')), []);
  });
  it('re-keys (new stanzas) without a data key and without touching the payload', async () => {
    const data = randomBytes(2500);
    const env = await seal(data);
    const before = await readFile(env);
    const h0 = decodeHeader(before);
    const dk = await local.unwrapKey(h0.stanzas[0]!, h0.context);
    const moved = await other.wrapKey(other.keyId, dk, h0.context);
    dk.fill(0);
    const noUnwrap = new Keyring([{ ...providerMethods(local), unwrapKey: async () => assert.fail('no unwrap for a stanza change') }]);
    const info = await rewriteHeader(env, { stanzas: [moved] }, { keyring: noUnwrap });
    const afterBytes = await readFile(env);
    assert.ok(afterBytes.subarray(info.headerLength).equals(before.subarray(h0.length)));
    assert.ok(afterBytes.subarray(0, h0.authenticated.length + 32).equals(before.subarray(0, h0.authenticated.length + 32)));
    assert.ok((await openToBuffer(env, { keyring: new Keyring([other]), maxBytes: 1e6 })).data.equals(data));
    await failsCleanly('local-key-missing', () => verifyFile(env, { keyring }));
  });
  it('a failed rewrite leaves the file as it was', async () => {
    const env = await seal(randomBytes(100));
    const before = await readFile(env);
    await failsCleanly('local-key-missing', () => rewriteHeader(env, { metadata: { path: 'x', size: null, mtime: null } }, { keyring: new Keyring([other]) }));
    assert.ok((await readFile(env)).equals(before));
  });
});

describe('data keys are zeroed', () => {
  const allZero = (b: Buffer): boolean => b.every((x) => x === 0);
  it('after sealFile and openFile succeed', async () => {
    const spy = spyProvider(local);
    const kr = new Keyring([spy.provider]);
    const data = randomBytes(3000);
    const env = await seal(data, { keyring: kr });
    assert.equal(spy.handed.length, 1);
    await openFile(env, fresh('out'), { keyring: kr });
    await verifyFile(env, { keyring: kr });
    await openToBuffer(env, { keyring: kr, maxBytes: 10 });
    await readMetadata(env, { keyring: kr });
    await rewriteHeader(env, { metadata: { path: 'y', size: null, mtime: null } }, { keyring: kr });
    assert.equal(spy.handed.length, 6);
    for (const b of spy.handed) assert.ok(b.length === 32 && allZero(b));
  });
  it('after sealFile and openFile fail mid-way', async () => {
    const spy = spyProvider(local);
    const kr = new Keyring([spy.provider]);
    const src = Readable.from((async function* () {
      yield randomBytes(5000);
      throw new Error('disk went away');
    })());
    const out = fresh('env');
    await assert.rejects(sealFile(src, out, { keyring: kr, keys, context: CTX, metadata: { path: 'a', size: null, mtime: null }, chunkLog2: 10 }));
    const env = await seal(randomBytes(8000));
    const bad = await mutate(env, (b, h) => flip(b, h.length + 1040 * 6, 1));
    await failsCleanly('tampered', () => openFile(bad, fresh('out'), { keyring: kr }));
    const wrongMac = await mutate(env, (b, h) => flip(b, layout(h).mac, 1));
    await failsCleanly('header-corrupt', () => openFile(wrongMac, fresh('out'), { keyring: kr }));
    assert.equal(spy.handed.length, 3);
    for (const b of spy.handed) assert.ok(allZero(b));
  });
  it('a caller-owned data key (SPEC §9 index reuse) is left to the caller; fresh salt each time', async () => {
    const g = await keyring.generate(keys, CTX);
    const a = fresh('env');
    const b = fresh('env');
    const o = { keyring, keys, context: CTX, metadata: { path: 'index', size: null, mtime: null }, dataKey: g };
    await sealFile(Readable.from([Buffer.from('one')]), a, o);
    await sealFile(Readable.from([Buffer.from('two')]), b, o);
    assert.ok(!allZero(g.plaintext));
    assert.notDeepEqual(decodeHeader(await readFile(a)).salt, decodeHeader(await readFile(b)).salt);
    assert.equal((await openToBuffer(b, { keyring, maxBytes: 10 })).data.toString(), 'two');
    g.plaintext.fill(0);
  });
});

describe('output files', () => {
  it('refuses to overwrite unless asked; a failed open keeps the existing file', async () => {
    const env = await seal(randomBytes(100));
    const dest = fresh('out');
    await writeFile(dest, 'keep');
    await failsCleanly('exists', () => openFile(env, dest, { keyring }));
    await failsCleanly('exists', () => sealFile(env, dest, { keyring, keys, context: CTX, metadata: { path: 'a', size: null, mtime: null } }));
    const bad = await mutate(env, (b) => flip(b, b.length - 1, 1));
    await failsCleanly('tampered', () => openFile(bad, dest, { keyring, overwrite: true }));
    assert.equal(await readFile(dest, 'utf8'), 'keep');
    await openFile(env, dest, { keyring, overwrite: true });
    assert.equal((await readFile(dest)).length, 100);
  });
  it('cancel between blocks -> cancelled, no output file', async () => {
    const src = fresh('src');
    await writeFile(src, randomBytes(6 * 1024 * 1024));
    const ac = new AbortController();
    await failsCleanly('cancelled', () => sealFile(src, fresh('env'), { keyring, keys, context: CTX, metadata: { path: 'a', size: null, mtime: null }, signal: ac.signal, onProgress: () => ac.abort() }));
    const env = fresh('env');
    await sealFile(src, env, { keyring, keys, context: CTX, metadata: { path: 'a', size: null, mtime: null } });
    const ac2 = new AbortController();
    await failsCleanly('cancelled', () => openFile(env, fresh('out'), { keyring, signal: ac2.signal, onProgress: () => ac2.abort() }));
    await failsCleanly('cancelled', () => openFile(env, fresh('out'), { keyring, signal: AbortSignal.abort() }));
  });
  it('a source that changes while read -> changed-while-reading, no output', async () => {
    const src = fresh('src');
    await writeFile(src, randomBytes(5 * 1024 * 1024));
    let grown = false;
    await failsCleanly('changed-while-reading', () => sealFile(src, fresh('env'), {
      keyring, keys, context: CTX, metadata: { path: 'a', size: null, mtime: null },
      onProgress: () => {
        if (!grown) {
          grown = true;
          return void appendFile(src, 'more');
        }
      },
    }).finally(async () => utimes(src, new Date(), new Date())));
    // A stream that yields fewer bytes than the size the caller declared.
    await failsCleanly('changed-while-reading', () => sealFile(Readable.from([Buffer.alloc(5)]), fresh('env'), { keyring, keys, context: CTX, metadata: { path: 'a', size: 10, mtime: null } }));
  });
  it('refuses bad requests before any key is made', async () => {
    let made = 0;
    const kr = new Keyring([{ ...providerMethods(local), generateDataKey: async (k, c, o) => (made++, local.generateDataKey(k, c, o)) }]);
    const base = { keyring: kr, keys, context: CTX, metadata: { path: 'a', size: null, mtime: null } };
    await failsCleanly('bad-request', () => sealFile(Readable.from([]), fresh('env'), { ...base, chunkLog2: 23 }));
    await failsCleanly('bad-request', () => sealFile(Readable.from([]), fresh('env'), { ...base, context: { 'bad key': 'x' } }));
    await failsCleanly('bad-request', () => sealFile(Readable.from([]), fresh('env'), { ...base, metadata: { path: '', size: null, mtime: null } }));
    assert.equal(made, 0);
    await failsCleanly('not-found', () => sealFile(join(dir, 'nope'), fresh('env'), base));
    await failsCleanly('not-found', () => inspectFile(join(dir, 'nope')));
  });
});
