// The CLI with S3 vaults (`s3://bucket/prefix` wherever a vault folder goes), end to end against
// moto's S3 and KMS through the real SDK clients, reached the standard way (AWS_ENDPOINT_URL_S3 /
// _KMS): every vault command, the errors a person meets (a malformed location, a missing bucket,
// a location that holds other objects), three processes adding at once, and IAM: a reader, a
// writer and an outsider (moto's IAM authorization on).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createLimitedUser, createTestBucket, createTestKey, motoS3Client, startMoto, type Moto } from '../../helpers/moto.js';
import { buildCli, makeSandbox, runCli, type RunResult, type Sandbox } from './harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let moto: Moto;
let sb: Sandbox;
let env: Record<string, string>;
let keyA: string;
let keyB: string;
let bucket: string;

const run = (args: string[], extra: { env?: Record<string, string> } = {}): Promise<RunResult> =>
  runCli(cli, args, { env: { ...env, ...extra.env }, cwd: sb.dir });

function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}

interface LsItem { id: string; path: string; size: number | null; keys: string[] }
async function ls(vault: string, extra: { env?: Record<string, string> } = {}): Promise<LsItem[]> {
  const r = await run(['ls', vault, '--json'], extra);
  ok(r, 'ls --json');
  return JSON.parse(r.stdout.toString()) as LsItem[];
}

async function objectKeys(b: string, prefix: string): Promise<string[]> {
  const s3 = motoS3Client(moto);
  try {
    const out: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100; page++) {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: prefix, ContinuationToken: token }));
      out.push(...(r.Contents ?? []).map((o) => o.Key!));
      token = r.NextContinuationToken;
      if (!token) break;
    }
    return out.sort();
  } finally {
    s3.destroy();
  }
}

const data = { 'a.txt': Buffer.from('sealed in S3\n'), 'docs/b.bin': randomBytes(150_000), 'docs/c.txt': Buffer.from('third\n') };

before(async () => {
  [{ cli, cleanup: cleanupBuild }, moto] = await Promise.all([buildCli(), startMoto()]);
  sb = await makeSandbox();
  env = { ...sb.env, ...moto.env, AWS_CONFIG_FILE: sb.env.AWS_CONFIG_FILE!, AWS_SHARED_CREDENTIALS_FILE: sb.env.AWS_SHARED_CREDENTIALS_FILE! };
  keyA = await createTestKey(moto.endpoint, 'alias/team-a');
  keyB = await createTestKey(moto.endpoint, 'alias/team-b');
  bucket = await createTestBucket(moto);
  for (const [n, d] of Object.entries(data)) {
    await mkdir(join(sb.dir, 'src', n, '..'), { recursive: true });
    await writeFile(join(sb.dir, 'src', n), d);
  }
});

after(async () => {
  await moto?.stop();
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('an S3 vault through the CLI', () => {
  test('init, add, ls, get, mv, rm, rekey, verify, forget with s3://bucket/prefix; object keys reveal no name', async () => {
    const vault = `s3://${bucket}/teams/finance`;
    ok(await run(['init', vault, '--kms-key', 'alias/team-a']), 'init');
    ok(await run(['add', vault, 'src/a.txt', 'src/docs']), 'add');
    const items = await ls(vault);
    assert.deepEqual(items.map((i) => i.path), ['a.txt', 'docs/b.bin', 'docs/c.txt']);
    assert.ok(items.every((i) => i.keys.length === 1 && i.keys[0]!.startsWith('arn:aws:kms:')));
    const keys = await objectKeys(bucket, 'teams/finance/');
    assert.deepEqual(keys.filter((k) => !k.startsWith('teams/finance/items/')), ['teams/finance/index.env', 'teams/finance/vault.json']);
    assert.equal(keys.filter((k) => /^teams\/finance\/items\/[0-9a-f]{32}\.env$/.test(k)).length, 3);
    assert.ok(keys.every((k) => !/a\.txt|docs|b\.bin/.test(k)), 'no name in an object key');

    ok(await run(['get', vault, 'docs/b.bin', '-o', 'out/b.bin']), 'get');
    assert.ok((await readFile(join(sb.dir, 'out', 'b.bin'))).equals(data['docs/b.bin']));
    const toStdout = await run(['get', vault, 'a.txt', '-o', '-']);
    ok(toStdout, 'get -o -');
    assert.equal(toStdout.stdout.toString(), data['a.txt'].toString());
    ok(await run(['get', vault, 'docs', '-o', 'out/x']), 'get a folder');
    assert.deepEqual((await readdir(join(sb.dir, 'out', 'x', 'docs'))).sort(), ['b.bin', 'c.txt']);

    const mv = await run(['mv', vault, 'docs/c.txt', 'notes/c.txt', '--json']);
    ok(mv, 'mv');
    assert.equal((JSON.parse(mv.stdout.toString()) as { path: string }).path, 'notes/c.txt');
    ok(await run(['rm', vault, 'a.txt']), 'rm');
    assert.deepEqual((await ls(vault)).map((i) => i.path), ['docs/b.bin', 'notes/c.txt']);
    assert.equal((await objectKeys(bucket, 'teams/finance/items/')).length, 2, 'rm removed the object');

    const rk = await run(['rekey', vault, '--to', 'alias/team-b', '--json']);
    ok(rk, 'rekey');
    assert.equal((JSON.parse(rk.stdout.toString()) as { done: number }).done, 2);
    assert.ok((await ls(vault)).every((i) => i.keys.length === 1 && i.keys[0]!.endsWith(keyB)));
    const v = await run(['verify', vault, '--json']);
    ok(v, 'verify');
    const verified = JSON.parse(v.stdout.toString()) as { ok: number; bad: unknown[]; keys: { state: string; items: number }[] };
    assert.deepEqual({ ok: verified.ok, bad: verified.bad }, { ok: 2, bad: [] });
    assert.deepEqual(verified.keys.map((k) => [k.state, k.items]), [['enabled', 2]]); // issue 14: the keys of an S3 vault too
    ok(await run(['forget', vault]), 'forget');
    assert.ok(keyA.length > 0);
  });

  test('a malformed location, a missing bucket and a prefix that holds other objects are told as such', async () => {
    const bad = await run(['ls', 's3://No_Such/x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr.toString(), /s3:\/\/<bucket>/);
    const missing = await run(['init', 's3://cachet-no-such-bucket/v', '--kms-key', 'alias/team-a']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr.toString(), /no S3 bucket cachet-no-such-bucket/);
    const s3 = motoS3Client(moto);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'busy/report.pdf', Body: 'x' }));
    s3.destroy();
    const busy = await run(['init', `s3://${bucket}/busy`, '--kms-key', 'alias/team-a']);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr.toString(), /not empty|objects under this prefix/);
    const none = await run(['ls', `s3://${bucket}/nothing-here`]);
    assert.equal(none.code, 1);
    assert.match(none.stderr.toString(), /no vault/);
  });

  test('two processes adding the same folder at once: each path ends with one item, whatever --on-conflict says', async () => {
    await mkdir(join(sb.dir, 'same'));
    for (let i = 0; i < 40; i++) await writeFile(join(sb.dir, 'same', `s${i}.txt`), `same ${i}`);
    for (const policy of ['fail', 'skip', 'replace'] as const) {
      const vault = `s3://${bucket}/same-${policy}`;
      ok(await run(['init', vault, '--kms-key', 'alias/team-a']), 'init');
      const [a, b] = await Promise.all([run(['add', vault, 'same', '--on-conflict', policy]), run(['add', vault, 'same', '--on-conflict', policy])]);
      const paths = (await ls(vault)).map((i) => i.path);
      assert.equal(paths.length, 40, `${policy}: 40 items (exit ${a.code}/${b.code}: ${a.stderr}${b.stderr})`);
      assert.equal(new Set(paths).size, 40, `${policy}: no path held twice`);
      assert.equal((await objectKeys(bucket, `same-${policy}/items/`)).length, 40, `${policy}: no extra item object`);
      if (policy === 'fail') assert.ok(a.code === 1 || b.code === 1, 'the loser of a path is told');
      else assert.deepEqual([a.code, b.code], [0, 0]);
    }
  });

  test('three processes adding 100 files each at once: 300 items listed, none lost, no upload left', async () => {
    const vault = `s3://${bucket}/busy-team`;
    ok(await run(['init', vault, '--kms-key', 'alias/team-a']), 'init');
    for (const w of ['w1', 'w2', 'w3']) {
      await mkdir(join(sb.dir, w));
      for (let i = 0; i < 100; i++) await writeFile(join(sb.dir, w, `f${i}.txt`), `${w} file ${i}`);
    }
    const results = await Promise.all(['w1', 'w2', 'w3'].map((w) => run(['add', vault, w])));
    results.forEach((r, i) => ok(r, `writer ${i + 1}`));
    const items = await ls(vault);
    assert.equal(items.length, 300);
    assert.equal(new Set(items.map((i) => i.path)).size, 300);
    assert.equal((await objectKeys(bucket, 'busy-team/items/')).length, 300);
    const s3 = motoS3Client(moto);
    const ups = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'busy-team/' }));
    s3.destroy();
    assert.deepEqual(ups.Uploads ?? [], []);
    const got = await run(['get', vault, 'w2/f57.txt', '-o', '-']);
    ok(got, 'get');
    assert.equal(got.stdout.toString(), 'w2 file 57');
  });
});

describe('item history in a versioned bucket', () => {
  interface Versions { item: string; versioning: string; versions: { versionId: string; current: boolean; deleted: boolean; size: number; modified: string }[] }
  interface Deleted { versioning: string; deleted: { id: string; path: string | null; deletedAt: string; versionId: string; size: number; error: string | null }[] }
  const json = <T>(r: RunResult, what: string): T => {
    ok(r, what);
    return JSON.parse(r.stdout.toString()) as T;
  };

  test('a renamed item lists its versions; an earlier one opens and is restored; a deleted item comes back', async () => {
    const vb = await createTestBucket(moto, { versioning: true });
    const vault = `s3://${vb}/hist`;
    ok(await run(['init', vault, '--kms-key', 'alias/team-a']), 'init');
    await writeFile(join(sb.dir, 'plan.txt'), 'the plan, first draft\n');
    ok(await run(['add', vault, 'plan.txt']), 'add');
    ok(await run(['mv', vault, 'plan.txt', 'old/plan-v1.txt']), 'mv');
    const h = json<Versions>(await run(['versions', vault, 'old/plan-v1.txt', '--json']), 'versions');
    assert.equal(h.versioning, 'enabled');
    assert.deepEqual(h.versions.map((x) => [x.current, x.deleted]), [[true, false], [false, false]]);
    const earlier = h.versions[1]!.versionId;
    const got = await run(['get', vault, h.item, '--version-id', earlier, '-o', '-']);
    ok(got, 'get --version');
    assert.equal(got.stdout.toString(), 'the plan, first draft\n');
    const table = await run(['versions', vault, h.item]);
    ok(table, 'versions (table)');
    assert.match(table.stdout.toString(), /^MODIFIED\s+STATE\s+SIZE\s+VERSION\n.*current.*\n.*earlier/);

    const back = json<{ id: string; path: string }>(await run(['restore', vault, h.item, earlier, '--json']), 'restore');
    assert.deepEqual(back, { id: h.item, path: 'plan.txt', versionId: earlier });
    assert.deepEqual((await ls(vault)).map((i) => i.path), ['plan.txt'], 'the earlier version, with its own path, is current again');

    ok(await run(['rm', vault, 'plan.txt']), 'rm');
    assert.deepEqual(await ls(vault), []);
    const d = json<Deleted>(await run(['versions', vault, '--deleted', '--json']), 'versions --deleted');
    assert.deepEqual(d.deleted.map((x) => [x.id, x.path, x.error]), [[h.item, 'plan.txt', null]]);
    ok(await run(['restore', vault, h.item, d.deleted[0]!.versionId]), 'restore a deleted item');
    const restored = await run(['get', vault, 'plan.txt', '-o', '-']);
    ok(restored, 'get the restored item');
    assert.equal(restored.stdout.toString(), 'the plan, first draft\n');
    ok(await run(['verify', vault]), 'verify');
  });

  test('a replaced file: the old item is listed as deleted, opens by its version, and a restore onto its taken path is refused', async () => {
    const vb = await createTestBucket(moto, { versioning: true });
    const vault = `s3://${vb}/replace`;
    ok(await run(['init', vault, '--kms-key', 'alias/team-a']), 'init');
    await writeFile(join(sb.dir, 'n.txt'), 'version one');
    ok(await run(['add', vault, 'n.txt']), 'add');
    await writeFile(join(sb.dir, 'n.txt'), 'version two');
    ok(await run(['add', vault, 'n.txt', '--on-conflict', 'replace']), 'add --on-conflict replace');
    const d = json<Deleted>(await run(['versions', vault, '--deleted', '--json']), 'versions --deleted');
    assert.equal(d.deleted.length, 1);
    const old = d.deleted[0]!;
    assert.equal(old.path, 'n.txt');
    const got = await run(['get', vault, old.id, '--version-id', old.versionId, '-o', '-']);
    ok(got, 'get the replaced version');
    assert.equal(got.stdout.toString(), 'version one');
    const refused = await run(['restore', vault, old.id, old.versionId]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr.toString(), /another item holds n\.txt now/);
    assert.match(refused.stderr.toString(), /cachet mv/);
    assert.deepEqual((await ls(vault)).map((i) => i.path), ['n.txt'], 'nothing changed');
  });

  test('without versioning it is said once, with the command to turn it on; a folder vault has no history', async () => {
    const vault = `s3://${bucket}/no-versions`;
    ok(await run(['init', vault, '--kms-key', 'alias/team-a']), 'init');
    ok(await run(['add', vault, 'src/a.txt']), 'add');
    const r = await run(['versions', vault, 'a.txt']);
    ok(r, 'versions');
    assert.match(r.stderr.toString(), new RegExp(`versioning is off for bucket ${bucket}.*put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled`));
    assert.equal(r.stderr.toString().match(/versioning is off/g)?.length, 1);
    ok(await run(['init', 'folder-vault', '--kms-key', 'alias/team-a']), 'init a folder vault');
    const f = await run(['versions', 'folder-vault', '--deleted']);
    assert.equal(f.code, 1);
    assert.match(f.stderr.toString(), /a folder vault keeps no earlier versions/);
  });
});

describe('IAM: who may do what in an S3 vault (moto IAM authorization)', () => {
  let iam: Moto;
  let teamBucket: string;
  let iamEnv: Record<string, string>;
  const as = (u: { accessKeyId: string; secretAccessKey: string }): Record<string, string> => ({ ...iamEnv, AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey });

  before(async () => {
    iam = await startMoto({ iamAuth: true });
    iamEnv = { ...sb.env, ...iam.env, AWS_CONFIG_FILE: sb.env.AWS_CONFIG_FILE!, AWS_SHARED_CREDENTIALS_FILE: sb.env.AWS_SHARED_CREDENTIALS_FILE! };
    await createTestKey(iam, 'alias/team');
    teamBucket = await createTestBucket(iam);
  });
  after(async () => {
    await iam?.stop();
  });

  test('a writer adds, a reader lists and opens but cannot add, an outsider is denied with the bucket named', async () => {
    const vault = `s3://${teamBucket}/v`;
    const writer = await createLimitedUser(iam, { allow: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:AbortMultipartUpload', 's3:ListBucketMultipartUploads', 'kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt', 'kms:DescribeKey'] });
    const reader = await createLimitedUser(iam, { allow: ['s3:GetObject', 's3:ListBucket', 'kms:Decrypt', 'kms:DescribeKey'] });
    const outsider = await createLimitedUser(iam, { allow: ['kms:Decrypt'] });
    ok(await run(['init', vault, '--kms-key', 'alias/team'], { env: as(writer) }), 'init by the writer');
    ok(await run(['add', vault, 'src/a.txt'], { env: as(writer) }), 'add by the writer');
    assert.deepEqual((await ls(vault, { env: as(reader) })).map((i) => i.path), ['a.txt']);
    const read = await run(['get', vault, 'a.txt', '-o', '-'], { env: as(reader) });
    ok(read, 'get by the reader');
    assert.equal(read.stdout.toString(), data['a.txt'].toString());
    // The reader may not seal (kms:GenerateDataKey is a writer's), so KMS refuses first.
    const notSealer = await run(['add', vault, 'src/docs/c.txt'], { env: as(reader) });
    assert.equal(notSealer.code, 1);
    assert.match(notSealer.stderr.toString(), /access denied by KMS to GenerateDataKey/);
    // One who may seal but not write to the bucket is refused by S3, with the action to grant.
    const sealer = await createLimitedUser(iam, { allow: ['s3:GetObject', 's3:ListBucket', 'kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'] });
    const denied = await run(['add', vault, 'src/docs/c.txt'], { env: as(sealer) });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr.toString(), /access denied by S3 to PutObject on s3:\/\/[^ ]+\/v\/items\/[0-9a-f]{32}\.env/);
    assert.match(denied.stderr.toString(), new RegExp(`grant .+ s3:PutObject on arn:aws:s3:::${teamBucket}/v/\\* \\(bucket policy or IAM\\)`));
    assert.deepEqual((await ls(vault, { env: as(writer) })).map((i) => i.path), ['a.txt'], 'nothing half-added');
    const out = await run(['ls', vault], { env: as(outsider) });
    assert.equal(out.code, 1);
    assert.match(out.stderr.toString(), new RegExp(`access denied by S3 to GetObject on s3://${teamBucket}/v/vault.json`));
  });
});
