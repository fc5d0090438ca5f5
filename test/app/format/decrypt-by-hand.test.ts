// SPEC §11 made real: app/format/decrypt-by-hand.py, an independent Python reader of the format,
// opens what sealFile writes (local key, and AWS KMS through moto + the AWS CLI), checks the MAC
// and the commitment, and refuses every damaged vector.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sealFile } from '../../../app/envelope.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { decodeHeader } from '../../../app/format/header.js';
import { Keyring, type KeyProvider } from '../../../app/keys/provider.js';

const SCRIPT = resolve('app/format/decrypt-by-hand.py');
const probe = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' });
const noPython = probe.status === 0 ? false : 'python3 with the cryptography package is not installed';
const hasAws = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

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

  it('agrees with every test vector', async () => {
    const m = JSON.parse(await readFile('test/vectors/manifest.json', 'utf8')) as {
      localMasterKeyHex: string; vectors: { file: string; expect: string; stage?: string; sha256?: string; expectContext?: unknown }[];
    };
    for (const v of m.vectors) {
      if (v.expectContext) continue; // an expectation of the caller, not of the file
      const r = runPy([join('test/vectors', v.file), '--local-master-hex', m.localMasterKeyHex]);
      if (v.expect === 'success') {
        assert.equal(r.status, 0, `${v.file}: ${r.stderr}`);
        assert.equal(createHash('sha256').update(r.stdout).digest('hex'), v.sha256, v.file);
      } else {
        assert.equal(r.status, 1, `${v.file} must be refused`);
        // Header and key failures carry the same code; payload failures are all 'tampered' or
        // 'truncated' to this simple reader (it does not diagnose reordering).
        if (v.stage !== 'payload') assert.match(r.stderr, new RegExp(`refused: ${v.expect}`), v.file);
      }
    }
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
    } finally {
      await moto.stop();
    }
  });
});
