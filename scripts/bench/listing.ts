// Scenario 3 (issue 5): listing a big vault. Builds a vault of N items with a local key, fast:
// each item is a real one-chunk envelope made in memory from the format's own functions (header.ts
// encodeHeader/sealMetadata, stream.ts sealChunk; its own data key, the vault's item context)
// written with a plain writeFile (no fsync: a benchmark fixture, not a vault write), and the index is written once through the vault's own IndexStore from a stat of
// every item (what a list would rebuild). Then, alternating with `ls -lR` on the vault folder:
// open the vault with a keyring that counts every provider call, list (cold: after open), list
// again (warm). Targets: O(1) unwraps (the same small count at every N) and cold list <= 3x ls -lR.
// Unwraps are counted on the Keyring's provider, the path KMS calls take too (a local key here,
// so 100,000 items need no moto).
//
// Environment: BENCH_ITEMS (default 100000; 2000 in BENCH_QUICK), BENCH_RUNS (3; 1 quick).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openToBuffer } from '../../app/envelope.js';
import { DEFAULT_CHUNK_LOG2, encodeHeader, encodeHeaderPrefix, headerMac, SALT_LENGTH, sealMetadata, withDerivedKeys, type ItemMetadata } from '../../app/format/header.js';
import { sealChunk } from '../../app/stream/stream.js';
import { LocalKeyProvider } from '../../app/keys/local.js';
import { Keyring, wipe, type CallOptions, type EncryptionContext, type KeyProvider, type KeyRef, type Stanza } from '../../app/keys/provider.js';
import { FolderStore } from '../../app/vault/folder-store.js';
import { IndexStore, type IndexEntries } from '../../app/vault/index-cache.js';
import { itemContext, itemFile, newId } from '../../app/vault/layout.js';
import { mapPool } from '../../app/vault/pool.js';
import { Vault } from '../../app/vault/vault.js';
import { log, median, positive, QUICK, report, round, runs } from './lib.mjs';

const ITEMS = positive(process.env.BENCH_ITEMS, QUICK ? 2000 : 100_000);
const RUNS = runs(3);
const TARGET_RATIO = 3;
const MAX_UNWRAPS = 2;

/** A provider that counts every call, by method. */
class CountingProvider implements KeyProvider {
  readonly type: KeyProvider['type'];
  readonly counts = new Map<string, number>();
  readonly #inner: KeyProvider;
  constructor(inner: KeyProvider) {
    this.#inner = inner;
    this.type = inner.type;
  }
  #count(k: string): void {
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
  generateDataKey(keyId: string, context: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    this.#count('generateDataKey');
    return this.#inner.generateDataKey(keyId, context, opts);
  }
  wrapKey(keyId: string, plaintext: Uint8Array, context: EncryptionContext, opts?: CallOptions): Promise<Stanza> {
    this.#count('wrapKey');
    return this.#inner.wrapKey(keyId, plaintext, context, opts);
  }
  unwrapKey(stanza: Stanza, context: EncryptionContext, opts?: CallOptions): Promise<Buffer> {
    this.#count('unwrapKey');
    return this.#inner.unwrapKey(stanza, context, opts);
  }
}

/**
 * One small envelope in memory, the steps of app/envelope.ts sealTo (SPEC §4-§6) for a body of
 * at most one chunk: sealFile/sealToWritable allocate and wipe three 2 MiB stream blocks per call
 * (measured: ~2.5 ms per 100-byte item), too slow to build 100,000 items.
 */
async function sealSmall(keyring: Keyring, keys: KeyRef[], context: EncryptionContext, metadata: ItemMetadata, body: Buffer): Promise<Buffer> {
  const g = await keyring.generate(keys, context);
  try {
    const salt = randomBytes(SALT_LENGTH);
    return await withDerivedKeys(g.plaintext, salt, async (k) => {
      const prefix = encodeHeaderPrefix({ chunkLog2: DEFAULT_CHUNK_LOG2, salt, context, commitment: k.commitment, meta: sealMetadata(k.metadata, metadata) });
      return Buffer.concat([encodeHeader(prefix, headerMac(k.header, prefix), g.stanzas), sealChunk(k.content, 0, true, body)]);
    });
  } finally {
    wipe(g.plaintext);
  }
}

async function buildVault(dir: string, local: LocalKeyProvider): Promise<void> {
  const keyring = new Keyring([local]);
  const keys = [{ provider: 'local' as const, keyId: local.keyId }];
  const v = await Vault.create(dir, { keys, keyring });
  const vaultId = v.id;
  v.close();
  const ids = Array.from({ length: ITEMS }, () => newId());
  const started = Date.now();
  const entries: IndexEntries = new Map();
  await mapPool(ids, 32, async (id, i) => {
    const path = `folder-${String(i % 100).padStart(3, '0')}/file-${String(i).padStart(6, '0')}.txt`;
    const body = Buffer.from(`item ${i}\n`.repeat(8));
    const mtime = 1_700_000_000_000 + i * 1000;
    const file = itemFile(dir, id);
    await writeFile(file, await sealSmall(keyring, keys, itemContext(vaultId, id), { path, size: body.length, mtime, type: 'text/plain' }, body));
    const st = await stat(file);
    entries.set(id, { path, size: body.length, mtime, type: 'text/plain', keys: [local.keyId], fsize: st.size, fmtime: st.mtimeMs });
  });
  // The fixture must be what the format says: open a few items through the real reader.
  for (const id of ids.slice(0, 3)) {
    const r = await openToBuffer(itemFile(dir, id), { keyring, expectContext: itemContext(vaultId, id), maxBytes: 4096 });
    if (r.data.length !== r.metadata.size) throw new Error(`fixture item ${id} does not open`);
  }
  const store = new IndexStore(new FolderStore(dir), vaultId, keyring);
  await store.write(entries, keys, 'any');
  store.close();
  log(`listing: built a vault of ${ITEMS} items in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function lsLR(dir: string): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn('ls', ['-lR', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`ls -lR exited ${code}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function listOnce(dir: string, master: Buffer): Promise<{ coldMs: number; warmMs: number; count: number; calls: number; detail: string }> {
  const counter = new CountingProvider(LocalKeyProvider.fromMasterKey(master));
  const keyring = new Keyring([counter]);
  const started = process.hrtime.bigint();
  const vault = await Vault.open(dir, { keyring });
  try {
    const items = await vault.list();
    const coldMs = Number(process.hrtime.bigint() - started) / 1e6;
    const calls = counter.total();
    const detail = [...counter.counts].map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
    const t2 = process.hrtime.bigint();
    const again = await vault.list();
    const warmMs = Number(process.hrtime.bigint() - t2) / 1e6;
    if (items.length !== ITEMS || again.length !== ITEMS) throw new Error(`listed ${items.length}/${again.length} of ${ITEMS} items`);
    return { coldMs, warmMs, count: items.length, calls, detail };
  } finally {
    vault.close();
  }
}

const work = await mkdtemp(join(tmpdir(), 'cachet-bench-list-'));
try {
  const master = Buffer.alloc(32, 5);
  const dir = join(work, 'vault');
  await buildVault(dir, LocalKeyProvider.fromMasterKey(master));
  const cold: number[] = [];
  const warm: number[] = [];
  const ls: number[] = [];
  const calls: number[] = [];
  let detail = '';
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? ['cachet', 'ls'] : ['ls', 'cachet'];
    for (const what of order) {
      if (what === 'ls') ls.push(await lsLR(dir));
      else {
        const r = await listOnce(dir, master);
        cold.push(r.coldMs);
        warm.push(r.warmMs);
        calls.push(r.calls);
        detail = r.detail;
      }
    }
    log(`listing run ${i + 1}/${RUNS}: open+list ${cold.at(-1)!.toFixed(0)} ms, list again ${warm.at(-1)!.toFixed(0)} ms, ls -lR ${ls.at(-1)!.toFixed(0)} ms, key calls ${calls.at(-1)}`);
  }
  const ratio = median(cold) / median(ls);
  await report({
    scenario: 'listing',
    title: `3) listing: a vault of ${ITEMS} items (local key), ${RUNS} run(s), medians`,
    rows: [
      { name: 'open + list (cold, in-process)', value: round(median(cold), 0), unit: 'ms' },
      { name: 'list again (warm)', value: round(median(warm), 0), unit: 'ms' },
      { name: 'ls -lR on the vault folder (child process)', value: round(median(ls), 0), unit: 'ms' },
      { name: 'open + list / ls -lR', value: round(ratio), unit: 'x' },
      { name: 'key-provider calls for open + 2 lists (each run)', value: calls.join(' '), unit: 'calls' },
      { name: 'key-provider calls by kind (last run)', value: detail, unit: '' },
    ],
    targets: [
      { name: `O(1) key calls: <= ${MAX_UNWRAPS} for open + list of ${ITEMS} items`, value: calls.join(' '), pass: calls.every((c) => c <= MAX_UNWRAPS) },
      { name: `open + list <= ${TARGET_RATIO}x ls -lR`, value: round(ratio), pass: ratio <= TARGET_RATIO },
    ],
    notes: ['items are real one-chunk envelopes (one data key each) written without fsync; the index is written once by IndexStore; 3 of them are opened by app/envelope.ts openToBuffer as a check'],
  });
} finally {
  await rm(work, { recursive: true, force: true });
}
