// `npm run bench` (not a test): Cachet's encrypt/decrypt against `openssl enc -aes-256-cbc
// -pbkdf2` (the common shell recipe), with `openssl speed -evp aes-256-gcm` as the cipher ceiling
// and `cp` as the I/O floor, all in one run on one random file. Runs alternate order (cachet
// first, then openssl first, ...); each figure is the median of BENCH_RUNS runs. Peak memory is
// the max RSS that /usr/bin/time reports. Prints a table, PASS/FAIL against the targets (it never
// exits non-zero for a missed target), and writes bench-results/latest.json.
//
// Environment:
//   BENCH_SIZE_MB  size of the random file in MiB (default 1024)
//   BENCH_RUNS     runs per command (default 3)
//   BENCH_DIR      where the work files go (default: a new folder under the OS temp dir)
//   BENCH_OUT      where the JSON goes (default bench-results/latest.json)
//   BENCH_CLI      the CLI bundle to run (default dist/cli/cachet.js; the smoke test builds its own)
//   BENCH_SKIP_KMS=1  no KMS rows
// Cachet runs on its primary path, `cachet-kms`: an AWS KMS key on a private moto_server (the
// CLI child gets AWS_ENDPOINT_URL_KMS and test credentials); the targets are judged on it. The
// `cachet` rows use a local key (CACHET_HOME in the work folder, CACHET_PASSPHRASE set) with the
// real key-file KDF parameters (scrypt N=2^17, r=8: 128 MiB and ~0.25 s per run, the same at
// every file size): a fixed cost of unlocking the key file, not of streaming; printed, not judged.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomFillSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startBenchMoto } from './bench/lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : join(ROOT, 'dist/cli/cachet.js');
const SIZE_MB = positive(process.env.BENCH_SIZE_MB, 1024);
const RUNS = positive(process.env.BENCH_RUNS, 3);
const OUT = resolve(ROOT, process.env.BENCH_OUT ?? 'bench-results/latest.json');
const PASS = 'cachet-bench-passphrase';
const TARGETS = { speedRatio: 1.0, peakRssMB: 150 };

function positive(v, dflt) {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n : dflt;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command under /usr/bin/time; returns wall seconds and peak RSS in MB. Throws on failure. */
async function timed(name, argv, env) {
  const rssFile = join(work, `.rss-${process.pid}`);
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => (stderr = (stderr + s).slice(-2000)));
  const [code] = await once(child, 'close');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${name} failed (exit ${code}): ${stderr.trim()}`);
  const kb = Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop());
  return { seconds, rssMB: kb / 1024 };
}

async function makeRandomFile(path, mib) {
  const out = createWriteStream(path);
  const block = Buffer.alloc(1 << 20);
  const whole = Math.floor(mib);
  for (let i = 0; i < whole; i++) {
    randomFillSync(block);
    if (!out.write(Buffer.from(block))) await once(out, 'drain');
  }
  const rest = Math.round((mib - whole) * (1 << 20));
  if (rest > 0) out.write(randomFillSync(Buffer.alloc(rest)));
  out.end();
  await once(out, 'finish');
}

function opensslSpeed() {
  const r = spawnSync('openssl', ['speed', '-evp', 'aes-256-gcm', '-seconds', '1', '-bytes', '65536'], { encoding: 'utf8', timeout: 60_000 });
  const m = /AES-256-GCM\s+([\d.]+)k/i.exec(r.stdout ?? '');
  return m ? (Number(m[1]) * 1000) / 1e6 : null;
}

if (!existsSync(CLI)) {
  console.error('bench: dist/cli/cachet.js is missing; run `npm run build` (npm run bench does).');
  process.exit(1);
}

let kms = null;
const work = process.env.BENCH_DIR ? resolve(process.env.BENCH_DIR) : await mkdtemp(join(tmpdir(), 'cachet-bench-'));
await mkdir(work, { recursive: true });
const env = { ...process.env, CACHET_HOME: join(work, 'home'), CACHET_PASSPHRASE: PASS };
delete env.CACHET_DEBUG;
const src = join(work, 'plain.bin');
const bytes = Math.round(SIZE_MB * (1 << 20));

try {
  process.stderr.write(`bench: writing ${SIZE_MB} MiB of random data to ${src}\n`);
  await makeRandomFile(src, SIZE_MB);
  await writeFile(join(work, 'empty.bin'), '');

  // The local key file, made once (by initialising a throwaway vault).
  const init = spawnSync(process.execPath, [CLI, 'init', join(work, 'vault'), '--local'], { env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`cachet init --local failed: ${init.stderr}`);

  const node = process.execPath;
  kms = process.env.BENCH_SKIP_KMS === '1' ? null : await startBenchMoto().catch((e) => {
    process.stderr.write(`bench: moto_server could not start, no KMS rows: ${String(e?.message ?? e).split('\n')[0]}\n`);
    return null;
  });
  const kmsEnv = kms ? { ...env, ...kms.env } : env;
  const cmds = {
    'cachet encrypt': [node, CLI, 'encrypt', src, '--local', '-o', join(work, 'c.env')],
    'cachet decrypt': [node, CLI, 'decrypt', join(work, 'c.env'), '-o', join(work, 'c.out')],
    'openssl-cbc encrypt': ['openssl', 'enc', '-aes-256-cbc', '-pbkdf2', '-pass', `pass:${PASS}`, '-in', src, '-out', join(work, 'o.enc')],
    'openssl-cbc decrypt': ['openssl', 'enc', '-d', '-aes-256-cbc', '-pbkdf2', '-pass', `pass:${PASS}`, '-in', join(work, 'o.enc'), '-out', join(work, 'o.out')],
    cp: ['cp', src, join(work, 'cp.out')],
    // Start-up and key unlock alone (scrypt N=2^17 takes 128 MiB and ~0.3 s): the fixed cost in
    // every cachet row above, whatever the file size.
    'cachet encrypt 0 B': [node, CLI, 'encrypt', join(work, 'empty.bin'), '--local', '-o', join(work, 'e.env')],
  };
  if (kms) {
    cmds['cachet-kms encrypt'] = [node, CLI, 'encrypt', src, '--kms-key', kms.keyArn, '-o', join(work, 'k.env')];
    cmds['cachet-kms decrypt'] = [node, CLI, 'decrypt', join(work, 'k.env'), '-o', join(work, 'k.out')];
    cmds['cachet-kms encrypt 0 B'] = [node, CLI, 'encrypt', join(work, 'empty.bin'), '--kms-key', kms.keyArn, '-o', join(work, 'ke.env')];
  }
  const PRIMARY = kms ? 'cachet-kms' : 'cachet';
  const samples = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  const clean = async (...names) => Promise.all(names.map((n) => rm(join(work, n), { force: true })));
  const run = async (name) => {
    spawnSync('sync'); // untimed: no command pays for the write-back of the one before
    const s = await timed(name, cmds[name], name.startsWith('cachet-kms') ? kmsEnv : env);
    samples[name].push(s);
    const rate = name.endsWith(' 0 B') ? `${s.seconds.toFixed(2).padStart(6)} s   ` : `${(bytes / 1e6 / s.seconds).toFixed(0).padStart(6)} MB/s`;
    process.stderr.write(`bench: ${name.padEnd(20)} ${rate}  ${s.rssMB.toFixed(0)} MB\n`);
  };

  const tools = ['cachet', 'openssl-cbc', ...(kms ? ['cachet-kms'] : [])];
  for (let i = 0; i < RUNS; i++) {
    const rot = tools.slice(i % tools.length).concat(tools.slice(0, i % tools.length));
    const order = i % 2 ? rot.reverse() : rot;
    await clean('c.env', 'o.enc', 'k.env');
    for (const a of order) await run(`${a} encrypt`);
    await clean('c.out', 'o.out', 'k.out');
    for (const a of order) await run(`${a} decrypt`);
    await clean('cp.out', 'e.env', 'ke.env');
    await run('cp');
    await run('cachet encrypt 0 B');
    if (kms) await run('cachet-kms encrypt 0 B');
    await clean('c.out', 'o.out', 'cp.out', 'k.out');
  }

  // Round-trip sanity: a benchmark of a broken decrypt is worthless.
  await run('cachet decrypt');
  const outSize = (await stat(join(work, 'c.out'))).size;
  if (outSize !== bytes) throw new Error(`cachet decrypt wrote ${outSize} bytes, expected ${bytes}`);
  samples['cachet decrypt'].pop();

  const gcmMBps = opensslSpeed();
  const results = {};
  for (const [name, xs] of Object.entries(samples)) {
    const med = median(xs.map((x) => x.seconds));
    results[name] = {
      runs: xs.map((x) => Number(x.seconds.toFixed(4))),
      medianSeconds: Number(med.toFixed(4)),
      mbps: name.endsWith(' 0 B') ? null : Number((bytes / 1e6 / med).toFixed(1)),
      peakRssMB: Number(Math.max(...xs.map((x) => x.rssMB)).toFixed(1)),
    };
  }
  const ratio = (a, b) => Number((results[a].mbps / results[b].mbps).toFixed(2));
  const ratios = {};
  for (const who of kms ? ['cachet-kms', 'cachet'] : ['cachet']) {
    ratios[`encrypt ${who}/openssl-cbc`] = ratio(`${who} encrypt`, 'openssl-cbc encrypt');
    ratios[`decrypt ${who}/openssl-cbc`] = ratio(`${who} decrypt`, 'openssl-cbc decrypt');
    ratios[`encrypt ${who}/cp`] = ratio(`${who} encrypt`, 'cp');
    ratios[`decrypt ${who}/cp`] = ratio(`${who} decrypt`, 'cp');
  }
  const rssOf = (who) => Math.max(results[`${who} encrypt`].peakRssMB, results[`${who} decrypt`].peakRssMB);
  const cachetRss = rssOf(PRIMARY);
  // What the file's size adds to the peak, over start-up and unlock (flat in size means ~0).
  const rssGrowthMB = Number((cachetRss - results[`${PRIMARY} encrypt 0 B`].peakRssMB).toFixed(1));
  const keyName = kms ? 'KMS key' : 'local key file';
  const targets = [
    { name: `encrypt >= ${TARGETS.speedRatio}x openssl-cbc (${keyName})`, value: ratios[`encrypt ${PRIMARY}/openssl-cbc`], pass: ratios[`encrypt ${PRIMARY}/openssl-cbc`] >= TARGETS.speedRatio },
    { name: `decrypt >= ${TARGETS.speedRatio}x openssl-cbc (${keyName})`, value: ratios[`decrypt ${PRIMARY}/openssl-cbc`], pass: ratios[`decrypt ${PRIMARY}/openssl-cbc`] >= TARGETS.speedRatio },
    { name: `cachet peak RSS < ${TARGETS.peakRssMB} MB (${keyName})`, value: cachetRss, pass: cachetRss < TARGETS.peakRssMB },
  ];

  const rows = [
    ['command', 'MB/s', 'median s', 'peak RSS MB', 'runs'],
    ...Object.entries(results).map(([n, r]) => [n, r.mbps === null ? '-' : r.mbps.toFixed(1), r.medianSeconds.toFixed(3), r.peakRssMB.toFixed(1), String(r.runs.length)]),
    ['openssl speed aes-256-gcm (64 KiB)', gcmMBps === null ? 'n/a' : gcmMBps.toFixed(1), '-', '-', '-'],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  let text = `\nCachet benchmark: ${SIZE_MB} MiB random file, ${RUNS} run(s) each, medians, alternating order\n\n`;
  text += `${fmt(rows[0])}\n${rows.slice(1).map(fmt).join('\n')}\n\nratios\n`;
  for (const [k, v] of Object.entries(ratios)) text += `  ${k.padEnd(32)} ${v.toFixed(2)}x\n`;
  text += `  ${`${PRIMARY} RSS over a 0 B run`.padEnd(32)} ${rssGrowthMB} MB (start-up + key: ${results[`${PRIMARY} encrypt 0 B`].peakRssMB} MB, ${results[`${PRIMARY} encrypt 0 B`].medianSeconds} s)\n`;
  text += `  ${'cachet (local key) 0 B run'.padEnd(32)} ${results['cachet encrypt 0 B'].peakRssMB} MB, ${results['cachet encrypt 0 B'].medianSeconds} s: the key file's scrypt (N=2^17, r=8: 128 MiB) is most of both\n`;
  text += '\ntargets\n';
  for (const t of targets) text += `  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name} (${t.value})\n`;
  process.stdout.write(text);

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    openssl: spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim(),
  };
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(
    OUT,
    JSON.stringify({ date: new Date().toISOString(), machine, sizeMiB: SIZE_MB, bytes, runs: RUNS, workDir: work, results, opensslSpeedGcmMBps: gcmMBps, ratios, rssGrowthMB, targets }, null, 2) + '\n',
  );
  process.stdout.write(`\nwrote ${OUT}\n`);
} finally {
  await kms?.stop();
  if (!process.env.BENCH_DIR) await rm(work, { recursive: true, force: true });
  else await Promise.all(['plain.bin', 'empty.bin', 'e.env', 'c.env', 'c.out', 'o.enc', 'o.out', 'cp.out', 'k.env', 'k.out', 'ke.env'].map((n) => rm(join(work, n), { force: true })));
}
