// Scenario 2 (issue 5): adding many small files to a KMS vault against moto. Counts the KMS
// commands the vault's client sends (an SDK middleware on the real KMSClient, by command name:
// one per send, whatever the retries) and compares the add rate with a bare SDK loop of
// GenerateDataKey at the same concurrency against the same moto, in the same run, alternating
// (bare, cachet, cachet, bare, ...). Each cachet run adds into a fresh vault on disk (temp dir).
// It does not mock anything: moto_server and @aws-sdk/client-kms are the real ones.
//
// Environment: BENCH_FILES (default 2000; 200 in BENCH_QUICK), BENCH_FILE_KB (4), BENCH_RUNS
// (3; 1 quick), BENCH_CONCURRENCY (the vault's default, 4).

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerateDataKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { AwsKmsProvider } from '../../app/keys/aws-kms.js';
import { Keyring } from '../../app/keys/provider.js';
import { Vault } from '../../app/vault/vault.js';
import { createTestKey, MOTO_CREDENTIALS, MOTO_REGION, startMoto } from '../../test/helpers/moto.js';
import { log, median, positive, QUICK, report, round, runs } from './lib.mjs';

const FILES = positive(process.env.BENCH_FILES, QUICK ? 200 : 2000);
const FILE_BYTES = positive(process.env.BENCH_FILE_KB, 4) * 1024;
const RUNS = runs(3);
const CONCURRENCY = positive(process.env.BENCH_CONCURRENCY, 4);
const TARGET_RATIO = 0.8;

type Counts = Map<string, number>;

/** Count every command this client sends, by name (initialize step: once per send). */
function counting(client: KMSClient, counts: Counts): KMSClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'cachetBenchCounter' },
  );
  return client;
}

/** CPU this process spent per item since `from` (process.cpuUsage), user and system, in ms. */
function cpuPer(from: NodeJS.CpuUsage, n: number): { user: number; sys: number } {
  const d = process.cpuUsage(from);
  return { user: d.user / 1000 / n, sys: d.system / 1000 / n };
}

async function bareLoop(endpoint: string, keyArn: string, n: number): Promise<{ seconds: number; calls: number; cpu: { user: number; sys: number } }> {
  const counts: Counts = new Map();
  const client = counting(new KMSClient({ endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS }), counts);
  try {
    // Warm the connection and credentials as the vault's client is warmed by create().
    await client.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }));
    counts.clear();
    let next = 0;
    const cpu0 = process.cpuUsage();
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const out = await client.send(new GenerateDataKeyCommand({
          KeyId: keyArn, KeySpec: 'AES_256',
          EncryptionContext: { 'cachet:item': i.toString(16).padStart(32, '0'), 'cachet:purpose': 'item', 'cachet:vault': 'f'.repeat(32) },
        }));
        out.Plaintext?.fill(0);
      }
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, calls: counts.get('GenerateDataKey') ?? 0, cpu: cpuPer(cpu0, n) };
  } finally {
    client.destroy();
  }
}

async function cachetAdd(endpoint: string, keyArn: string, srcDir: string, work: string, run: number): Promise<{ seconds: number; counts: Counts; added: number; failed: number; cpu: { user: number; sys: number } }> {
  const counts: Counts = new Map();
  const provider = new AwsKmsProvider({
    endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS,
    createClient: (config: KMSClientConfig) => counting(new KMSClient(config), counts),
  });
  const keyring = new Keyring([provider]);
  const dir = join(work, `vault-${run}`);
  const created = await Vault.create(dir, { keys: [{ provider: 'aws-kms', keyId: keyArn }], keyring });
  created.close();
  const vault = await Vault.open(dir, { keyring });
  try {
    counts.clear();
    const cpu0 = process.cpuUsage();
    const started = process.hrtime.bigint();
    const r = await vault.add([srcDir], { concurrency: CONCURRENCY });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, counts: new Map(counts), added: r.added.length, failed: r.failed.length, cpu: cpuPer(cpu0, FILES) };
  } finally {
    // The vault stays until the whole scenario ends (the work folder goes then): deleting its
    // 2,000 files here made the next run's creates slow. ext4 skips inodes freed in the last
    // seconds when it allocates one (recently_deleted() in __ext4_new_inode: 16% of all CPU in a
    // `perf record` of such a run), which is the benchmark's clean-up, not the add's work.
    vault.close();
  }
}

const work = await mkdtemp(join(tmpdir(), 'cachet-bench-many-'));
const moto = await startMoto();
try {
  const keyArn = await createTestKey(moto.endpoint);
  const srcDir = join(work, 'src');
  await mkdir(srcDir);
  for (let i = 0; i < FILES; i++) await writeFile(join(srcDir, `f-${String(i).padStart(5, '0')}.bin`), randomBytes(FILE_BYTES));
  const bare: number[] = [];
  const cachet: number[] = [];
  const gdk: number[] = [];
  const other = new Map<string, number>();
  let bareCalls = 0;
  const bareCpu: { user: number; sys: number }[] = [];
  const cachetCpu: { user: number; sys: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? ['bare', 'cachet'] : ['cachet', 'bare'];
    for (const what of order) {
      if (what === 'bare') {
        const b = await bareLoop(moto.endpoint, keyArn, FILES);
        bare.push(FILES / b.seconds);
        bareCalls = b.calls;
        bareCpu.push(b.cpu);
        log(`many-files run ${i + 1}/${RUNS} bare SDK GenerateDataKey: ${(FILES / b.seconds).toFixed(0)}/s`);
      } else {
        const c = await cachetAdd(moto.endpoint, keyArn, srcDir, work, i);
        if (c.added !== FILES || c.failed !== 0) throw new Error(`vault add: ${c.added} added, ${c.failed} failed of ${FILES}`);
        cachet.push(FILES / c.seconds);
        cachetCpu.push(c.cpu);
        gdk.push(c.counts.get('GenerateDataKey') ?? 0);
        for (const [k, v] of c.counts) if (k !== 'GenerateDataKey') other.set(k, Math.max(other.get(k) ?? 0, v));
        log(`many-files run ${i + 1}/${RUNS} cachet add: ${(FILES / c.seconds).toFixed(0)} files/s, KMS ${[...c.counts].map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
    }
  }
  const ratio = median(cachet) / median(bare);
  const exact = gdk.every((n) => n === FILES);
  await report({
    scenario: 'many-files',
    title: `2) many files: add ${FILES} files of ${FILE_BYTES / 1024} KiB to a KMS vault (moto), concurrency ${CONCURRENCY}, ${RUNS} run(s)`,
    rows: [
      { name: 'cachet add rate (median)', value: round(median(cachet), 0), unit: 'files/s' },
      { name: 'bare SDK GenerateDataKey rate (median)', value: round(median(bare), 0), unit: 'calls/s' },
      { name: 'cachet / bare SDK', value: round(ratio), unit: 'x' },
      { name: 'GenerateDataKey calls per add (each run)', value: gdk.join(' '), unit: 'calls' },
      // Both share 2 vCPUs with moto: CPU this process takes is CPU moto does not get.
      { name: 'CPU per item in this process, user / sys (medians): cachet add', value: `${round(median(cachetCpu.map((c) => c.user)), 2)} / ${round(median(cachetCpu.map((c) => c.sys)), 2)}`, unit: 'ms' },
      { name: 'CPU per item in this process, user / sys (medians): bare loop', value: `${round(median(bareCpu.map((c) => c.user)), 2)} / ${round(median(bareCpu.map((c) => c.sys)), 2)}`, unit: 'ms' },
      { name: 'bare loop GenerateDataKey calls (last run)', value: bareCalls, unit: 'calls' },
      { name: 'other KMS calls during add (max per run)', value: [...other].map(([k, v]) => `${k}=${v}`).join(' ') || 'none', unit: '' },
    ],
    targets: [
      { name: `exactly ${FILES} GenerateDataKey calls per add`, value: gdk.join(' '), pass: exact },
      { name: `add rate >= ${TARGET_RATIO}x bare SDK loop`, value: round(ratio), pass: ratio >= TARGET_RATIO },
    ],
    notes: ['KMS calls counted by an initialize-step middleware on the vault provider\'s own KMSClient (createClient seam): one count per send'],
  });
} finally {
  await moto.stop();
  await rm(work, { recursive: true, force: true });
}
