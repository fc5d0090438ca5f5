// A tiny run of `npm run bench` (4 MiB, one run each) so the script cannot rot: it must finish
// and print every row and the targets. No timing is asserted: that is the real bench's job.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, ROOT } from './app/cli/harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let dir: string;

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  dir = await mkdtemp(join(tmpdir(), 'cachet-bench-smoke-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
  await cleanupBuild?.();
});

test('the benchmark runs end to end on 4 MiB and prints its table', async () => {
  const out = join(dir, 'latest.json');
  const child = spawn(process.execPath, [join(ROOT, 'scripts/bench.mjs')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_SIZE_MB: '4', BENCH_RUNS: '1', BENCH_OUT: out, BENCH_CLI: cli, BENCH_DIR: join(dir, 'work') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  clearTimeout(timer);
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
