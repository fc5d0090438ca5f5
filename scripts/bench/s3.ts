// Scenario 5 (issue 13): S3 vaults against moto on loopback, every tool in the same run, each a
// process timed with /usr/bin/time (RSS):
//   - many small files into S3: `cachet add s3://…` (a KMS data key per file) vs rclone's crypt
//     backend over the same S3 (the best-known client-side encryption for S3) vs `aws s3 cp
//     --recursive` of the plaintext;
//   - one large file in and out: cachet add / get vs rclone crypt copy vs `aws s3 cp`; peak RSS;
//   - opening a vault of many items: the S3 requests `cachet ls` sends (counted by command name in
//     process, through the same Vault API), against the ListObjectsV2 pages the items need;
//   - renaming a large item: the bytes that cross the network (a TCP proxy counts them both ways).
// moto keeps objects in memory and answers on loopback, so the absolute rates are moto's; the
// ratios compare client work (encryption, key calls, request pattern) on one server.
//
// Environment: BENCH_QUICK=1 (small sizes), BENCH_FILES (1000), BENCH_SIZE_MB (1024), BENCH_ITEMS
// (20000), BENCH_RUNS (1). rclone (Debian package `rclone`) and the AWS CLI are skipped with a note
// when missing.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LocalKeyProvider } from '../../app/keys/local.js';
import { Keyring } from '../../app/keys/provider.js';
import { S3Store } from '../../app/vault/s3-store.js';
import { Vault } from '../../app/vault/vault.js';
import { createTestBucket, createTestKey, MOTO_CREDENTIALS, MOTO_REGION, startMoto } from '../../test/helpers/moto.js';
import { startCountingProxy } from '../../test/helpers/counting-proxy.js';
import { cliPath, log, makeRandomFile, median, positive, QUICK, report, round, runs, timed } from './lib.mjs';

const FILES = positive(process.env.BENCH_FILES, QUICK ? 50 : 1000);
const SIZE_MB = positive(process.env.BENCH_SIZE_MB, QUICK ? 16 : 1024);
const ITEMS = positive(process.env.BENCH_ITEMS, QUICK ? 300 : 20_000);
const RUNS = runs(1);
const MiB = 1024 * 1024;

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

const cli = cliPath();
if (!cli) throw new Error('no CLI bundle: run `npm run build` first');
const moto = await startMoto();
const work = await mkdtemp(join(tmpdir(), 'cachet-bench-s3-'));
const rows: { name: string; value: string | number | null; unit?: string }[] = [];
const targets: { name: string; value: string | number | null; pass: boolean | null }[] = [];
const notes: string[] = [];
try {
  await createTestKey(moto.endpoint, 'alias/bench');
  const env = { ...process.env, ...moto.env, CACHET_HOME: join(work, 'home') };
  const rcloneOk = has('rclone');
  const awsOk = has('aws');
  if (!rcloneOk) notes.push('rclone is not installed (apt-get install rclone): its rows are missing');
  if (!awsOk) notes.push('the AWS CLI is not installed: its rows are missing');
  // rclone from the environment only (no config file): an s3 remote on moto and a crypt remote on it.
  const obscured = rcloneOk ? spawnSync('rclone', ['obscure', 'bench passphrase'], { encoding: 'utf8' }).stdout.trim() : '';
  // No AWS_* variables: rclone's SDK reads them too (AWS_CA_BUNDLE and friends), and it is configured here.
  const noAws = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('AWS_')));
  const rcloneEnv = (bucket: string) => ({
    ...noAws, RCLONE_CONFIG: '/dev/null',
    RCLONE_CONFIG_MOTO_TYPE: 's3', RCLONE_CONFIG_MOTO_PROVIDER: 'Other', RCLONE_CONFIG_MOTO_ENDPOINT: moto.endpoint,
    RCLONE_CONFIG_MOTO_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    RCLONE_CONFIG_MOTO_REGION: MOTO_REGION, RCLONE_CONFIG_MOTO_FORCE_PATH_STYLE: 'true',
    RCLONE_CONFIG_SEALED_TYPE: 'crypt', RCLONE_CONFIG_SEALED_REMOTE: `moto:${bucket}/rclone`, RCLONE_CONFIG_SEALED_PASSWORD: obscured,
  });
  const awsArgs = ['--endpoint-url', moto.endpoint, '--region', MOTO_REGION, '--only-show-errors'];
  const rss = join(work, 'rss');

  // ---- many small files ----------------------------------------------------------------------
  const small = join(work, 'small');
  await mkdir(small);
  for (let i = 0; i < FILES; i++) await writeFile(join(small, `f${String(i).padStart(5, '0')}.txt`), randomBytes(4096));
  const rate: Record<string, number[]> = { cachet: [], rclone: [], aws: [] };
  for (let r = 0; r < RUNS; r++) {
    const bucket = await createTestBucket(moto);
    const vault = `s3://${bucket}/vault`;
    await timed([process.execPath, cli, 'init', vault, '--kms-key', 'alias/bench'], { env, rssFile: rss });
    const c = await timed([process.execPath, cli, 'add', vault, small], { env, rssFile: rss });
    rate.cachet!.push(FILES / c.seconds);
    if (rcloneOk) rate.rclone!.push(FILES / (await timed(['rclone', 'copy', small, 'sealed:small'], { env: rcloneEnv(bucket), rssFile: rss })).seconds);
    if (awsOk) rate.aws!.push(FILES / (await timed(['aws', 's3', 'cp', '--recursive', small, `s3://${bucket}/plain/`, ...awsArgs], { env, rssFile: rss })).seconds);
    log(`small files run ${r + 1}: cachet ${rate.cachet!.at(-1)!.toFixed(0)}/s, rclone ${rate.rclone!.at(-1)?.toFixed(0) ?? '-'}/s, aws ${rate.aws!.at(-1)?.toFixed(0) ?? '-'}/s`);
  }
  const m = (k: string): number | null => (rate[k]!.length ? median(rate[k]!) : null);
  rows.push({ name: `${FILES} x 4 KiB into S3: cachet add`, value: round(m('cachet')!, 0), unit: 'files/s' });
  rows.push({ name: '  rclone crypt copy', value: m('rclone') === null ? null : round(m('rclone')!, 0), unit: 'files/s' });
  rows.push({ name: '  aws s3 cp --recursive (plaintext)', value: m('aws') === null ? null : round(m('aws')!, 0), unit: 'files/s' });
  const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : round(a / b, 2));
  targets.push({ name: 'small files vs rclone crypt >= 1.0x', value: ratio(m('cachet'), m('rclone')), pass: m('rclone') === null ? null : m('cachet')! / m('rclone')! >= 1 });
  targets.push({ name: 'small files vs aws s3 cp >= 1.0x', value: ratio(m('cachet'), m('aws')), pass: m('aws') === null ? null : m('cachet')! / m('aws')! >= 1 });

  // ---- one large file in and out -------------------------------------------------------------
  const big = join(work, 'big.bin');
  await makeRandomFile(big, SIZE_MB * MiB);
  const bucket = await createTestBucket(moto);
  const vault = `s3://${bucket}/large`;
  await timed([process.execPath, cli, 'init', vault, '--kms-key', 'alias/bench'], { env, rssFile: rss });
  const cin = await timed([process.execPath, cli, 'add', vault, big], { env, rssFile: rss });
  const cout = await timed([process.execPath, cli, 'get', vault, 'big.bin', '-o', join(work, 'big.out')], { env, rssFile: rss });
  rows.push({ name: `${SIZE_MB} MiB in: cachet add`, value: round((SIZE_MB) / cin.seconds, 1), unit: 'MiB/s' });
  rows.push({ name: `${SIZE_MB} MiB out: cachet get`, value: round((SIZE_MB) / cout.seconds, 1), unit: 'MiB/s' });
  rows.push({ name: '  cachet peak RSS (in / out)', value: `${round(cin.rssMB, 0)} / ${round(cout.rssMB, 0)}`, unit: 'MB' });
  targets.push({ name: 'large file peak RSS < 150 MB', value: round(Math.max(cin.rssMB, cout.rssMB), 0), pass: Math.max(cin.rssMB, cout.rssMB) < 150 });
  if (rcloneOk) {
    const rin = await timed(['rclone', 'copy', big, 'sealed:large'], { env: rcloneEnv(bucket), rssFile: rss });
    const rout = await timed(['rclone', 'copy', 'sealed:large/big.bin', join(work, 'rclone-out')], { env: rcloneEnv(bucket), rssFile: rss });
    rows.push({ name: '  rclone crypt in / out', value: `${round(SIZE_MB / rin.seconds, 1)} / ${round(SIZE_MB / rout.seconds, 1)}`, unit: 'MiB/s' });
    rows.push({ name: '  rclone peak RSS (in / out)', value: `${round(rin.rssMB, 0)} / ${round(rout.rssMB, 0)}`, unit: 'MB' });
    targets.push({ name: 'large file in vs rclone crypt >= 1.0x', value: round(rin.seconds / cin.seconds, 2), pass: rin.seconds / cin.seconds >= 1 });
    targets.push({ name: 'large file out vs rclone crypt >= 1.0x', value: round(rout.seconds / cout.seconds, 2), pass: rout.seconds / cout.seconds >= 1 });
  }
  if (awsOk) {
    const ain = await timed(['aws', 's3', 'cp', big, `s3://${bucket}/plain/big.bin`, ...awsArgs], { env, rssFile: rss });
    const aout = await timed(['aws', 's3', 'cp', `s3://${bucket}/plain/big.bin`, join(work, 'aws-out.bin'), ...awsArgs], { env, rssFile: rss });
    rows.push({ name: '  aws s3 cp in / out (plaintext)', value: `${round(SIZE_MB / ain.seconds, 1)} / ${round(SIZE_MB / aout.seconds, 1)}`, unit: 'MiB/s' });
  }

  // ---- rename of the large item: bytes on the wire ---------------------------------------------
  const proxy = await startCountingProxy(moto.endpoint);
  try {
    const local = LocalKeyProvider.fromMasterKey(randomBytes(32));
    const keyring = new Keyring([local]);
    const rb = await createTestBucket(moto);
    const client = (endpoint: string) => new S3Client({ endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS, forcePathStyle: true });
    const direct = new S3Store({ bucket: rb, prefix: 'rename' }, client(moto.endpoint), { region: MOTO_REGION });
    const v = await Vault.create(direct, { keys: [{ provider: 'local', keyId: local.keyId }], keyring });
    const block = randomBytes(MiB);
    await v.addStream(Readable.from((function* () { for (let i = 0; i < SIZE_MB; i++) yield block; })()), 'big.bin', { size: SIZE_MB * MiB });
    v.close();
    const w = await Vault.open(new S3Store({ bucket: rb, prefix: 'rename' }, client(proxy.endpoint), { region: MOTO_REGION }), { keyring });
    await w.list();
    proxy.reset();
    await w.move('big.bin', 'archive/big.bin');
    w.close();
    const moved = (proxy.counts.up + proxy.counts.down) / MiB;
    rows.push({ name: `rename of a ${SIZE_MB} MiB item: bytes over the network`, value: round(moved, 2), unit: 'MiB' });
    targets.push({ name: 'rename moves < 16 MiB', value: round(moved, 2), pass: moved < 16 });
  } finally {
    await proxy.stop();
  }

  // ---- opening a vault of many items: requests -------------------------------------------------
  {
    const local = LocalKeyProvider.fromMasterKey(randomBytes(32));
    const keyring = new Keyring([local]);
    const ob = await createTestBucket(moto);
    const counts = new Map<string, number>();
    const counted = new S3Client({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS, forcePathStyle: true });
    counted.middlewareStack.add((next, context) => async (args) => {
      const n = String(context.commandName ?? '?').replace(/Command$/, '');
      counts.set(n, (counts.get(n) ?? 0) + 1);
      return next(args);
    }, { step: 'initialize', name: 'benchCount' });
    const v = await Vault.create(new S3Store({ bucket: ob, prefix: 'many' }, counted, { region: MOTO_REGION }), { keys: [{ provider: 'local', keyId: local.keyId }], keyring });
    log(`sealing ${ITEMS} items into s3://${ob}/many (this takes a while on moto)`);
    const src = join(work, 'many');
    await mkdir(src);
    for (let i = 0; i < ITEMS; i++) await writeFile(join(src, `i${i}.txt`), `item ${i}`);
    await v.add([src], { concurrency: 16 });
    v.close();
    counts.clear();
    const started = process.hrtime.bigint();
    const o = await Vault.open(new S3Store({ bucket: ob, prefix: 'many' }, counted, { region: MOTO_REGION }), { keyring });
    const n = (await o.list()).length;
    o.close();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const pages = Math.ceil(ITEMS / 1000);
    rows.push({ name: `open + list of ${n} items: S3 requests`, value: total, unit: `(${[...counts].map(([k, c]) => `${k} ${c}`).join(', ')})` });
    rows.push({ name: '  time', value: round(seconds, 2), unit: 's' });
    targets.push({ name: `open in O(list pages): requests <= pages (${pages}) + 8`, value: total, pass: total <= pages + 8 });
    // A bare put of one object for scale (not a target): how long moto takes per request here.
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 50; i++) await counted.send(new PutObjectCommand({ Bucket: ob, Key: `scale/${i}`, Body: 'x' }));
    rows.push({ name: '  moto round trip (PutObject, for scale)', value: round(Number(process.hrtime.bigint() - t0) / 1e6 / 50, 2), unit: 'ms' });
  }

  await report({ scenario: 's3', title: `5) S3 vaults on moto: ${FILES} small files, ${SIZE_MB} MiB in and out, ${ITEMS} items opened`, rows, targets, notes });
} finally {
  await moto.stop();
  await rm(work, { recursive: true, force: true });
}
