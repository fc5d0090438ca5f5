// CLI conventions (issue 12): `-` for stdin wherever a file is read, the version forms, no escape
// codes under NO_COLOR / TERM=dumb, the "check the command line" hint only on usage errors, and
// the documented --json shapes. The built CLI in a sandbox with the local key; no AWS.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pkg from '../../../package.json' with { type: 'json' };
import { COMMANDS, GLOBAL_OPTIONS } from '../../../app/cli/args.js';
import { buildCli, makeSandbox, runCli, type RunResult, type Sandbox } from './harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;

const run = (args: string[], extra: { env?: Record<string, string>; input?: Buffer | string } = {}): Promise<RunResult> =>
  runCli(cli, args, { env: { ...sb.env, ...extra.env }, cwd: sb.dir, ...(extra.input !== undefined ? { input: extra.input } : {}) });

function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9', AWS_PROFILE: 'no-such-profile' });
  // The local key file (made by the first init) and a vault for the --json tests.
  ok(await run(['init', 'v', '--local']), 'init');
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('- is stdin wherever a file is read', () => {
  test('encrypt - writes the envelope to stdout; decrypt - and inspect - read one from stdin', async () => {
    const data = randomBytes(150_000);
    const e = await run(['encrypt', '-', '--local'], { input: data });
    ok(e, 'encrypt -');
    assert.equal(e.stdout.subarray(0, 6).toString(), 'CACHET');
    const e2 = await run(['encrypt', '-', '--local', '-o', '-'], { input: data });
    ok(e2, 'encrypt - -o -');
    assert.equal(e2.stdout.subarray(0, 6).toString(), 'CACHET');

    const d = await run(['decrypt', '-'], { input: e.stdout });
    ok(d, 'decrypt -');
    assert.ok(d.stdout.equals(data), 'decrypt - gives back the plaintext on stdout');
    const d2 = await run(['decrypt', '-', '-o', 'from-stdin.bin'], { input: e2.stdout });
    ok(d2, 'decrypt - -o file');
    assert.ok((await readFile(join(sb.dir, 'from-stdin.bin'))).equals(data));

    const i = await run(['inspect', '-', '--json'], { input: e.stdout });
    ok(i, 'inspect -');
    const info = JSON.parse(i.stdout.toString()) as { file: string; version: number; stanzas: { provider: string }[] };
    assert.equal(info.file, '-');
    assert.equal(info.version, 1);
    assert.equal(info.stanzas[0]!.provider, 'local');
  });

  test('decrypt - of a cut envelope fails (exit 1) and says why', async () => {
    const e = await run(['encrypt', '-', '--local'], { input: randomBytes(70_000) });
    ok(e, 'encrypt -');
    const d = await run(['decrypt', '-'], { input: e.stdout.subarray(0, e.stdout.length - 5) });
    assert.equal(d.code, 1, d.stderr);
    assert.match(d.stderr, /cut short|changed or damaged/);
  });
});

describe('version', () => {
  for (const args of [['-V'], ['--version'], ['version'], ['ls', '--version']]) {
    test(`cachet ${args.join(' ')} prints the package.json version`, async () => {
      const r = await run(args);
      ok(r, args.join(' '));
      assert.equal(r.stdout.toString(), `cachet ${pkg.version}\n`);
      assert.equal(r.stderr, '');
    });
  }
});

describe('no escape codes under NO_COLOR or TERM=dumb', () => {
  const HAVE_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  /** Runs the CLI on a pty (util-linux `script`), so stderr is a terminal; bounded by spawnSync's timeout. */
  const onPty = (args: string[], env: Record<string, string>): { status: number | null; output: string } => {
    const cmd = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { cwd: sb.dir, env: { ...sb.env, COLUMNS: '100', ...env }, encoding: 'utf8', timeout: 60_000, input: '' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  test('the progress bar is drawn on a terminal, and left out with NO_COLOR=1 or TERM=dumb', { skip: !HAVE_SCRIPT && 'util-linux script is not installed' }, async () => {
    await writeFile(join(sb.dir, 'pty.bin'), randomBytes(1_000_000));
    const cases: [string, Record<string, string>, boolean][] = [
      ['TERM=xterm', { TERM: 'xterm' }, true],
      ['NO_COLOR=1', { TERM: 'xterm', NO_COLOR: '1' }, false],
      ['TERM=dumb', { TERM: 'dumb' }, false],
    ];
    for (const [i, [name, env, escapes]] of cases.entries()) {
      const r = onPty(['encrypt', 'pty.bin', '--local', '-o', `pty-${i}.env`], env);
      assert.equal(r.status, 0, `${name}: ${r.output}`);
      assert.equal(r.output.includes('\x1b'), escapes, `${name}: ${JSON.stringify(r.output)}`);
    }
  });
});

describe('--json shapes (README "The command line", usage.ts)', () => {
  type Failure = { item: string | null; path: string | null; source: string | null; error: string };
  const json = <T>(r: RunResult, what: string): T => {
    assert.equal(r.stdout.toString().endsWith('\n'), true, `${what}: one JSON value and a newline`);
    return JSON.parse(r.stdout.toString()) as T;
  };
  const isFailure = (f: Failure): void => {
    assert.deepEqual(Object.keys(f).sort(), ['error', 'item', 'path', 'source']);
    assert.equal(typeof f.error, 'string');
  };

  test('add, mv, rm, rekey and verify print their documented shapes', async () => {
    await writeFile(join(sb.dir, 'j1.txt'), 'one');
    await writeFile(join(sb.dir, 'j2.txt'), 'two two');
    const a = await run(['add', 'v', 'j1.txt', 'j2.txt', '--json']);
    ok(a, 'add --json');
    const added = json<{ added: { id: string; path: string; size: number | null }[]; skipped: string[]; failed: Failure[]; ignored: Failure[] }>(a, 'add');
    assert.deepEqual(Object.keys(added).sort(), ['added', 'failed', 'ignored', 'kms', 'skipped']);
    assert.equal((added as { kms?: unknown }).kms, null); // a local-key vault makes no KMS request (issue 14)
    assert.deepEqual(added.added.map((i) => [i.path, i.size]).sort(), [['j1.txt', 3], ['j2.txt', 7]]);
    assert.ok(added.added.every((i) => /^[0-9a-f]{32}$/.test(i.id)));

    // Again: one skipped, one existing (failed, exit 1) and a missing file (failed).
    const s = await run(['add', 'v', 'j1.txt', '--on-conflict', 'skip', '--json']);
    ok(s, 'add --on-conflict skip --json');
    assert.deepEqual(json<{ skipped: string[] }>(s, 'add skip').skipped, ['j1.txt']);
    const f = await run(['add', 'v', 'j2.txt', 'missing.txt', '--json']);
    assert.equal(f.code, 1, f.stderr);
    const failed = json<{ added: unknown[]; failed: Failure[] }>(f, 'add failed');
    assert.equal(failed.added.length, 0);
    assert.equal(failed.failed.length, 2, JSON.stringify(failed));
    failed.failed.forEach(isFailure);
    assert.deepEqual(failed.failed.map((x) => x.error).sort(), ['exists', 'not-found']);

    const id1 = added.added.find((i) => i.path === 'j1.txt')!.id;
    const m = await run(['mv', 'v', 'j1.txt', 'moved/j1.txt', '--json']);
    ok(m, 'mv --json');
    assert.deepEqual(json(m, 'mv'), { id: id1, from: 'j1.txt', path: 'moved/j1.txt' });

    const rk = await run(['rekey', 'v', '--to', 'local', '--json']);
    ok(rk, 'rekey --json');
    const rekeyed = json<{ done: number; keys: string[]; failed: Failure[] }>(rk, 'rekey');
    assert.deepEqual(Object.keys(rekeyed).sort(), ['done', 'failed', 'keys', 'kms']);
    assert.equal(rekeyed.done, 2);
    assert.equal(rekeyed.keys.length, 1);
    assert.match(rekeyed.keys[0]!, /^local:/);
    assert.deepEqual(rekeyed.failed, []);

    const v = await run(['verify', 'v', '--json']);
    ok(v, 'verify --json');
    const verified = json<{ ok: number; bad: unknown[]; keys: { provider: string; keyId: string; state: string; items: number | null; alone: number | null }[]; kms: unknown }>(v, 'verify');
    assert.deepEqual({ ok: verified.ok, bad: verified.bad, kms: verified.kms }, { ok: 2, bad: [], kms: null });
    // issue 14: the vault's keys and what depends on them (the local key of this machine: healthy).
    assert.deepEqual(verified.keys.map((k) => [k.provider, k.keyId, k.state, k.items, k.alone]), [['local', rekeyed.keys[0], 'local', 2, 2]]);

    const r = await run(['rm', 'v', 'moved/j1.txt', '--json']);
    ok(r, 'rm --json');
    assert.deepEqual(json(r, 'rm'), { removed: { id: id1, path: 'moved/j1.txt' }, copies: [] });

    // A damaged item: verify --json names it under bad, exit 1.
    const id2 = added.added.find((i) => i.path === 'j2.txt')!.id;
    const item = join(sb.dir, 'v', 'items', `${id2}.env`);
    const bytes = await readFile(item);
    bytes[bytes.length - 20]! ^= 1;
    await writeFile(item, bytes);
    const bad = await run(['verify', 'v', '--json']);
    assert.equal(bad.code, 1, bad.stderr);
    const report = json<{ ok: number; bad: Failure[] }>(bad, 'verify bad');
    assert.equal(report.ok, 0);
    assert.equal(report.bad.length, 1);
    isFailure(report.bad[0]!);
    assert.equal(report.bad[0]!.item, id2);
  });
});

describe('shell completion from the command table', () => {
  test('bash, zsh and fish scripts name every command and option of the table', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await run(['completion', shell]);
      ok(r, `completion ${shell}`);
      const script = r.stdout.toString();
      for (const [name, spec] of Object.entries(COMMANDS)) {
        assert.ok(new RegExp(`\\b${name}\\b`).test(script), `${shell}: command ${name}`);
        for (const opt of Object.keys({ ...GLOBAL_OPTIONS, ...spec.options })) {
          assert.ok(script.includes(shell === 'fish' ? `-l ${opt}` : `--${opt}`), `${shell}: option --${opt} of ${name}`);
        }
      }
    }
    const bad = await run(['completion', 'powershell']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /bash, zsh, fish/);
  });

  test('the bash script completes commands, a command\'s options and --on-conflict values', async () => {
    const r = await run(['completion', 'bash']);
    ok(r, 'completion bash');
    await writeFile(join(sb.dir, 'completion.bash'), r.stdout);
    const complete = (line: string[]): string[] => {
      const words = line.map((w) => `'${w}'`).join(' ');
      const out = spawnSync('bash', ['--norc', '-c', `source ./completion.bash; COMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _cachet; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: sb.dir, encoding: 'utf8', timeout: 10_000 });
      assert.equal(out.status, 0, out.stderr);
      return out.stdout.split('\n').filter((w) => w !== '').sort();
    };
    assert.deepEqual(complete(['cachet', 're']), ['rekey', 'restore']);
    assert.deepEqual(complete(['cachet', '--profile', 'p', 've']), ['verify', 'version', 'versions']);
    assert.deepEqual(complete(['cachet', 'add', 'v', '--o']), ['--on-conflict']);
    assert.deepEqual(complete(['cachet', 'add', 'v', 'f', '--on-conflict', 'k']), ['keep-both']);
    assert.deepEqual(complete(['cachet', 'verify', 'v', '--j']), ['--json']);
    assert.deepEqual(complete(['cachet', 'completion', 'z']), ['zsh']);
  });
});
