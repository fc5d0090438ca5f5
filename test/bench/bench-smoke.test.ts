// Tiny runs of both benchmarks, so neither can rot: scripts/bench.mjs (issue 2: 4 MiB, one run)
// and scripts/bench/all.mjs (issue 5: BENCH_QUICK=1, every scenario at toy sizes, one run). Each
// must finish and print every row, the targets and (all.mjs) the summary. No timing or target is
// asserted: that is the real bench's job; PASS and FAIL both count as printed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, ROOT } from '../app/cli/harness.js';

let cli: string;
let cleanupBuild: (() => Promise<void>) | undefined;
let dir: string;

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  dir = await mkdtemp(join(tmpdir(), 'cachet-bench-smoke-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
  await cleanupBuild?.();
});

/** Run a bench script with `env` added; its exit code and output (the tail of stderr). */
async function runBench(script: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-8000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const RESULT = '(PASS|FAIL|N/A)';
// .ci/run installs age; elsewhere the bench prints a note and skips its rows.
const AGE = spawnSync('age', ['--version']).status === 0;

test('the benchmark runs end to end on 4 MiB and prints its table', async () => {
  const out = join(dir, 'latest.json');
  const { code, stdout, stderr } = await runBench('scripts/bench.mjs', { BENCH_SIZE_MB: '4', BENCH_RUNS: '1', BENCH_OUT: out, BENCH_CLI: cli, BENCH_DIR: join(dir, 'work') }, 120_000);
  assert.equal(code, 0, stderr);
  for (const row of ['cachet encrypt', 'cachet decrypt', 'openssl-cbc encrypt', 'openssl-cbc decrypt', 'cp', 'cachet encrypt 0 B', 'openssl speed aes-256-gcm \\(64 KiB\\)']) {
    assert.match(stdout, new RegExp(`^${row}\\s+[-\\d.]+\\s`, 'm'), `row ${row}`);
  }
  assert.match(stdout, /^command\s+MB\/s\s+median s\s+peak RSS MB\s+runs$/m);
  assert.match(stdout, /encrypt cachet\/openssl-cbc\s+[\d.]+x/);
  assert.match(stdout, /(PASS|FAIL)\s+cachet peak RSS < 150 MB/);
  const json = JSON.parse(await readFile(out, 'utf8')) as { bytes: number; results: Record<string, { mbps: number | null; peakRssMB: number; runs: number[] }> };
  assert.equal(json.bytes, 4 * 1024 * 1024);
  for (const name of ['cachet encrypt', 'cachet decrypt', 'openssl-cbc encrypt', 'openssl-cbc decrypt', 'cp']) {
    const r = json.results[name]!;
    assert.equal(r.runs.length, 1, name);
    assert.ok(r.mbps !== null && r.mbps > 0, `${name} MB/s`);
    assert.ok(r.peakRssMB > 0, `${name} RSS`);
  }
});

test('every scenario of the issue-5 benchmark runs at toy sizes and prints its fields', { timeout: 330_000 }, async () => {
  const out = join(dir, 'scenarios.json');
  const { code, stdout, stderr } = await runBench('scripts/bench/all.mjs', { BENCH_QUICK: '1', BENCH_CLI: cli, BENCH_SCENARIOS_OUT: out, BENCH_DISK_DIR: dir }, 310_000);
  assert.equal(code, 0, `${stdout.slice(-3000)}\n${stderr}`);

  // 1) peers: every tool's row, the ratios and the targets.
  assert.match(stdout, /^== 1\) peers: 4 MiB random file/m);
  for (const tool of ['cachet', 'openssl-cbc', 'cp', 'node-copy', 'kms-copy', 'aws-esdk', ...(AGE ? ['age'] : [])]) {
    // Every tool has both columns: the copy floors' decrypt copies their copy in the same folder.
    assert.match(stdout, new RegExp(`^${tool}\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+$`, 'm'), `peer row ${tool}`);
  }
  for (const where of ['disk', 'tmpfs']) {
    for (const op of ['encrypt', 'decrypt']) {
      for (const peer of ['openssl-cbc', 'cp', 'node-copy', 'kms-copy', ...(AGE ? ['age'] : [])]) assert.match(stdout, new RegExp(`4 MiB ${where}: ${op} cachet/${peer}\\s+[\\d.]+\\s+x`), `${where} ${op} vs ${peer}`);
      for (const floor of ['cp', 'node-copy', 'kms-copy']) assert.match(stdout, new RegExp(`4 MiB ${where}: 2x openssl-cbc ${op} rate / ${floor} rate .*\\s+[\\d.]+\\s+x`), `${where} ${op}: the cbc target as a share of ${floor}`);
    }
    assert.match(stdout, new RegExp(`${RESULT}\\s+4 MiB ${where} cachet peak RSS < 100 MB`));
    assert.match(stdout, new RegExp(`${RESULT}\\s+4 MiB ${where} encrypt >= 2x openssl-cbc`));
    if (AGE) assert.match(stdout, new RegExp(`${RESULT}\\s+4 MiB ${where} decrypt >= 1.3x age`));
  }
  assert.match(stdout, /openssl speed -evp aes-256-gcm .*\s+[\d.]+\s+MB\/s/);

  // 2) many files: exact GenerateDataKey count and the rate ratio.
  assert.match(stdout, /^== 2\) many files: add 200 files/m);
  assert.match(stdout, /GenerateDataKey calls per add \(each run\)\s+200\s+calls/);
  assert.match(stdout, new RegExp(`${RESULT}\\s+exactly 200 GenerateDataKey calls per add`));
  assert.match(stdout, /cachet \/ bare SDK\s+[\d.]+\s+x/);
  assert.match(stdout, /CPU per item in this process, user \/ sys \(medians\): cachet add\s+[\d.]+ \/ [\d.]+\s+ms/);

  // 3) listing: key calls counted, ratio to ls -lR.
  assert.match(stdout, /^== 3\) listing: a vault of 2000 items/m);
  assert.match(stdout, /key-provider calls for open \+ 2 lists \(each run\)\s+\d+\s+calls/);
  assert.match(stdout, /open \+ list \/ ls -lR\s+[\d.]+\s+x/);

  // 4) responsiveness: IPC latency while sealing, renderer frames (unless Chromium is missing).
  assert.match(stdout, /^== 4\) responsiveness/m);
  assert.match(stdout, /items:list latency while sealing 16 MiB \(median of \d+\)\s+[\d.]+\s+ms/);
  assert.match(stdout, /event-loop blocking while sealing, p50 \/ p99 \/ max\s+[\d.]+ \/ [\d.]+ \/ [\d.]+\s+ms/);
  assert.match(stdout, new RegExp(`${RESULT}\\s+renderer scroll median frame < 16.7 ms`));

  // 5) S3: every peer that is installed, the open's request count, the rename's bytes.
  assert.match(stdout, /^== 5\) S3 vaults on moto/m);
  assert.match(stdout, /x 4 KiB into S3: cachet add\s+\d+\s+files\/s/);
  assert.match(stdout, /open \+ list of \d+ items: S3 requests\s+\d+/);
  assert.match(stdout, new RegExp(`${RESULT}\\s+rename moves < 16 MiB`));
  assert.match(stdout, new RegExp(`${RESULT}\\s+open in O\\(list pages\\)`));

  // The summary: one line per target, each PASS, FAIL or N/A, none ERROR.
  assert.match(stdout, /^== summary/m);
  assert.doesNotMatch(stdout, /ERROR|FAILED TO RUN/);
  const json = JSON.parse(await readFile(out, 'utf8')) as { quick: boolean; results: { scenario: string; targets: { pass: boolean | null }[]; error?: string }[] };
  assert.equal(json.quick, true);
  assert.deepEqual(json.results.map((r) => r.scenario), ['peers', 'many-files', 'listing', 'responsive', 's3']);
  for (const r of json.results) {
    assert.equal(r.error, undefined, r.scenario);
    assert.ok(r.targets.length >= 2, `${r.scenario} targets`);
  }
});
