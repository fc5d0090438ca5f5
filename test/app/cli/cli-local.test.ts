// The CLI end to end with the local key: the built bundle run as child processes, in a sandbox
// (CACHET_HOME in a temp folder, CACHET_PASSPHRASE set, the fast test scrypt N). No AWS: the AWS
// variables point at a closed port and a missing profile, so any AWS call would fail the test.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCli, lines, makeSandbox, PASSPHRASE, runCli, type RunResult, type Sandbox } from './harness.js';
import { decodeHeader, encodeHeader } from '../../../app/format/header.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;
let env: Record<string, string>;

const run = (args: string[], extra: { env?: Record<string, string>; input?: Buffer | string } = {}): Promise<RunResult> =>
  runCli(cli, args, { env: { ...env, ...extra.env }, cwd: sb.dir, ...(extra.input !== undefined ? { input: extra.input } : {}) });

function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}

function failed(r: RunResult, code = 1): void {
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code}; stderr: ${r.stderr}`);
}

interface LsItem { id: string; path: string; size: number | null; modified: string | null; keys: string[] }
async function ls(vault: string): Promise<LsItem[]> {
  const r = await run(['ls', vault, '--json']);
  ok(r, 'ls --json');
  return JSON.parse(r.stdout.toString('utf8')) as LsItem[];
}

const files = {
  'a.txt': Buffer.from('hello, vault\n'),
  'big.bin': randomBytes(200_000),
  'empty.txt': Buffer.alloc(0),
  'dir/x.txt': Buffer.from('x in dir'),
  'dir/sub/y.bin': randomBytes(70_000),
};

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox({
    // Any AWS call would fail: a closed port and a profile that does not exist.
    AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9',
    AWS_PROFILE: 'no-such-profile-for-local-tests',
  });
  env = sb.env;
  for (const [p, data] of Object.entries(files)) {
    await mkdir(join(sb.dir, 'src', p, '..'), { recursive: true });
    await writeFile(join(sb.dir, 'src', p), data);
  }
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('usage', () => {
  test('--help and help <command> print usage on stdout, exit 0', async () => {
    const r = await run(['--help']);
    ok(r, '--help');
    assert.match(r.stdout.toString(), /Usage: cachet <command>/);
    assert.match(r.stdout.toString(), /cachet rekey <vault> \(--to <key>\)\.\.\./);
    assert.equal(r.stderr, '');
    const h = await run(['help', 'add']);
    ok(h, 'help add');
    assert.match(h.stdout.toString(), /--on-conflict/);
    const v = await run(['--version']);
    ok(v, '--version');
    assert.match(v.stdout.toString(), /^cachet \d+\.\d+\.\d+\n$/);
  });

  for (const [name, args, re] of [
    ['unknown command', ['frob'], /unknown command 'frob'/],
    ['unknown option', ['ls', 'v', '--nope'], /unknown option '--nope'/],
    ['missing argument', ['get', 'v'], /needs <item>/],
    ['init without a key', ['init', 'v'], /--kms-key <key> or --local/],
    ['bad --on-conflict', ['add', 'v', 'f', '--on-conflict', 'merge'], /on-conflict/],
  ] as const) {
    test(`usage error (${name}) exits 2 with a hint and nothing on stdout`, async () => {
      const r = await run([...args]);
      failed(r, 2);
      assert.equal(r.stdout.length, 0);
      const l = lines(r.stderr);
      assert.equal(l.length, 2, r.stderr);
      assert.match(l[0]!, re);
      assert.match(l[1]!, /^ {2}hint: run `cachet help/);
    });
  }
});

describe('a vault with the local key', () => {
  const vault = 'vault';

  test('init --local creates the key file and the vault; a second init fails', async () => {
    ok(await run(['init', vault, '--local']), 'init');
    assert.ok(existsSync(join(env.CACHET_HOME!, 'local-key.json')), 'key file made in CACHET_HOME');
    const keyFile = JSON.parse(await readFile(join(env.CACHET_HOME!, 'local-key.json'), 'utf8')) as { kdf: { N: number } };
    assert.equal(keyFile.kdf.N, 16384, 'the test scrypt N was used');
    assert.ok(existsSync(join(sb.dir, vault, 'vault.json')));
    const again = await run(['init', vault, '--local']);
    failed(again);
    assert.match(again.stderr, /^cachet: init vault: /);
  });

  test('add files and a folder (relative paths kept), then ls', async () => {
    ok(await run(['add', vault, 'src/a.txt', 'src/big.bin', 'src/empty.txt', 'src/dir']), 'add');
    const items = await ls(vault);
    const byPath = new Map(items.map((i) => [i.path, i]));
    assert.deepEqual([...byPath.keys()].sort(), ['a.txt', 'big.bin', 'dir/sub/y.bin', 'dir/x.txt', 'empty.txt']);
    for (const [p, data] of Object.entries(files)) {
      const it = byPath.get(p)!;
      assert.equal(it.size, data.length, `${p} size`);
      assert.match(it.id, /^[0-9a-f]{32}$/);
      assert.equal(it.keys.length, 1);
      assert.match(it.keys[0]!, /^local:[0-9a-f]{32}$/);
      assert.ok(it.modified === null || !Number.isNaN(Date.parse(it.modified)));
    }
    // Nothing in the vault folder names a file.
    const names = await readdir(join(sb.dir, vault), { recursive: true });
    for (const n of names) assert.doesNotMatch(String(n), /a\.txt|big|dir|empty/);
  });

  test('ls prints a human table', async () => {
    const r = await run(['ls', vault]);
    ok(r, 'ls');
    const out = r.stdout.toString();
    assert.match(out, /^PATH\s+SIZE\s+MODIFIED\s+KEYS\n/);
    assert.match(out, /dir\/sub\/y\.bin\s+70\.0 kB\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+local:/);
    assert.match(out, /5 items/);
  });

  test('add --to puts files under a folder', async () => {
    ok(await run(['add', vault, 'src/a.txt', '--to', 'docs/2026']), 'add --to');
    assert.ok((await ls(vault)).some((i) => i.path === 'docs/2026/a.txt'));
  });

  test('an existing path fails by default (named, exit 1); skip, keep-both and replace', async () => {
    const r = await run(['add', vault, 'src/a.txt']);
    failed(r);
    const l = lines(r.stderr);
    assert.equal(l.length, 2, r.stderr);
    assert.match(l[0]!, /a\.txt/);
    assert.match(l[0]!, /already exists/);
    ok(await run(['add', vault, 'src/a.txt', '--on-conflict', 'skip']), 'skip');
    assert.equal((await ls(vault)).filter((i) => i.path === 'a.txt').length, 1);
    ok(await run(['add', vault, 'src/a.txt', '--on-conflict', 'keep-both']), 'keep-both');
    const both = (await ls(vault)).filter((i) => /^a.*\.txt$/.test(i.path));
    assert.equal(both.length, 2, JSON.stringify(both));
    const before = (await ls(vault)).find((i) => i.path === 'big.bin')!;
    ok(await run(['add', vault, 'src/big.bin', '--on-conflict', 'replace']), 'replace');
    const afterItems = (await ls(vault)).filter((i) => i.path === 'big.bin');
    assert.equal(afterItems.length, 1);
    assert.equal(afterItems[0]!.size, files['big.bin'].length);
    assert.ok(before.id);
  });

  test('get by path to a file, by id to stdout (and nothing else on stdout)', async () => {
    const r = await run(['get', vault, 'big.bin', '-o', 'out/big.bin']);
    ok(r, 'get -o');
    assert.deepEqual(await readFile(join(sb.dir, 'out/big.bin')), files['big.bin']);
    const id = (await ls(vault)).find((i) => i.path === 'dir/sub/y.bin')!.id;
    const s = await run(['get', vault, id, '-o', '-']);
    ok(s, 'get -o -');
    assert.ok(s.stdout.equals(files['dir/sub/y.bin']), 'stdout holds exactly the plaintext');
    const e = await run(['get', vault, 'empty.txt', '-o', '-']);
    ok(e, 'get empty');
    assert.equal(e.stdout.length, 0);
  });

  test('get of a folder prefix extracts the folder', async () => {
    ok(await run(['get', vault, 'dir', '-o', 'out/dircopy']), 'get folder');
    assert.deepEqual(await readFile(join(sb.dir, 'out/dircopy/dir/x.txt')), files['dir/x.txt']);
    assert.deepEqual(await readFile(join(sb.dir, 'out/dircopy/dir/sub/y.bin')), files['dir/sub/y.bin']);
  });

  test('get of a missing item fails with a hint to ls', async () => {
    const r = await run(['get', vault, 'nope.txt', '-o', '-']);
    failed(r);
    assert.equal(r.stdout.length, 0);
    assert.match(r.stderr, /nope\.txt/);
    assert.match(r.stderr, /hint: /);
  });

  test('mv renames (content unchanged) and rm deletes', async () => {
    ok(await run(['mv', vault, 'dir/x.txt', 'moved/x2.txt']), 'mv');
    let items = await ls(vault);
    assert.ok(items.some((i) => i.path === 'moved/x2.txt'));
    assert.ok(!items.some((i) => i.path === 'dir/x.txt'));
    const g = await run(['get', vault, 'moved/x2.txt', '-o', '-']);
    ok(g, 'get moved');
    assert.ok(g.stdout.equals(files['dir/x.txt']));
    ok(await run(['rm', vault, 'moved/x2.txt']), 'rm');
    items = await ls(vault);
    assert.ok(!items.some((i) => i.path === 'moved/x2.txt'));
  });

  test('rekey --to local keeps every item readable', async () => {
    ok(await run(['rekey', vault, '--to', 'local']), 'rekey');
    const g = await run(['get', vault, 'a.txt', '-o', '-']);
    ok(g, 'get after rekey');
    assert.ok(g.stdout.equals(files['a.txt']));
  });

  test('verify passes; after tampering one item it fails naming that item', async () => {
    ok(await run(['verify', vault]), 'verify');
    const target = (await ls(vault)).find((i) => i.path === 'big.bin')!;
    const itemFile = join(sb.dir, vault, 'items', `${target.id}.env`);
    const size = (await stat(itemFile)).size;
    const fh = await open(itemFile, 'r+');
    try {
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, size - 1000);
      b[0] = b[0]! ^ 0x01;
      await fh.write(b, 0, 1, size - 1000);
    } finally {
      await fh.close();
    }
    const r = await run(['verify', vault]);
    failed(r);
    const l = lines(r.stderr).filter((x) => x.startsWith('cachet: '));
    assert.equal(l.length, 1, r.stderr);
    assert.match(l[0]!, /big\.bin/);
    assert.match(l[0]!, /changed or damaged/);
    // The other items still open.
    ok(await run(['get', vault, 'a.txt', '-o', '-']), 'get a.txt after tamper');
    const g = await run(['get', vault, 'big.bin', '-o', 'out/tampered.bin']);
    failed(g);
    assert.ok(!existsSync(join(sb.dir, 'out/tampered.bin')), 'no output for a tampered item');
  });

  test('wrong passphrase: exit 1 with a hint; no passphrase and no TTY: a clear error', async () => {
    const r = await run(['get', vault, 'a.txt', '-o', '-'], { env: { CACHET_PASSPHRASE: 'wrong' } });
    failed(r);
    assert.equal(r.stdout.length, 0);
    assert.match(r.stderr, /wrong passphrase/);
    assert.match(r.stderr, /hint: .*CACHET_PASSPHRASE/);
    const noTty = await run(['get', vault, 'a.txt', '-o', '-'], { env: { CACHET_PASSPHRASE: '' } });
    failed(noTty);
    assert.match(noTty.stderr, /no terminal/);
    assert.match(noTty.stderr, /CACHET_PASSPHRASE/);
  });

  test('ls never prints the passphrase', async () => {
    const r = await run(['ls', vault]);
    ok(r, 'ls');
    assert.ok(!r.stdout.toString().includes(PASSPHRASE));
    assert.ok(!r.stderr.includes(PASSPHRASE));
  });

  test('forget drops the key set this machine remembered for the vault, and says when there was none', async () => {
    const id = (JSON.parse(await readFile(join(sb.dir, vault, 'vault.json'), 'utf8')) as { id: string }).id;
    const pin = join(env.CACHET_HOME!, 'known-vaults', `${id}.json`);
    assert.ok(existsSync(pin), 'init remembered its own key set');
    const r = await run(['forget', vault, '--json']);
    ok(r, 'forget');
    assert.deepEqual(JSON.parse(r.stdout.toString()), { vault: id, forgotten: true });
    assert.ok(!existsSync(pin));
    const again = await run(['forget', vault]);
    ok(again, 'forget again');
    assert.match(again.stderr, /nothing was remembered/);
    ok(await run(['ls', vault]), 'ls after forget'); // met as new: accepted and remembered again
    assert.ok(existsSync(pin));
  });

  test('a missing vault: exit 1 with a hint to init', async () => {
    const r = await run(['ls', 'no-vault-here']);
    failed(r);
    assert.match(r.stderr, /hint: .*cachet init/);
  });
});

describe('single files with the local key', () => {
  test('encrypt, inspect, decrypt to a file and to stdout', async () => {
    ok(await run(['encrypt', 'src/big.bin', '--local', '-o', 'single/big.env']), 'encrypt');
    const i = await run(['inspect', 'single/big.env', '--json']);
    ok(i, 'inspect --json');
    const info = JSON.parse(i.stdout.toString()) as { version: number; chunkSize: number; context: Record<string, string>; stanzas: { provider: string; keyId: string }[] };
    assert.equal(info.version, 1);
    assert.equal(info.chunkSize, 65536);
    assert.equal(info.context['cachet:purpose'], 'item');
    assert.match(info.context['cachet:item']!, /^[0-9a-f]{32}$/);
    assert.equal(info.stanzas.length, 1);
    assert.equal(info.stanzas[0]!.provider, 'local');
    const h = await run(['inspect', 'single/big.env']);
    ok(h, 'inspect');
    assert.match(h.stdout.toString(), /version 1/);
    assert.match(h.stdout.toString(), /1\. local\s+local:/);

    ok(await run(['decrypt', 'single/big.env', '-o', 'single/big.out']), 'decrypt');
    assert.deepEqual(await readFile(join(sb.dir, 'single/big.out')), files['big.bin']);
    const s = await run(['decrypt', 'single/big.env', '-o', '-']);
    ok(s, 'decrypt -o -');
    assert.ok(s.stdout.equals(files['big.bin']));
    // Default output name: the input without .env; an existing output is refused.
    const again = await run(['decrypt', 'single/big.env', '-o', 'single/big.out']);
    failed(again);
    assert.match(again.stderr, /already exists/);
  });

  test('a hostile stanza key id reaches the terminal escaped, never as control sequences', async () => {
    ok(await run(['encrypt', 'src/a.txt', '--local', '-o', 'single/esc.env']), 'encrypt');
    const bytes = await readFile(join(sb.dir, 'single/esc.env'));
    const h = decodeHeader(bytes);
    // An OSC "set window title" and a CSI "clear screen": what a crafted file could carry.
    const keyId = 'local:\x1b]0;pwned\x07\x1b[2J';
    const forged = Buffer.concat([encodeHeader(h.authenticated, h.mac, [{ ...h.stanzas[0]!, keyId }]), bytes.subarray(h.length)]);
    await writeFile(join(sb.dir, 'single/esc.env'), forged);
    const i = await run(['inspect', 'single/esc.env']);
    ok(i, 'inspect');
    const d = await run(['decrypt', 'single/esc.env', '-o', 'single/esc.out']);
    failed(d);
    for (const [what, out] of [['inspect stdout', i.stdout.toString('utf8')], ['decrypt stderr', d.stderr]] as const) {
      assert.ok(!out.includes('\x1b') && !out.includes('\x07'), `${what} holds a raw control character: ${JSON.stringify(out)}`);
      assert.ok(out.includes(String.raw`local:\x1b]0;pwned\x07\x1b[2J`), `${what} shows the key id escaped: ${JSON.stringify(out)}`);
    }
  });

  test('encrypt from stdin', async () => {
    const data = randomBytes(150_000);
    ok(await run(['encrypt', '-', '--local', '-o', 'single/stdin.env'], { input: data }), 'encrypt -');
    const s = await run(['decrypt', 'single/stdin.env', '-o', '-']);
    ok(s, 'decrypt');
    assert.ok(s.stdout.equals(data));
  });

  test('decrypt without -o restores the stored name beside the envelope; else strips .env; else asks for -o', async () => {
    await mkdir(join(sb.dir, 'named'), { recursive: true });
    // Renamed envelopes: the name the envelope authenticates wins over the file's own name.
    ok(await run(['encrypt', 'src/a.txt', '--local', '-o', 'named/renamed.env']), 'encrypt');
    ok(await run(['decrypt', 'named/renamed.env']), 'decrypt (no -o)');
    assert.deepEqual(await readFile(join(sb.dir, 'named/a.txt')), files['a.txt']);
    assert.ok(!existsSync(join(sb.dir, 'named/renamed')), 'not the envelope name without .env');
    ok(await run(['encrypt', 'src/a.txt', '--local', '-o', 'named/no-extension']), 'encrypt');
    const taken = await run(['decrypt', 'named/no-extension']);
    failed(taken);
    assert.match(taken.stderr, /already exists/, 'a.txt is there already: never overwritten');
    ok(await run(['decrypt', 'named/no-extension', '-o', 'named/chosen.txt']), '-o chooses');
    assert.deepEqual(await readFile(join(sb.dir, 'named/chosen.txt')), files['a.txt']);
    // encrypt - stores no file name: strip .env, and without .env ask for -o, in one coherent sentence.
    ok(await run(['encrypt', '-', '--local', '-o', 'named/piped.env'], { input: Buffer.from('piped') }), 'encrypt -');
    ok(await run(['decrypt', 'named/piped.env']), 'decrypt of a piped envelope');
    assert.equal((await readFile(join(sb.dir, 'named/piped'))).toString(), 'piped');
    ok(await run(['encrypt', '-', '--local', '-o', 'named/piped2'], { input: Buffer.from('x') }), 'encrypt -');
    const none = await run(['decrypt', 'named/piped2']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /stores no usable file name and does not end in \.env; give -o <file>/);
  });

  test('a hidden stored name is never placed by itself (no .bashrc from an envelope)', async () => {
    await mkdir(join(sb.dir, 'dots'), { recursive: true });
    await writeFile(join(sb.dir, 'dots/.profile'), 'export EVIL=1\n');
    ok(await run(['encrypt', 'dots/.profile', '--local', '-o', 'dots/innocent.env']), 'encrypt a dotfile');
    await rm(join(sb.dir, 'dots/.profile'));
    ok(await run(['decrypt', 'dots/innocent.env']), 'decrypt');
    assert.ok(!existsSync(join(sb.dir, 'dots/.profile')), 'the hidden name was not used');
    assert.equal((await readFile(join(sb.dir, 'dots/innocent'))).toString(), 'export EVIL=1\n');
  });

  test('decrypting a changed file fails, writes nothing, and says why', async () => {
    ok(await run(['encrypt', 'src/a.txt', '--local', '-o', 'single/a.env']), 'encrypt');
    const p = join(sb.dir, 'single/a.env');
    const b = await readFile(p);
    await writeFile(p, b.subarray(0, b.length - 5));
    const r = await run(['decrypt', 'single/a.env', '-o', 'single/a.out']);
    failed(r);
    assert.match(r.stderr, /cut short/);
    assert.ok(!existsSync(join(sb.dir, 'single/a.out')));
    const n = await run(['inspect', 'src/a.txt']);
    failed(n);
    assert.match(n.stderr, /not a Cachet file/);
  });
});

describe('the AWS SDK is loaded only by commands that use AWS', () => {
  // A module hook (node --import, via NODE_OPTIONS) that makes loading any AWS SDK module fail
  // the process, so a command that passes under it never loaded the SDK. The last test checks
  // that the hook does catch a command that needs it.
  let noSdk: Record<string, string>;
  before(async () => {
    const hook = join(sb.dir, 'deny-aws-sdk.mjs');
    await writeFile(hook, [
      "import { registerHooks } from 'node:module';",
      'registerHooks({',
      '  resolve(specifier, context, next) {',
      "    if (/^@(aws-sdk|smithy)\\//.test(specifier)) throw new Error(`AWS SDK module loaded: ${specifier}`);",
      '    return next(specifier, context);',
      '  },',
      '});',
      '',
    ].join('\n'));
    noSdk = { NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` };
  });

  test('help, version, a local-key vault and local-key files run without it', async () => {
    ok(await run(['--version'], { env: noSdk }), '--version');
    ok(await run(['help', 'add'], { env: noSdk }), 'help add');
    ok(await run(['init', 'nosdk-vault', '--local'], { env: noSdk }), 'init --local');
    ok(await run(['add', 'nosdk-vault', 'src/a.txt', 'src/dir'], { env: noSdk }), 'add');
    const l = await run(['ls', 'nosdk-vault', '--json'], { env: noSdk });
    ok(l, 'ls');
    assert.deepEqual((JSON.parse(l.stdout.toString('utf8')) as LsItem[]).map((i) => i.path).sort(), ['a.txt', 'dir/sub/y.bin', 'dir/x.txt']);
    const g = await run(['get', 'nosdk-vault', 'a.txt', '-o', '-'], { env: noSdk });
    ok(g, 'get');
    assert.ok(g.stdout.equals(files['a.txt']));
    ok(await run(['verify', 'nosdk-vault'], { env: noSdk }), 'verify');
    ok(await run(['encrypt', 'src/big.bin', '--local', '-o', 'single/nosdk.env'], { env: noSdk }), 'encrypt --local');
    ok(await run(['inspect', 'single/nosdk.env'], { env: noSdk }), 'inspect');
    const d = await run(['decrypt', 'single/nosdk.env', '-o', '-'], { env: noSdk });
    ok(d, 'decrypt');
    assert.ok(d.stdout.equals(files['big.bin']));
  });

  test('the hook catches a command that does load it (a KMS key)', async () => {
    const r = await run(['encrypt', 'src/a.txt', '--kms-key', 'alias/any', '-o', 'single/nosdk-kms.env'], { env: noSdk });
    failed(r);
    assert.match(r.stderr, /AWS SDK module loaded: @aws-sdk\//);
    assert.ok(!existsSync(join(sb.dir, 'single/nosdk-kms.env')));
  });
});
