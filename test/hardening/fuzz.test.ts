// Hostile input: a seeded, bounded fuzz of the header decoder (decodeHeader), the header reader
// (inspectFile) and the stream readers (verifyFile, openFile to a Writable and to a path), on
// random bytes and on mutated valid envelopes (bit flips, truncations, insertions, deletions,
// and count/length fields set to huge values). Every case must end, within its time bound,
// either in success or in a CachetError with a code of the format's closed set; never another
// exception, a hang or an allocation the file's size does not justify. A case that opens must
// give exactly the original plaintext (a mutation that authenticates changed nothing that
// matters), and a reader writing to a Writable may have released only whole, verified chunks:
// a prefix of the original at a chunk boundary. Oversized counts and lengths are refused by
// their bound, before the decoder looks for the bytes they claim (SPEC §4 reader step 2).
// Bounded: about 2,500 decoder cases and 1,200 file cases, a few seconds in all.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspectFile, openFile, sealFile, verifyFile } from '../../app/envelope.js';
import { CachetError, type ErrorCode } from '../../app/errors.js';
import { decodeHeader, MAGIC, MAX_HEADER_LENGTH } from '../../app/format/header.js';
import { LocalKeyProvider } from '../../app/keys/local.js';
import { Keyring } from '../../app/keys/provider.js';
import { seededRandom } from '../helpers/fault-proxy.js';

const SEED = 20261128;
const rand = seededRandom(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));

const DECODER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['not-envelope', 'unsupported-version', 'header-corrupt']);
const READER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'not-envelope', 'unsupported-version', 'header-corrupt', 'tampered', 'truncated', 'trailing-data', 'reordered',
  'wrong-key',
  // A flipped stanza type is a provider this keyring does not have; a flipped local key id is a
  // local key this machine does not hold.
  'bad-request', 'local-key-missing',
]);

const CASE_MS = 3_000;
const CHUNK_LOG2 = 10; // 1 KiB chunks: many chunks in small files
const CHUNK = 2 ** CHUNK_LOG2;

let work: string;
const provider = LocalKeyProvider.generate();
const keyring = new Keyring([provider]);
interface Sample { name: string; plain: Buffer; env: Buffer }
const samples: Sample[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cachet-fuzz-'));
  for (const size of [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 100, 9000]) {
    const plain = randomBytes(size);
    const src = join(work, `plain-${size}`);
    await writeFile(src, plain);
    const dest = join(work, `sample-${size}.env`);
    await sealFile(src, dest, {
      keyring, keys: [{ provider: 'local', keyId: provider.keyId }], chunkLog2: CHUNK_LOG2,
      context: { 'cachet:item': randomBytes(16).toString('hex'), 'cachet:purpose': 'item' },
      metadata: { path: `fuzz/${size}.bin`, size: null, mtime: 0 },
    });
    samples.push({ name: `size ${size}`, plain, env: await readFile(dest) });
  }
});

after(async () => {
  provider.lock();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Run `fn` with a time bound; a hang fails the test instead of the runner. */
async function bounded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: no answer within ${CASE_MS} ms (a hang?)`)), CASE_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function assertTyped(e: unknown, codes: ReadonlySet<ErrorCode>, what: string): asserts e is CachetError {
  if (!(e instanceof CachetError)) throw new assert.AssertionError({ message: `${what}: threw a ${(e as Error)?.name}: ${(e as Error)?.message}` });
  assert.ok(codes.has(e.code), `${what}: unexpected code ${e.code} (${e.message})`);
}

/** Offsets of the header's length and count fields in a valid envelope (SPEC §4, §7). */
function fieldsOf(env: Buffer): { ctxCount: number; metaLen: number; nStanzas: number; typeLen: number; keyIdLen: number; blobLen: number } {
  const h = decodeHeader(env);
  let p = 40;
  const ctxCount = p;
  p += 1;
  for (const [k, v] of Object.entries(h.context)) p += 2 + k.length + v.length;
  p += 32;
  const metaLen = p;
  const nStanzas = h.authenticated.length + 32;
  const typeLen = nStanzas + 1;
  const keyIdLen = typeLen + 1 + h.stanzas[0]!.type.length;
  const blobLen = keyIdLen + 2 + Buffer.byteLength(h.stanzas[0]!.keyId);
  return { ctxCount, metaLen, nStanzas, typeLen, keyIdLen, blobLen };
}

type Mutation = (b: Buffer) => Buffer;

function mutate(env: Buffer): { how: string; out: Buffer } {
  const f = fieldsOf(env);
  const mutations: [string, Mutation][] = [
    ['bit flips', (b) => {
      const o = Buffer.from(b);
      for (let i = 1 + int(8); i > 0; i--) o[int(o.length)]! ^= 1 << int(8);
      return o;
    }],
    ['header bit flip', (b) => {
      const o = Buffer.from(b);
      o[int(Math.min(o.length, f.blobLen + 2))]! ^= 1 << int(8);
      return o;
    }],
    ['truncation', (b) => b.subarray(0, int(b.length))],
    ['insertion', (b) => {
      const at = int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), bytes(1 + int(64)), b.subarray(at)]);
    }],
    ['deletion', (b) => {
      const at = int(b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(32))]);
    }],
    ['appended bytes', (b) => Buffer.concat([b, bytes(1 + int(CHUNK + 40))])],
    ['meta_len huge', (b) => { const o = Buffer.from(b); o.writeUInt32BE([0xffffffff, 0x80000000, 65537, 1 << 24][int(4)]!, f.metaLen); return o; }],
    ['meta_len small', (b) => { const o = Buffer.from(b); o.writeUInt32BE(int(28), f.metaLen); return o; }],
    ['ctx count huge', (b) => { const o = Buffer.from(b); o[f.ctxCount] = 17 + int(239); return o; }],
    ['n_stanzas out of range', (b) => { const o = Buffer.from(b); o[f.nStanzas] = [0, 17, 255][int(3)]!; return o; }],
    ['n_stanzas more than present', (b) => { const o = Buffer.from(b); o[f.nStanzas] = 2 + int(15); return o; }],
    ['type_len huge', (b) => { const o = Buffer.from(b); o[f.typeLen] = 33 + int(223); return o; }],
    ['key_id_len huge', (b) => { const o = Buffer.from(b); o.writeUInt16BE(2049 + int(63487), f.keyIdLen); return o; }],
    ['blob_len huge', (b) => { const o = Buffer.from(b); o.writeUInt16BE(8193 + int(57343), f.blobLen); return o; }],
    ['chunk_log2 out of range', (b) => { const o = Buffer.from(b); o[7] = [0, 9, 23, 63, 255][int(5)]!; return o; }],
    ['chunk_log2 changed in range', (b) => { const o = Buffer.from(b); o[7] = 11 + int(12); return o; }],
    ['version', (b) => { const o = Buffer.from(b); o[6] = [0, 2, 255][int(3)]!; return o; }],
    ['payload chunks swapped', (b) => {
      const start = decodeHeader(b).length;
      const full = CHUNK + 16;
      if (b.length - start < 2 * full + 16) return Buffer.concat([b, b.subarray(start)]);
      const c0 = b.subarray(start, start + full);
      const c1 = b.subarray(start + full, start + 2 * full);
      return Buffer.concat([b.subarray(0, start), c1, c0, b.subarray(start + 2 * full)]);
    }],
    ['payload from another file', (b) => {
      const other = samples[int(samples.length)]!.env;
      return Buffer.concat([b.subarray(0, decodeHeader(b).length), other.subarray(decodeHeader(other).length)]);
    }],
  ];
  const [how, m] = mutations[int(mutations.length)]!;
  return { how, out: m(env) };
}

describe('decodeHeader', () => {
  it('random bytes and mutated headers: a header or a typed error, never anything else', () => {
    let decoded = 0;
    const n = 2500;
    for (let i = 0; i < n; i++) {
      let input: Buffer;
      let how: string;
      const r = rand();
      if (r < 0.2) {
        how = 'random bytes';
        input = bytes(int(400));
      } else if (r < 0.4) {
        how = 'magic + random';
        input = Buffer.concat([MAGIC, Buffer.of(1, 10 + int(13)), bytes(int(600))]);
      } else {
        const s = samples[int(samples.length)]!;
        ({ how, out: input } = mutate(s.env));
      }
      const t0 = performance.now();
      try {
        const h = decodeHeader(input);
        decoded++;
        assert.ok(h.length <= input.length && h.length <= MAX_HEADER_LENGTH, `${how}: header length ${h.length} beyond the input`);
        assert.ok(h.stanzas.length >= 1 && h.stanzas.length <= 16);
      } catch (e) {
        assertTyped(e, DECODER_CODES, `case ${i} (${how})`);
      }
      assert.ok(performance.now() - t0 < 50, `case ${i} (${how}) took ${performance.now() - t0} ms`);
    }
    assert.ok(decoded > 0 && decoded < n, `decoded ${decoded} of ${n}: the mutations should both pass and fail the decoder`);
  });

  it('oversized counts and lengths are refused by their bound, before the bytes they claim are looked for', () => {
    // A 100-byte "file" claiming 4 GiB of metadata: refused as out of range, not as "short".
    const tiny = Buffer.alloc(100);
    MAGIC.copy(tiny, 0);
    tiny[6] = 1;
    tiny[7] = 16;
    tiny[40] = 0; // empty context
    tiny.writeUInt32BE(0xffffffff, 41 + 32);
    const t0 = performance.now();
    assert.throws(() => decodeHeader(tiny), (e) => e instanceof CachetError && e.code === 'header-corrupt' && e.detail['reason'] === 'invalid' && /meta_len/.test(e.message));
    assert.ok(performance.now() - t0 < 20, 'refused fast');
    // Each bound of SPEC §3/§4/§7, on a valid envelope with the field set just past it.
    const env = samples[3]!.env;
    const f = fieldsOf(env);
    // [what, set the field, where the field ends, message]
    const cases: [string, (o: Buffer) => void, number, RegExp][] = [
      ['context count 17', (o) => void (o[f.ctxCount] = 17), f.ctxCount + 1, /context pairs/],
      ['meta_len 65537', (o) => void o.writeUInt32BE(65537, f.metaLen), f.metaLen + 4, /meta_len/],
      ['n_stanzas 17', (o) => void (o[f.nStanzas] = 17), f.nStanzas + 1, /n_stanzas/],
      ['type_len 33', (o) => void (o[f.typeLen] = 33), f.typeLen + 1, /type length/],
      ['key_id_len 2049', (o) => void o.writeUInt16BE(2049, f.keyIdLen), f.keyIdLen + 2, /key id length/],
      ['blob_len 8193', (o) => void o.writeUInt16BE(8193, f.blobLen), f.blobLen + 2, /blob length/],
      ['chunk_log2 23', (o) => void (o[7] = 23), 8, /chunk_log2/],
    ];
    for (const [what, set, end, re] of cases) {
      const o = Buffer.from(env);
      set(o);
      // Cut right after the field: a decoder that looked for the claimed bytes before checking the
      // bound would report 'short' (the file ends inside the header) instead.
      const cut = o.subarray(0, end);
      assert.throws(() => decodeHeader(cut), (e) => e instanceof CachetError && e.code === 'header-corrupt' && e.detail['reason'] !== 'short' && re.test(e.message), what);
      assert.throws(() => decodeHeader(o), (e) => e instanceof CachetError && e.code === 'header-corrupt' && re.test(e.message), `${what} (whole file)`);
    }
  });
});

describe('file readers', () => {
  it('inspectFile, verifyFile and openFile on mutated envelopes: success with the original, or a typed error; only verified chunks released', async () => {
    const n = 1200;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = samples[int(samples.length)]!;
      const r = rand();
      const { how, out } = r < 0.05 ? { how: 'random bytes', out: bytes(int(3000)) } : r < 0.08 ? { how: 'untouched', out: s.env } : mutate(s.env);
      const file = join(work, `case-${i}.env`);
      await writeFile(file, out);
      const what = `case ${i} (${how}, ${s.name})`;

      await bounded(`${what} inspect`, async () => {
        try {
          await inspectFile(file);
        } catch (e) {
          assertTyped(e, DECODER_CODES, `${what} inspect`);
        }
      });

      let verified = false;
      await bounded(`${what} verify`, async () => {
        try {
          const v = await verifyFile(file, { keyring });
          verified = true;
          assert.equal(v.bytes, s.plain.length, `${what}: verified with another length`);
        } catch (e) {
          assertTyped(e, READER_CODES, `${what} verify`);
          counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
        }
      });

      // To a Writable: whatever reaches it must be whole verified chunks of the original.
      const got: Buffer[] = [];
      const sink = new Writable({ write(chunk: Buffer, _enc, cb) { got.push(Buffer.from(chunk)); cb(); } });
      let opened = false;
      await bounded(`${what} open`, async () => {
        try {
          await openFile(file, sink, { keyring });
          opened = true;
        } catch (e) {
          assertTyped(e, READER_CODES, `${what} open`);
        }
      });
      const released = Buffer.concat(got);
      assert.equal(opened, verified, `${what}: open and verify disagree`);
      if (opened) {
        assert.ok(released.equals(s.plain), `${what}: opened to something other than the original`);
      } else {
        assert.ok(released.equals(s.plain.subarray(0, released.length)), `${what}: released bytes that are not the original's`);
        assert.equal(released.length % CHUNK, 0, `${what}: released part of a chunk`);
      }

      // To a path, for some: nothing is left behind on failure.
      if (i % 3 === 0) {
        const dest = join(work, `out-${i}`);
        await bounded(`${what} open to a file`, async () => {
          try {
            await openFile(file, dest, { keyring });
            assert.ok((await readFile(dest)).equals(s.plain));
            await rm(dest);
          } catch (e) {
            assertTyped(e, READER_CODES, `${what} open to a file`);
            assert.ok(!existsSync(dest), `${what}: an output file was left`);
          }
        });
      }
      await rm(file);
    }
    assert.deepEqual((await readdir(work)).filter((x) => x.startsWith('.tmp-')), [], 'no temp left');
    // The mutations reach deep enough to hit the payload's own codes, not only the header's.
    for (const code of ['header-corrupt', 'tampered', 'truncated'] as const) assert.ok((counts.get(code) ?? 0) > 0, `no case failed with ${code}: ${JSON.stringify([...counts])}`);
  });

  it('a 100-byte file claiming a 4 GiB metadata length fails fast as header-corrupt through every reader', async () => {
    const tiny = Buffer.alloc(100);
    MAGIC.copy(tiny, 0);
    tiny[6] = 1;
    tiny[7] = 16;
    tiny.writeUInt32BE(0xffffffff, 41 + 32);
    const file = join(work, 'tiny.env');
    await writeFile(file, tiny);
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    for (const read of [() => inspectFile(file), () => verifyFile(file, { keyring }), () => openFile(file, join(work, 'tiny.out'), { keyring })]) {
      await assert.rejects(read(), (e) => e instanceof CachetError && e.code === 'header-corrupt');
    }
    assert.ok(performance.now() - t0 < 500, 'refused fast');
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024, 'no large buffer was allocated for it');
    assert.ok(!existsSync(join(work, 'tiny.out')));
  });
});
