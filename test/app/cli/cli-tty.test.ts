// The CLI on a terminal, through util-linux `script` (a pty): the passphrase prompt (typed twice
// for a new key, no echo, a mismatch asked again) and the progress bar on stderr. Skipped where
// `script` is missing. Every wait has a deadline.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli, makeSandbox, type Sandbox } from './harness.js';

const HAVE_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const DEADLINE_MS = 30_000;
const TYPED = 'pty-secret-42';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;

before(async () => {
  if (!HAVE_SCRIPT) return;
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox();
  delete (sb.env as Record<string, string | undefined>).CACHET_PASSPHRASE;
  const fh = await open(join(sb.dir, 'big.bin'), 'w');
  await fh.truncate(300 * 1024 * 1024);
  await fh.close();
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

/** A CLI run on a pty; `answer` waits for text in the output, then types a line. */
class PtyRun {
  readonly child: ChildProcess;
  output = '';
  readonly #exit: Promise<number | null>;

  constructor(args: string[]) {
    const cmd = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    this.child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: sb.dir, env: { ...sb.env, TERM: 'xterm', COLUMNS: '100' }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.output += s));
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.output += s));
    this.#exit = new Promise((r) => this.child.on('close', (c) => r(c)));
  }

  async waitFor(re: RegExp, from = 0): Promise<void> {
    const deadline = Date.now() + DEADLINE_MS;
    while (!re.test(this.output.slice(from))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; output: ${JSON.stringify(this.output)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async answer(prompt: RegExp, text: string): Promise<void> {
    const from = this.output.length;
    await this.waitFor(prompt, Math.max(0, from - 200));
    this.child.stdin!.write(`${text}\r`);
    await this.waitFor(/\n/, from);
  }

  async exit(): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), DEADLINE_MS);
    try {
      return await this.#exit;
    } finally {
      clearTimeout(timer);
      this.child.stdin!.end();
    }
  }
}

test('init --local asks for a new passphrase twice, again on a mismatch, without echo', { skip: !HAVE_SCRIPT && 'util-linux script is not installed' }, async () => {
  const r = new PtyRun(['init', 'v', '--local']);
  await r.answer(/New passphrase for the local key: $/, TYPED);
  await r.answer(/Repeat the passphrase: $/, 'something else');
  await r.waitFor(/do not match/);
  await r.answer(/New passphrase for the local key: $/, TYPED);
  await r.answer(/Repeat the passphrase: $/, TYPED);
  assert.equal(await r.exit(), 0, r.output);
  assert.ok(!r.output.includes(TYPED), 'the passphrase is not echoed');
  assert.ok(existsSync(join(sb.env.CACHET_HOME!, 'local-key.json')));
});

test('encrypt asks for the passphrase and draws a progress bar on the terminal', { skip: !HAVE_SCRIPT && 'util-linux script is not installed' }, async () => {
  const r = new PtyRun(['encrypt', 'big.bin', '--local', '-o', 'big.env']);
  await r.answer(/Passphrase for the local key: $/, TYPED);
  assert.equal(await r.exit(), 0, r.output);
  assert.ok(!r.output.includes(TYPED), 'the passphrase is not echoed');
  assert.match(r.output, /big\.bin\s+\[[#.]+\]\s+\d+%\s+[\d.]+ [kMG]?B \/ 315 MB\s+[\d.]+ [kMG]?B\/s\s+ETA \d+:\d\d/);
  assert.match(r.output, /\r\x1b\[2K/, 'the bar redraws one line');
});

test('a wrong passphrase typed on the terminal fails with a hint', { skip: !HAVE_SCRIPT && 'util-linux script is not installed' }, async () => {
  const r = new PtyRun(['decrypt', 'big.env', '-o', '-']);
  await r.answer(/Passphrase for the local key: $/, 'not it');
  assert.equal(await r.exit(), 1, r.output);
  assert.match(r.output, /wrong passphrase/);
  assert.match(r.output, /hint: /);
});
