// STREAM payload tests (SPEC §6): nonce layout, chunk seal/open, size sweeps around the chunk size,
// each failure class from diagnoseChunk/openPayload, and that nothing unverified reaches the sink.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  chunkNonce, diagnoseChunk, fileSink, release, openChunk, openPayload, payloadLength, plaintextLength, readableSource, sealChunk, sealPayload,
  TAG_LENGTH, type ByteSink, type ByteSource, type PositionalSource,
} from '../../../app/stream/stream.js';
import { CachetError, type ErrorCode } from '../../../app/errors.js';

const key = randomBytes(32);

function memSource(data: Buffer, step = Infinity): ByteSource {
  let pos = 0;
  return {
    async read(into, offset, length) {
      const n = Math.min(length, data.length - pos, step);
      data.copy(into, offset, pos, pos + n);
      pos += n;
      return n;
    },
  };
}

function memSink(): ByteSink & { parts: Buffer[]; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  return { parts, write: async (ps) => void parts.push(...ps.map((p) => Buffer.from(p))), bytes: () => Buffer.concat(parts) };
}

/** Run `fn` with a fresh temp folder, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const d = await mkdtemp(join(tmpdir(), 'cachet-sink-'));
  try {
    await fn(d);
  } finally {
    await rm(d, { recursive: true, force: true });
  }
}

function positional(data: Buffer): PositionalSource {
  return {
    async read(buffer, offset, length, position) {
      const n = Math.max(0, Math.min(length, data.length - position));
      data.copy(buffer, offset, position, position + n);
      return { bytesRead: n };
    },
  };
}

async function sealAll(data: Buffer, log2: number, step?: number): Promise<Buffer> {
  const sink = memSink();
  const n = await sealPayload(key, log2, memSource(data, step), sink);
  assert.equal(n, data.length);
  return sink.bytes();
}

async function openAll(payload: Buffer, log2: number, limit?: number): Promise<{ out: Buffer; complete: boolean }> {
  const sink = memSink();
  const r = await openPayload(key, log2, positional(payload), 0, payload.length, sink, { limit });
  assert.equal(r.bytes, sink.bytes().length);
  return { out: sink.bytes(), complete: r.complete };
}

async function openFails(payload: Buffer, log2: number, code: ErrorCode): Promise<Buffer> {
  const sink = memSink();
  await assert.rejects(openPayload(key, log2, positional(payload), 0, payload.length, sink), (e: unknown) => {
    assert.ok(e instanceof CachetError);
    assert.equal(e.code, code, e.message);
    return true;
  });
  return sink.bytes();
}

describe('chunks', () => {
  it('nonce_i = u88(i) || last_i', () => {
    assert.equal(chunkNonce(0, false).toString('hex'), '000000000000000000000000');
    assert.equal(chunkNonce(1, true).toString('hex'), '000000000000000000000101');
    assert.equal(chunkNonce(0xfffffffe, false).toString('hex'), '00000000000000fffffffe00');
    assert.throws(() => chunkNonce(2 ** 32, false));
    assert.throws(() => chunkNonce(-1, false));
  });
  it('sealChunk is plain AES-256-GCM under that nonce with empty AAD', () => {
    const pt = randomBytes(100);
    const sealed = sealChunk(key, 7, true, pt);
    assert.equal(sealed.length, 100 + TAG_LENGTH);
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from('000000000000000000000701', 'hex'));
    d.setAuthTag(sealed.subarray(100));
    assert.ok(Buffer.concat([d.update(sealed.subarray(0, 100)), d.final()]).equals(pt));
    assert.ok(openChunk(key, 7, true, sealed)!.equals(pt));
    assert.equal(openChunk(key, 7, false, sealed), null);
    assert.equal(openChunk(key, 6, true, sealed), null);
    assert.equal(openChunk(randomBytes(32), 7, true, sealed), null);
    assert.equal(openChunk(key, 7, true, sealed.subarray(0, 10)), null);
  });
  it('diagnoseChunk names each failure class', () => {
    const pt = randomBytes(64);
    const code = (i: number, last: boolean, s: Buffer): string => diagnoseChunk(key, i, last, s).code;
    assert.equal(code(3, true, sealChunk(key, 3, false, pt)), 'truncated');
    assert.equal(code(3, false, sealChunk(key, 3, true, pt)), 'trailing-data');
    assert.equal(code(3, false, sealChunk(key, 9, false, pt)), 'reordered');
    assert.equal(code(70, false, sealChunk(key, 6, true, pt)), 'reordered');
    assert.equal(code(3, false, sealChunk(key, 3 + 65, false, pt)), 'tampered'); // outside the window
    assert.equal(code(3, false, sealChunk(randomBytes(32), 3, false, pt)), 'tampered');
    assert.equal(code(3, true, Buffer.alloc(5)), 'truncated');
  });
});

describe('payload sizes', () => {
  for (const log2 of [10, 16]) {
    const S = 2 ** log2;
    for (const size of [0, 1, S - 1, S, S + 1, 2 * S + 13, 4 * 1024 * 1024 + 3]) {
      it(`chunk_log2 ${log2}: ${size} bytes`, async () => {
        const data = randomBytes(size);
        const payload = await sealAll(data, log2, 777); // odd source reads
        assert.equal(payload.length, payloadLength(size, log2));
        assert.equal(plaintextLength(payload.length, log2), size);
        // Layout: every chunk but the last is S+16; the last is final-flagged; k*S ends with a full final chunk.
        const chunks = Math.max(1, Math.ceil(size / S));
        const lastAt = (chunks - 1) * (S + TAG_LENGTH);
        assert.ok(openChunk(key, chunks - 1, true, payload.subarray(lastAt)));
        if (chunks > 1) assert.ok(openChunk(key, 0, false, payload.subarray(0, S + TAG_LENGTH)));
        const { out, complete } = await openAll(payload, log2);
        assert.ok(out.equals(data));
        assert.ok(complete);
      });
    }
  }
  it('reads a Readable source whatever its chunking', async () => {
    const data = randomBytes(10_000);
    const r = Readable.from([data.subarray(0, 1), 'xyz', data.subarray(1, 5000), new Uint8Array(data.subarray(5000))]);
    const sink = memSink();
    const n = await sealPayload(key, 10, readableSource(r), sink);
    assert.equal(n, 10_003);
    const { out } = await openAll(sink.bytes(), 10);
    assert.ok(out.equals(Buffer.concat([data.subarray(0, 1), Buffer.from('xyz'), data.subarray(1)])));
  });
  it('a limit stops early with verified chunks only', async () => {
    const data = randomBytes(5000);
    const payload = await sealAll(data, 10);
    const { out, complete } = await openAll(payload, 10, 1500);
    assert.ok(out.equals(data.subarray(0, 1500)));
    assert.ok(!complete);
    // The chunks past the limit are not read: damage there does not matter to a preview.
    payload[payload.length - 1]! ^= 1;
    assert.ok((await openAll(payload, 10, 1500)).out.equals(data.subarray(0, 1500)));
  });
  it('payloadLength/plaintextLength agree and reject impossible lengths', () => {
    for (const s of [0, 1, 1023, 1024, 1025, 99_999]) assert.equal(plaintextLength(payloadLength(s, 10), 10), s);
    assert.equal(plaintextLength(0, 10), null);
    assert.equal(plaintextLength(15, 10), null);
    assert.equal(plaintextLength(1040 + 5, 10), null);
  });
});

describe('block sizing and reuse', () => {
  // The hint only sizes the blocks: a source of another length must still seal to the exact
  // layout (SPEC §6), including one that is longer than the hint (it grew while read).
  for (const [size, hint] of [[0, 0], [1, 0], [1023, 1023], [1024, 1024], [1025, 1024], [5000, 10], [3000, 1_000_000], [70_000, 2048]] as const) {
    it(`size ${size} with size hint ${hint}`, async () => {
      const data = randomBytes(size);
      const sink = memSink();
      assert.equal(await sealPayload(key, 10, memSource(data, 333), sink, { sizeHint: hint }), size);
      const payload = sink.bytes();
      assert.equal(payload.length, payloadLength(size, 10));
      assert.ok((await openAll(payload, 10)).out.equals(data));
      const unhinted = memSink();
      await sealPayload(key, 10, memSource(data), unhinted);
      assert.equal(unhinted.bytes().length, payload.length);
    });
  }
  it('blocks reused across many seals keep each payload its own (no stale plaintext)', async () => {
    const datas = [randomBytes(4096), randomBytes(10), randomBytes(70_000), Buffer.alloc(0), randomBytes(4095)];
    for (let round = 0; round < 3; round++) {
      const sealed = await Promise.all(datas.map(async (d) => {
        const sink = memSink();
        await sealPayload(key, 16, memSource(d), sink, { sizeHint: d.length });
        return sink.bytes();
      }));
      for (const [i, p] of sealed.entries()) assert.ok((await openAll(p, 16)).out.equals(datas[i]!), `payload ${i}, round ${round}`);
    }
  });
});

describe('memory', () => {
  it('release frees buffers that own their memory, and leaves shared ones alone', () => {
    const own = Buffer.alloc(65536, 1);
    const slab = Buffer.alloc(200_000, 2);
    const view = slab.subarray(0, 65536);
    const small = Buffer.alloc(100, 3);
    release([own, view, small]);
    assert.equal(own.length, 0, 'detached');
    assert.equal(view.length, 65536);
    assert.equal(slab[0], 2);
    assert.equal(small.length, 100);
  });
  it('a file sink with early write-back: every byte lands, and a write-back error is not lost', async () => {
    await inTempDir(async (d) => {
      const data = randomBytes(3_000_000);
      const fh = await open(join(d, 'out'), 'w');
      let syncs = 0;
      const datasync = fh.datasync.bind(fh);
      fh.datasync = async () => {
        syncs++;
        return datasync();
      };
      const sink = fileSink(fh, 0, { syncEvery: 1 << 20 });
      await sealPayload(key, 16, memSource(data), sink);
      await sink.settle();
      await fh.close();
      assert.ok(syncs >= 1, 'write-back started before the end');
      assert.ok((await openAll(await readFile(join(d, 'out')), 16)).out.equals(data));

      const fh2 = await open(join(d, 'out2'), 'w');
      fh2.datasync = async () => {
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      };
      const failing = fileSink(fh2, 0, { syncEvery: 1 << 20 });
      await assert.rejects(async () => {
        await sealPayload(key, 16, memSource(data), failing);
        await failing.settle();
      }, (e: unknown) => (e as { code?: string }).code === 'EIO' || (e instanceof CachetError && e.code === 'io'));
      await fh2.close();
    });
  });
  it('a file sink writes transient parts before releasing them', async () => {
    await inTempDir(async (d) => {
      const data = randomBytes(300_000);
      const fh = await open(join(d, 'out'), 'w');
      await sealPayload(key, 16, memSource(data), fileSink(fh));
      await fh.close();
      const { out } = await openAll(await readFile(join(d, 'out')), 16);
      assert.ok(out.equals(data));
    });
  });
});

describe('writes in flight', () => {
  /** A sink whose writes finish only when the test lets them; it records how many overlap. */
  function gatedSink(inFlight: number | undefined, failAt = -1): ByteSink & { bytes: () => Buffer; maxOpen: number; release: () => void } {
    const got: Buffer[][] = [];
    const waiting: (() => void)[] = [];
    let open = 0;
    let calls = 0;
    const sink = {
      inFlight,
      maxOpen: 0,
      bytes: () => Buffer.concat(got.flat()),
      release: () => waiting.splice(0).forEach((go) => go()),
      async write(ps: readonly Buffer[]) {
        const slot = got.push([]) - 1;
        const n = calls++;
        open++;
        sink.maxOpen = Math.max(sink.maxOpen, open);
        // Copied when called (the order the caller asked for), finished later.
        got[slot] = ps.map((p) => Buffer.from(p));
        await new Promise<void>((go) => waiting.push(go));
        open--;
        if (n === failAt) throw new CachetError('io', 'disk full');
      },
    };
    return sink;
  }

  /** Let writes finish every few turns of the event loop until `p` settles (bounded). */
  async function pump<T>(p: Promise<T>, sink: { release: () => void }): Promise<T> {
    let done = false;
    const r = p.finally(() => { done = true; });
    r.catch(() => {});
    for (let i = 0; i < 10_000 && !done; i++) {
      await new Promise((go) => setImmediate(go));
      sink.release();
    }
    return r;
  }

  const data = randomBytes(7 * 1024 * 1024 + 77); // several blocks (BLOCK_BYTES) of 1 KiB chunks

  for (const inFlight of [undefined, 1, 2, 3]) {
    it(`seal and open keep at most ${inFlight ?? 1} write(s) open, in order (inFlight ${inFlight})`, async () => {
      const s = gatedSink(inFlight);
      await pump(sealPayload(key, 10, memSource(data), s), s);
      assert.equal(s.maxOpen, inFlight ?? 1);
      const sealed = s.bytes();
      // Counter nonces under one key: the same bytes as a seal with one write at a time.
      assert.ok(sealed.equals(await sealAll(data, 10)));
      const o = gatedSink(inFlight);
      const r = await pump(openPayload(key, 10, positional(sealed), 0, sealed.length, o), o);
      assert.equal(o.maxOpen, inFlight ?? 1);
      assert.ok(r.complete);
      assert.ok(o.bytes().equals(data));
    });
  }

  it('a write that fails while another is open fails the payload, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const s = gatedSink(2, 1);
      await assert.rejects(pump(sealPayload(key, 10, memSource(data), s), s), (e: unknown) => e instanceof CachetError && e.code === 'io');
      const sealed = await sealAll(data, 10);
      const o = gatedSink(2, 1);
      await assert.rejects(pump(openPayload(key, 10, positional(sealed), 0, sealed.length, o), o), (e: unknown) => e instanceof CachetError && e.code === 'io');
      await new Promise((go) => setImmediate(go));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a file sink places writes made without waiting at their own positions', async () => {
    await inTempDir(async (d) => {
      const fh = await open(join(d, 'out'), 'w');
      const sink = fileSink(fh, 5);
      assert.ok((sink.inFlight ?? 1) > 1, 'a file sink allows overlapping writes');
      const parts = Array.from({ length: 20 }, (_, i) => [randomBytes(1000 + i * 37), randomBytes(i * 11)]);
      await Promise.all(parts.map((ps) => sink.write(ps)));
      assert.equal(sink.position, 5 + parts.flat().reduce((n, b) => n + b.length, 0));
      await fh.close();
      const want = Buffer.concat([Buffer.alloc(5), ...parts.flat()]);
      assert.ok((await readFile(join(d, 'out'))).equals(want));
    });
  });
});

describe('payload failures', () => {
  const S = 1024;
  const F = S + TAG_LENGTH;
  const data = randomBytes(5 * S + 200); // 6 chunks
  it('flipped byte -> tampered, and the sink holds only the verified prefix', async () => {
    const p = await sealAll(data, 10);
    p[3 * F + 10]! ^= 1;
    const released = await openFails(p, 10, 'tampered');
    assert.ok(released.length <= 3 * S);
    assert.ok(released.equals(data.subarray(0, released.length)));
  });
  it('truncation at a boundary -> truncated; empty payload -> truncated', async () => {
    const p = await sealAll(data, 10);
    await openFails(p.subarray(0, 2 * F), 10, 'truncated');
    await openFails(p.subarray(0, 5 * F + 3), 10, 'truncated'); // less than a tag left
    await openFails(Buffer.alloc(0), 10, 'truncated');
  });
  it('final chunk followed by more -> trailing-data', async () => {
    const full = await sealAll(randomBytes(3 * S), 10);
    await openFails(Buffer.concat([full, randomBytes(40)]), 10, 'trailing-data');
    await openFails(Buffer.concat([full, full.subarray(0, F)]), 10, 'trailing-data');
  });
  it('swapped chunks -> reordered; a chunk of another key -> tampered', async () => {
    const p = await sealAll(data, 10);
    const swapped = Buffer.concat([p.subarray(F, 2 * F), p.subarray(0, F), p.subarray(2 * F)]);
    await openFails(swapped, 10, 'reordered');
    const foreign = memSink();
    await sealPayload(randomBytes(32), 10, memSource(data), foreign);
    const spliced = Buffer.concat([p.subarray(0, F), foreign.bytes().subarray(F, 2 * F), p.subarray(2 * F)]);
    await openFails(spliced, 10, 'tampered');
  });
  it('a chunk cut by the payload length under the chunk size is read as final', async () => {
    const p = await sealAll(data, 10);
    // Drop the last chunk entirely: chunk 4 now ends the file but was sealed non-final.
    await openFails(p.subarray(0, 5 * F), 10, 'truncated');
  });
  it('cancellation between blocks', async () => {
    const big = randomBytes(6 * 1024 * 1024);
    const ac = new AbortController();
    await assert.rejects(sealPayload(key, 16, memSource(big), memSink(), { signal: ac.signal, onProgress: () => ac.abort() }), (e: unknown) => e instanceof CachetError && e.code === 'cancelled');
  });
});
