// Shared pieces of the issue-5 benchmark scenarios (scripts/bench/*.ts, *.mjs): sizes from the
// environment, medians, a timed child process under /usr/bin/time (wall seconds + peak RSS), a
// random source file, and the one result format every scenario hands back to all.mjs.
// It measures nothing itself and sets no targets: each scenario names its own.
//
// Result format: a scenario writes JSON to $BENCH_RESULT_FILE (when set) and prints its own table:
//   { scenario, title, text?, rows: [{ name, value, unit }], targets: [{ name, value, pass }], notes: [] }
// (`text`: an extra preformatted table; `pass` null: not measurable here.)
// Only ratios taken within one run count (the machines are noisy); absolute figures are context.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const QUICK = process.env.BENCH_QUICK === '1';
export const LARGE = process.argv.includes('--large') || process.env.BENCH_LARGE === '1';

export function positive(v, dflt) {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n : dflt;
}

/** Runs per measurement: BENCH_RUNS, else 1 in quick mode, else `dflt`. */
export function runs(dflt = 3) {
  return positive(process.env.BENCH_RUNS, QUICK ? 1 : dflt);
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const round = (x, d = 2) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

/**
 * Run argv under /usr/bin/time -f %M; returns wall seconds (measured here) and peak RSS in MB.
 * Throws with the tail of stderr on a non-zero exit: a failed run is never a fast one.
 */
export async function timed(argv, { env = process.env, cwd = ROOT, rssFile }) {
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, ...argv], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => (stderr = (stderr + s).slice(-2000)));
  const [code] = await once(child, 'close');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} failed (exit ${code}): ${stderr.trim()}`);
  const kb = Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop());
  return { seconds, rssMB: kb / 1024 };
}

/** A file of `bytes` random bytes (1 MiB blocks; the last one partial). */
export async function makeRandomFile(path, bytes) {
  const out = createWriteStream(path);
  const block = Buffer.alloc(1 << 20);
  for (let left = bytes; left > 0; left -= block.length) {
    randomFillSync(block);
    const part = left >= block.length ? Buffer.from(block) : Buffer.from(block.subarray(0, left));
    if (!out.write(part)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Fixed-width table: first column left-aligned, the rest right-aligned. */
export function table(rows) {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

export function targetLine(t) {
  return `  ${t.pass === null ? 'N/A ' : t.pass ? 'PASS' : 'FAIL'}  ${t.name} (${t.value ?? 'n/a'})`;
}

/** Hand the result to all.mjs (BENCH_RESULT_FILE) and print the scenario's own table. */
export async function report(result) {
  let text = `\n== ${result.title}\n`;
  if (result.text) text += `${result.text}\n\n`;
  text += table([['measure', 'value', 'unit'], ...result.rows.map((r) => [r.name, r.value, r.unit ?? ''])]) + '\n';
  if (result.targets.length > 0) text += 'targets\n' + result.targets.map(targetLine).join('\n') + '\n';
  for (const n of result.notes ?? []) text += `  note: ${n}\n`;
  process.stdout.write(text);
  if (process.env.BENCH_RESULT_FILE) await writeFile(process.env.BENCH_RESULT_FILE, JSON.stringify(result, null, 2) + '\n');
}

/** The CLI bundle to measure: BENCH_CLI, else dist/cli/cachet.js, else null (caller falls back). */
export function cliPath() {
  const p = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : join(ROOT, 'dist/cli/cachet.js');
  return existsSync(p) ? p : null;
}

export function log(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

/**
 * A private moto_server (test/helpers/moto.ts, loaded through tsx) with one symmetric KMS key:
 * `{ keyArn, env, stop }`, `env` being what a CLI child needs (AWS_ENDPOINT_URL_KMS, test
 * credentials, region, empty AWS config files). Throws if moto_server is not installed.
 */
export async function startBenchMoto() {
  const { tsImport } = await import('tsx/esm/api');
  const { startMoto, createTestKey } = await tsImport('../../test/helpers/moto.ts', import.meta.url);
  const moto = await startMoto();
  try {
    const keyArn = await createTestKey(moto.endpoint);
    return { keyArn, env: moto.env, stop: () => moto.stop() };
  } catch (e) {
    await moto.stop();
    throw e;
  }
}
