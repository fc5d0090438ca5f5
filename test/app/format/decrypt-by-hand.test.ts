// SPEC §11 made real: app/format/decrypt-by-hand.py, an independent Python reader of the format,
// opens what sealFile and a vault write (local key, and AWS KMS through moto + the AWS CLI), checks
// the MAC and the commitment, and refuses every vector the TypeScript reader refuses, with the same
// code (test/vectors/vectors.test.ts checks the TypeScript side of each vector).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sealFile, verifyFile } from '../../../app/envelope.js';
import type { CachetError } from '../../../app/errors.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { decodeHeader, encodeHeader } from '../../../app/format/header.js';
import { Keyring, type KeyProvider } from '../../../app/keys/provider.js';
import { Vault } from '../../../app/vault/vault.js';

const SCRIPT = resolve('app/format/decrypt-by-hand.py');
const probe = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' });
const noPython = probe.status === 0 ? false : 'python3 with the cryptography package is not installed';
const hasAws = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

const vectors = JSON.parse(await readFile('test/vectors/manifest.json', 'utf8')) as {
  localMasterKeyHex: string; context: Record<string, string>;
  vectors: { file: string; expect: string; stage?: string; sha256?: string; path?: string; vaultPath?: string; expectContext?: Record<string, string> }[];
};
const master = randomBytes(32);
const local = LocalKeyProvider.fromMasterKey(master);
const CTX = { 'cachet:item': '0123456789abcdef0123456789abcdef', 'cachet:purpose': 'item' };
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cachet-py-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runPy(args: string[], env?: Record<string, string>): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('python3', [SCRIPT, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/**
 * Run the reader's main() once per argument list in one Python process; a crash (an exception
 * that is not a refusal) is status 'crash'.
 */
function runPyMany(argLists: string[][]): { status: number | string; stderr: string }[] {
  const driver = `
import contextlib, importlib.util, io, json, sys, traceback
spec = importlib.util.spec_from_file_location('decrypt_by_hand', sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
out = []
for args in json.load(sys.stdin):
    sys.argv = ['decrypt-by-hand.py'] + args
    err, status = io.StringIO(), 0
    with contextlib.redirect_stderr(err):
        try:
            m.main()
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else 1
        except Exception:
            status = 'crash'
            traceback.print_exc()
    out.append({'status': status, 'stderr': err.getvalue()})
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', driver, SCRIPT], { input: JSON.stringify(argLists), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { status: number | string; stderr: string }[];
}

async function sealWith(provider: KeyProvider, keyId: string, data: Buffer, chunkLog2: number): Promise<string> {
  const src = join(dir, `src-${randomBytes(4).toString('hex')}`);
  await writeFile(src, data);
  const env = `${src}.env`;
  await sealFile(src, env, { keyring: new Keyring([provider]), keys: [{ provider: provider.type, keyId }], context: CTX, metadata: { path: 'hand/made.bin', size: null, mtime: 1 }, chunkLog2 });
  return env;
}

describe('decrypt-by-hand.py', { skip: noPython }, () => {
  for (const [size, log2] of [[0, 16], [1, 10], [1024, 10], [3 * 65536, 16], [200_000 + 17, 16]] as const) {
    it(`opens a local-key envelope of ${size} bytes (chunk_log2 ${log2}) to the same bytes`, async () => {
      const data = randomBytes(size);
      const env = await sealWith(local, local.keyId, data, log2);
      const r = runPy([env, '--local-master-hex', master.toString('hex')]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.equals(data));
      assert.deepEqual(JSON.parse(r.stderr), { path: 'hand/made.bin', size, mtime: 1 });
      const out = join(dir, 'out.bin');
      const r2 = runPy([env, '--local-master-hex', master.toString('hex'), '-o', out]);
      assert.equal(r2.status, 0, r2.stderr);
      assert.ok((await readFile(out)).equals(data));
    });
  }

  it('refuses a wrong master key, a changed MAC and a changed chunk, writing no output file', async () => {
    const env = await sealWith(local, local.keyId, randomBytes(3000), 10);
    const bytes = await readFile(env);
    const check = async (b: Buffer, key: Buffer, code: string): Promise<void> => {
      const f = join(dir, 'damaged.env');
      await writeFile(f, b);
      const out = join(dir, 'never.bin');
      const r = runPy([f, '--local-master-hex', key.toString('hex'), '-o', out]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`refused: ${code}`));
      assert.ok(!(await readdir(dir)).some((n) => n.startsWith('never.bin')));
    };
    await check(bytes, randomBytes(32), 'local-key-missing');
    const mac = Buffer.from(bytes);
    mac[decodeHeader(bytes).authenticated.length + 3]! ^= 1;
    await check(mac, master, 'header-corrupt');
    const chunk = Buffer.from(bytes);
    chunk[chunk.length - 20]! ^= 1;
    await check(chunk, master, 'tampered');
  });

  describe('agrees with every test vector, code for code, and writes no output for a refused one', () => {
    const asItem = ['--vault-item', '--expect-context', `cachet:vault=${vectors.context['cachet:vault']}`, '--expect-context', `cachet:item=${vectors.context['cachet:item']}`];
    // Each vector as a loose envelope, where a 'vault' vector is a valid one (only a vault item's
    // rules refuse it); and as the vault item its context names, the vectors vectors.test.ts puts
    // in a vault. One Python process runs them all (its start-up is most of the cost).
    const cases = vectors.vectors.flatMap((v) => {
      const expects = Object.entries(v.expectContext ?? {}).flatMap(([k, x]) => ['--expect-context', `${k}=${x}`]);
      const one = (mode: string, extra: string[], want: string) => ({ v, mode, want, out: `${v.file}.${mode}.out`, extra: [...expects, ...extra] });
      const modes = [one('loose', [], v.stage === 'vault' ? 'success' : v.expect)];
      if (v.stage === 'vault' || v.expect === 'success') modes.push(one('item', asItem, v.expect));
      return modes;
    });
    let results: { status: number | string; stderr: string }[];
    before(() => {
      const args = cases.map((c) => [join('test/vectors', c.v.file), '--local-master-hex', vectors.localMasterKeyHex, '-o', join(dir, c.out), ...c.extra]);
      results = runPyMany(args);
    });
    for (const [n, c] of cases.entries()) {
      it(`${c.v.file} as a ${c.mode === 'loose' ? 'loose envelope' : 'vault item'}: ${c.want}`, async () => {
        const r = results[n]!;
        if (c.want === 'success') {
          assert.equal(r.status, 0, r.stderr);
          assert.equal(createHash('sha256').update(await readFile(join(dir, c.out))).digest('hex'), c.v.sha256);
          const path = (JSON.parse(r.stderr) as { path: string }).path;
          assert.equal(path, c.mode === 'loose' ? c.v.path : (c.v.vaultPath ?? c.v.path), 'the path read');
        } else {
          assert.equal(r.status, 1, r.stderr);
          assert.match(r.stderr, new RegExp(`refused: ${c.want}\\n$`));
          assert.ok(!(await readdir(dir)).some((f) => f.startsWith(c.out)), 'no output');
        }
      });
    }
  });

  it('reads a vault the tool made: its items and index by their place, and refuses an item under another id', async () => {
    const vdir = join(dir, 'vault');
    const keyring = new Keyring([local]);
    const vault = await Vault.create(vdir, { keys: [{ provider: 'local', keyId: local.keyId }], keyring });
    const data = randomBytes(5000);
    const src = join(dir, 'Cr\u00e8me.bin');
    await writeFile(src, data);
    const other = join(dir, 'other.bin');
    await writeFile(other, 'other');
    let ids: string[];
    try {
      const r = await vault.add([src, other]);
      assert.deepEqual(r.failed, []);
      ids = r.added.sort((a, b) => a.path.localeCompare(b.path)).map((i) => i.id);
    } finally {
      vault.close();
    }
    const key = ['--local-master-hex', master.toString('hex')];
    const item = join(vdir, 'items', `${ids[0]}.env`);
    const r = runPy([item, ...key]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.equals(data));
    assert.equal((JSON.parse(r.stderr) as { path: string }).path, 'Cr\u00e8me.bin');
    const index = runPy([join(vdir, 'index.env'), ...key]);
    assert.equal(index.status, 0, index.stderr);
    assert.ok(ids.every((id) => id in (JSON.parse(index.stdout.toString('utf8')) as { items: Record<string, unknown> }).items));

    // Item 0's file copied over item 1's name: both readers refuse it before unwrapping.
    await copyFile(item, join(vdir, 'items', `${ids[1]}.env`));
    const moved = runPy([join(vdir, 'items', `${ids[1]}.env`), ...key]);
    assert.equal(moved.status, 1);
    assert.match(moved.stderr, /refused: context-mismatch\n$/);
    const again = await Vault.open(vdir, { keyring });
    try {
      assert.deepEqual((await again.list()).map((i) => i.id), [ids[0]]);
      assert.deepEqual(again.unreadable().map((f) => [f.item, f.error.code]), [[ids[1], 'context-mismatch']]);
    } finally {
      again.close();
    }
    // The index of this vault is no item of it.
    await copyFile(join(vdir, 'index.env'), join(vdir, 'items', `${ids[1]}.env`));
    const idx = runPy([join(vdir, 'items', `${ids[1]}.env`), ...key]);
    assert.match(idx.stderr, /refused: context-mismatch\n$/);
  });

  it('opens an AWS KMS envelope with the AWS CLI (moto)', { skip: hasAws ? false : 'the AWS CLI is not installed' }, async () => {
    const { startMoto, createTestKey, MOTO_REGION, MOTO_CREDENTIALS } = await import('../../helpers/moto.js');
    const { AwsKmsProvider } = await import('../../../app/keys/aws-kms.js');
    const moto = await startMoto();
    try {
      const arn = await createTestKey(moto.endpoint);
      const kms = new AwsKmsProvider({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
      const data = randomBytes(150_000);
      const env = await sealWith(kms, arn, data, 16);
      const r = runPy([env], moto.env);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.equals(data));
      // A KMS refusal is reported with the code the tool gives it (SPEC §7): the stanza made to
      // name a key that does not exist, and another key of the account (moto: access denied).
      const bytes = await readFile(env);
      const h = decodeHeader(bytes);
      const other = await createTestKey(moto.endpoint);
      for (const keyId of [arn.replace(/key\/.*$/, 'key/00000000-0000-0000-0000-000000000000'), other]) {
        const moved = join(dir, `moved-${randomBytes(4).toString('hex')}.env`);
        const stanzas = h.stanzas.map((st) => ({ ...st, keyId }));
        await writeFile(moved, Buffer.concat([encodeHeader(h.authenticated, h.mac, stanzas), bytes.subarray(h.length)]));
        const tool = await verifyFile(moved, { keyring: new Keyring([kms]) }).then(() => 'success', (e: unknown) => (e as CachetError).code);
        assert.match(tool, /^kms-/);
        const py = runPy([moved], moto.env);
        assert.equal(py.status, 1);
        assert.match(py.stderr, new RegExp(`refused: ${tool}\\n$`), keyId);
      }
    } finally {
      await moto.stop();
    }
  });
});
