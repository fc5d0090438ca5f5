// Issue 5's benchmark: runs every scenario in sequence, each in its own node process (so one's
// memory and event loop never colour another's), then prints one summary table of the measured
// ratios and targets and writes them all to bench-results/scenarios.json (BENCH_SCENARIOS_OUT).
//   1) peers.mjs       cachet CLI vs openssl-cbc, age, AWS Encryption SDK, cp, openssl speed
//   2) many-files.ts   2,000 x 4 KiB into a KMS vault on moto vs a bare SDK GenerateDataKey loop
//   3) listing.ts      a 100,000-item vault: key calls and time vs `ls -lR`
//   4) responsive.ts   IPC latency while sealing; renderer frame times scrolling 100,000 items
//   5) s3.ts           S3 vaults on moto: cachet vs rclone crypt and `aws s3 cp`; open requests; rename bytes
// `npm run bench` runs scripts/bench.mjs (issue 2) and then this. It never fails on a missed
// target (PASS/FAIL is printed); it exits 1 only when a scenario cannot run to the end.
//
// Environment: BENCH_QUICK=1 (every scenario tiny: a smoke test, seconds), BENCH_ONLY=a,b (names
// above without extension), BENCH_RUNS, BENCH_SIZE_MB, BENCH_ITEMS, BENCH_FILES; --large adds
// the 4 GiB peer runs.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { LARGE, QUICK, ROOT, table } from './lib.mjs';

const SCENARIOS = [
  { name: 'peers', file: 'peers.mjs', tsx: false /* loads test/helpers/moto.ts itself (tsx/esm/api) */ },
  { name: 'many-files', file: 'many-files.ts', tsx: true },
  { name: 'listing', file: 'listing.ts', tsx: true },
  { name: 'responsive', file: 'responsive.ts', tsx: true },
  { name: 's3', file: 's3.ts', tsx: true },
];
const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const chosen = only.length ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
const OUT = resolve(ROOT, process.env.BENCH_SCENARIOS_OUT ?? 'bench-results/scenarios.json');

function machine() {
  const sh = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    openssl: sh('openssl', ['version']),
    age: sh('age', ['--version']) || null,
    disk: sh('df', ['-h', '--output=source,fstype,size', tmpdir()]).split('\n').pop() ?? '',
  };
}

const tmp = await mkdtemp(join(tmpdir(), 'cachet-bench-all-'));
const results = [];
let crashed = 0;
try {
  process.stdout.write(`Cachet scenario benchmark${QUICK ? ' (BENCH_QUICK: tiny sizes, smoke test only)' : ''}${LARGE ? ' --large' : ''}\n`);
  for (const s of chosen) {
    const resultFile = join(tmp, `${s.name}.json`);
    const argv = [...(s.tsx ? ['--import', 'tsx'] : []), join(ROOT, 'scripts/bench', s.file), ...(LARGE ? ['--large'] : [])];
    const started = Date.now();
    const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, BENCH_RESULT_FILE: resultFile }, stdio: ['ignore', 'inherit', 'inherit'] });
    const [code] = await once(child, 'close');
    const seconds = (Date.now() - started) / 1000;
    if (code !== 0) {
      crashed++;
      results.push({ scenario: s.name, error: `exited ${code}`, seconds });
      process.stdout.write(`\n== ${s.name}: FAILED TO RUN (exit ${code})\n`);
      continue;
    }
    const r = JSON.parse(await readFile(resultFile, 'utf8'));
    results.push({ ...r, seconds });
  }

  const rows = [['scenario', 'target', 'measured', 'result']];
  for (const r of results) {
    if (r.error) rows.push([r.scenario, '(scenario did not complete)', r.error, 'ERROR']);
    else for (const t of r.targets) rows.push([r.scenario, t.name, t.value ?? 'n/a', t.pass === null ? 'N/A' : t.pass ? 'PASS' : 'FAIL']);
  }
  process.stdout.write(`\n== summary (${results.map((r) => `${r.scenario} ${r.seconds.toFixed(0)} s`).join(', ')})\n${table(rows)}\n`);
  const pass = results.flatMap((r) => r.targets ?? []).filter((t) => t.pass === true).length;
  const fail = results.flatMap((r) => r.targets ?? []).filter((t) => t.pass === false).length;
  process.stdout.write(`\ntargets: ${pass} PASS, ${fail} FAIL${crashed ? `, ${crashed} scenario(s) did not run` : ''}\n`);

  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, JSON.stringify({ date: new Date().toISOString(), quick: QUICK, large: LARGE, machine: machine(), results }, null, 2) + '\n');
  process.stdout.write(`wrote ${OUT}\n`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
process.exit(crashed ? 1 : 0);
