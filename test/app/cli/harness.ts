// Test harness for the CLI end-to-end tests: builds the CLI bundle once per test file and runs it
// as a child process with a sealed-off environment (its own CACHET_HOME, HOME and empty AWS
// files, so neither the developer's ~/.cachet nor ~/.aws leaks in).
//
// Why not `node scripts/build.mjs`: that script starts with `rm -rf dist`, so with the runner's
// test concurrency one file's build would delete the CLI another file's children are running.
// buildCli() runs the same esbuild job as build.mjs's CLI entry (scripts/cli-build.mjs) into a
// private folder under node_modules/.cache, where node still resolves the external npm packages
// from the repo's node_modules.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { cliBuildOptions } from '../../../scripts/cli-build.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Smallest scrypt N the key-file reader accepts (SPEC §8): fast tests. Only tests set it. */
export const TEST_SCRYPT_N = '16384';
export const PASSPHRASE = 'correct horse battery staple';
const RUN_TIMEOUT_MS = 120_000;

/** Builds app/cli/main.ts into a private folder; returns the CLI path. */
export async function buildCli(): Promise<{ cli: string; cleanup: () => Promise<void> }> {
  const outdir = join(ROOT, 'node_modules', '.cache', 'cachet-cli-test', `${process.pid}-${Date.now()}`);
  await mkdir(outdir, { recursive: true });
  await build(cliBuildOptions({ outdir, logLevel: 'error', absWorkingDir: ROOT }));
  return { cli: join(outdir, 'cachet.js'), cleanup: () => rm(outdir, { recursive: true, force: true }) };
}

export interface Sandbox {
  readonly dir: string;
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** A temp folder with a home for the local key and empty AWS files. */
export async function makeSandbox(extraEnv: Record<string, string> = {}): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'cachet-cli-'));
  await mkdir(join(dir, 'home'));
  await writeFile(join(dir, 'aws-config'), '');
  await writeFile(join(dir, 'aws-credentials'), '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    CACHET_HOME: join(dir, 'cachet-home'),
    CACHET_PASSPHRASE: PASSPHRASE,
    CACHET_TEST_SCRYPT_N: TEST_SCRYPT_N,
    AWS_CONFIG_FILE: join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extraEnv,
  };
  return { dir, env, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  env: Record<string, string>;
  cwd?: string;
  input?: Buffer | string;
  timeoutMs?: number;
}

/**
 * Runs the CLI to completion (bounded: killed after timeoutMs). The child gets its own session
 * (detached), so it has no controlling terminal and cannot prompt.
 */
export function runCli(cli: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const child = spawnCli(cli, args, opts);
  return collect(child, opts.timeoutMs ?? RUN_TIMEOUT_MS, opts.input);
}

export function spawnCli(cli: string, args: readonly string[], opts: RunOptions): ChildProcess {
  return spawn(process.execPath, [cli, ...args], { env: opts.env, cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
}

export function collect(child: ChildProcess, timeoutMs: number, input?: Buffer | string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin!.on('error', () => {}); // the CLI may exit before reading stdin
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

/** The non-empty lines of a stderr, for asserting "one line per failure". */
export function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.trim() !== '');
}

/** A sparse file of `size` zero bytes: no disk to make, seconds to seal or open (a window to signal into). */
export async function sparseFile(path: string, size: number): Promise<void> {
  const fh = await open(path, 'w');
  await fh.truncate(size);
  await fh.close();
}
