// Issue 16 (seen once): "the loser of two concurrent `init --local` gets an `--on-conflict` hint
// that does not apply". Two inits at once, each making the first local key of a new home, both
// created a key file: the loser failed "already exists" on local-key.json with a hint about
// `add --on-conflict`. Now the loser uses the key the winner made (the same passphrase opens it),
// and two inits of one folder end with one vault and, for the other, "already a vault".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliKeys } from '../../app/cli/keys.js';
import { buildCli, makeSandbox, PASSPHRASE, runCli, TEST_SCRYPT_N, type Sandbox } from '../app/cli/harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let root: string;

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  root = await mkdtemp(join(tmpdir(), 'cachet-init-race-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
  await cleanupBuild?.();
});

describe('concurrent init --local', () => {
  it('two first uses of a home at once: one key file, both get it', async () => {
    const home = await mkdtemp(join(root, 'home-'));
    const env = { CACHET_PASSPHRASE: PASSPHRASE, CACHET_TEST_SCRYPT_N: TEST_SCRYPT_N };
    const make = (): CliKeys => new CliKeys({ aws: {}, env, localKeyPath: join(home, 'local-key.json'), passphrase: { env, input: process.stdin, output: process.stderr } });
    // In one process, so both look for the file before either creates it (each step awaits I/O).
    const [a, b] = await Promise.all([make().ensureLocalKey(), make().ensureLocalKey()]);
    assert.equal(a.keyId, b.keyId, 'both use the one key file');
    assert.deepEqual([a.created, b.created].sort(), [false, true], 'exactly one made it');
    const file = JSON.parse(await readFile(join(home, 'local-key.json'), 'utf8')) as { keyId: string };
    assert.equal(file.keyId, a.keyId);
  });

  it('two inits of one folder: one vault, and the other is told it is already a vault', async () => {
    const sb: Sandbox = await makeSandbox();
    try {
      const both = await Promise.all([0, 1].map(() => runCli(cli, ['init', 'v', '--local'], { env: sb.env, cwd: sb.dir })));
      const codes = both.map((r) => r.code).sort();
      assert.deepEqual(codes, [0, 1], both.map((r) => r.stderr).join('\n'));
      const loser = both.find((r) => r.code === 1)!;
      assert.match(loser.stderr, /already a vault/);
      assert.doesNotMatch(loser.stderr, /on-conflict|-o <path>/, 'no hint that does not apply to init');
      const ls = await runCli(cli, ['ls', 'v'], { env: sb.env, cwd: sb.dir });
      assert.equal(ls.code, 0, ls.stderr);
    } finally {
      await sb.cleanup();
    }
  });
});
