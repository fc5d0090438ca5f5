// The CLI end to end against AWS KMS, emulated by moto (test/helpers/moto.ts) with the real SDK:
// profiles, keys and create-key; a vault under a KMS key (and a KMS key plus the local key);
// rekey to another KMS key; single-file encrypt/decrypt/inspect; KMS errors with their hints,
// including a real access denial from moto's IAM checks (startMoto({ iamAuth: true })).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLimitedUser, createTestKey, startMoto, type LimitedUser, type Moto } from '../../helpers/moto.js';
import { buildCli, lines, makeSandbox, runCli, type RunResult, type Sandbox } from './harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let moto: Moto;
let sb: Sandbox;
let env: Record<string, string>;
let keyA: string;
let keyB: string;

const run = (args: string[], extra: { env?: Record<string, string>; input?: Buffer } = {}): Promise<RunResult> =>
  runCli(cli, args, { env: { ...env, ...extra.env }, cwd: sb.dir, ...(extra.input ? { input: extra.input } : {}) });

function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}

interface LsItem { id: string; path: string; size: number | null; keys: string[] }
async function ls(vault: string): Promise<LsItem[]> {
  const r = await run(['ls', vault, '--json']);
  ok(r, 'ls --json');
  return JSON.parse(r.stdout.toString()) as LsItem[];
}

const data = { 'a.txt': Buffer.from('kms-sealed text\n'), 'b.bin': randomBytes(100_000) };

before(async () => {
  [{ cli, cleanup: cleanupBuild }, moto] = await Promise.all([buildCli(), startMoto()]);
  sb = await makeSandbox();
  // moto's env, but the shared files of the sandbox (written below) so profiles can be listed.
  env = { ...sb.env, ...moto.env, AWS_CONFIG_FILE: sb.env.AWS_CONFIG_FILE!, AWS_SHARED_CREDENTIALS_FILE: sb.env.AWS_SHARED_CREDENTIALS_FILE! };
  await writeFile(
    env.AWS_CONFIG_FILE!,
    ['[default]', 'region = us-east-1', '', '[profile work]', 'sso_start_url = https://example.awsapps.com/start', 'sso_region = us-east-1',
      'sso_account_id = 111122223333', 'sso_role_name = Admin', 'region = eu-west-1', '', '[profile ops]', 'role_arn = arn:aws:iam::111122223333:role/ops',
      'source_profile = default', ''].join('\n'),
  );
  await writeFile(env.AWS_SHARED_CREDENTIALS_FILE!, ['[default]', 'aws_access_key_id = testing', 'aws_secret_access_key = testing', ''].join('\n'));
  keyA = await createTestKey(moto.endpoint, 'alias/cachet-a');
  keyB = await createTestKey(moto.endpoint);
  await mkdir(join(sb.dir, 'src'));
  for (const [n, d] of Object.entries(data)) await writeFile(join(sb.dir, 'src', n), d);
});

after(async () => {
  await moto?.stop();
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('AWS helpers', () => {
  test('profiles lists each profile with region and type, never a secret', async () => {
    const r = await run(['profiles', '--json']);
    ok(r, 'profiles');
    const profiles = JSON.parse(r.stdout.toString()) as { name: string; region?: string; type: string }[];
    const by = new Map(profiles.map((p) => [p.name, p]));
    assert.equal(by.get('work')?.type, 'sso');
    assert.equal(by.get('work')?.region, 'eu-west-1');
    assert.equal(by.get('ops')?.type, 'assume-role');
    assert.equal(by.get('default')?.region, 'us-east-1');
    const h = await run(['profiles']);
    ok(h, 'profiles (table)');
    assert.match(h.stdout.toString(), /^PROFILE\s+REGION\s+TYPE/);
    assert.doesNotMatch(h.stdout.toString() + r.stdout.toString(), /testing/);
  });

  test('create-key makes a key with an alias; keys lists it', async () => {
    const c = await run(['create-key', '--alias', 'cachet-made']);
    ok(c, 'create-key');
    const [arn, alias] = c.stdout.toString().trim().split('\t');
    assert.match(arn!, /^arn:aws:kms:us-east-1:\d{12}:key\//);
    assert.equal(alias, 'alias/cachet-made');
    const k = await run(['keys', '--json']);
    ok(k, 'keys');
    const keys = JSON.parse(k.stdout.toString()) as { arn: string; aliases: string[] }[];
    assert.ok(keys.some((x) => x.arn === arn && x.aliases.includes('alias/cachet-made')));
    assert.ok(keys.some((x) => x.arn === keyA && x.aliases.includes('alias/cachet-a')));
    const t = await run(['keys']);
    ok(t, 'keys (table)');
    assert.match(t.stdout.toString(), /alias\/cachet-made/);
    const dup = await run(['create-key', '--alias', 'cachet-made']);
    assert.equal(dup.code, 1, dup.stderr);
    assert.match(dup.stderr, /already exists|in use/);
  });

  test('create-key --json prints {arn, alias}', async () => {
    const c = await run(['create-key', '--alias', 'cachet-json', '--json']);
    ok(c, 'create-key --json');
    const made = JSON.parse(c.stdout.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(made).sort(), ['alias', 'arn']);
    assert.match(String(made.arn), /^arn:aws:kms:us-east-1:\d{12}:key\//);
    assert.equal(made.alias, 'alias/cachet-json');
  });
});

describe('AWS errors', () => {
  test('an unknown --profile: exit 1, the profile named, a hint to list profiles', async () => {
    const r = await run(['keys', '--profile', 'nope']);
    assert.equal(r.code, 1, r.stderr);
    const l = lines(r.stderr);
    assert.equal(l.length, 2, r.stderr);
    assert.match(l[0]!, /^cachet: keys: no AWS profile named nope$/);
    assert.match(l[1]!, /cachet profiles/);
  });

  test('--region is used (a key ARN of one region is not found in another)', async () => {
    const r = await run(['encrypt', 'src/a.txt', '--kms-key', 'alias/cachet-a', '--region', 'eu-west-3', '-o', 'r.env']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no such KMS key: alias\/cachet-a in eu-west-3/);
  });
});

describe('a vault under KMS keys', () => {
  test('init with an alias, add, ls shows the key ARN, get, verify', async () => {
    ok(await run(['init', 'kv', '--kms-key', 'alias/cachet-a']), 'init');
    const cfg = JSON.parse(await readFile(join(sb.dir, 'kv/vault.json'), 'utf8')) as { keys: { provider: string; keyId: string }[] };
    assert.deepEqual(cfg.keys, [{ provider: 'aws-kms', keyId: keyA }]);
    ok(await run(['add', 'kv', 'src/a.txt', 'src/b.bin']), 'add');
    const items = await ls('kv');
    assert.equal(items.length, 2);
    for (const i of items) assert.deepEqual(i.keys, [keyA]);
    const g = await run(['get', 'kv', 'b.bin', '-o', '-']);
    ok(g, 'get');
    assert.ok(g.stdout.equals(data['b.bin']));
    ok(await run(['verify', 'kv']), 'verify');
  });

  test('rekey --to another key: items now under it, still readable', async () => {
    ok(await run(['rekey', 'kv', '--to', keyB]), 'rekey');
    for (const i of await ls('kv')) assert.deepEqual(i.keys, [keyB]);
    const g = await run(['get', 'kv', 'a.txt', '-o', '-']);
    ok(g, 'get after rekey');
    assert.ok(g.stdout.equals(data['a.txt']));
  });

  test('a KMS key plus the local key: both wrap every item', async () => {
    ok(await run(['init', 'both', '--kms-key', keyA, '--local']), 'init both');
    ok(await run(['add', 'both', 'src/a.txt']), 'add');
    const [item] = await ls('both');
    assert.equal(item!.keys.length, 2);
    assert.ok(item!.keys.includes(keyA));
    assert.ok(item!.keys.some((k) => k.startsWith('local:')));
    // With KMS unreachable the local key still opens the item.
    const g = await run(['get', 'both', 'a.txt', '-o', '-'], { env: { AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' } });
    ok(g, 'get with KMS down');
    assert.ok(g.stdout.equals(data['a.txt']));
  });

  test('an unknown key: exit 1, the key named, a hint to list keys', async () => {
    const r = await run(['init', 'nokey', '--kms-key', 'alias/does-not-exist']);
    assert.equal(r.code, 1, r.stderr);
    const l = lines(r.stderr);
    assert.equal(l.length, 2, r.stderr);
    assert.match(l[0]!, /no such KMS key/);
    assert.match(l[0]!, /does-not-exist/);
    assert.match(l[1]!, /cachet keys/);
  });

  test('verify with KMS out of reach: could not be checked (exit 3); an item file deleted by hand: damaged (exit 1)', async () => {
    ok(await run(['init', 'kv2', '--kms-key', keyA]), 'init');
    ok(await run(['add', 'kv2', 'src/a.txt', 'src/b.bin']), 'add');
    const away = await run(['verify', 'kv2', '--json'], { env: { AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' } });
    assert.equal(away.code, 3, away.stderr);
    const j = JSON.parse(away.stdout.toString('utf8')) as { ok: number; bad: unknown[]; unchecked: { error: string }[] };
    assert.deepEqual([j.ok, j.bad.length, j.unchecked.map((u) => u.error)], [0, 0, ['kms-unreachable', 'kms-unreachable']]);
    assert.match(away.stderr, /\(could not be checked\): cannot reach KMS/);
    assert.doesNotMatch(away.stderr, /damaged|tampered/i);

    // The index knew b.bin: its file gone is reported, not dropped from the count.
    const b = (await ls('kv2')).find((i) => i.path === 'b.bin')!;
    await rm(join(sb.dir, 'kv2', 'items', `${b.id}.env`));
    const gone = await run(['verify', 'kv2', '--json']);
    assert.equal(gone.code, 1, gone.stderr);
    const g = JSON.parse(gone.stdout.toString('utf8')) as { ok: number; bad: { path: string; error: string }[]; unchecked: unknown[] };
    assert.deepEqual([g.ok, g.bad.map((x) => [x.path, x.error]), g.unchecked.length], [1, [['b.bin', 'not-found']], 0]);
    assert.match(gone.stderr, /verify b\.bin/);
    assert.doesNotMatch(gone.stderr, /could not be checked/);
  });

  test('an unreachable KMS endpoint: exit 1 with a network hint', async () => {
    const r = await run(['encrypt', 'src/a.txt', '--kms-key', keyA, '-o', 'x.env'], {
      env: { AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot reach KMS/);
    assert.match(r.stderr, /AWS_ENDPOINT_URL_KMS/);
  });
});

describe('single files under KMS', () => {
  test('encrypt with two keys, inspect names both ARNs, decrypt', async () => {
    ok(await run(['encrypt', 'src/b.bin', '--kms-key', 'alias/cachet-a', '--kms-key', keyB, '-o', 'b.env']), 'encrypt');
    const i = await run(['inspect', 'b.env', '--json']);
    ok(i, 'inspect');
    const info = JSON.parse(i.stdout.toString()) as { stanzas: { provider: string; keyId: string }[]; context: Record<string, string> };
    assert.deepEqual(info.stanzas.map((s) => [s.provider, s.keyId]), [['aws-kms', keyA], ['aws-kms', keyB]]);
    assert.equal(info.context['cachet:vault'], undefined);
    const d = await run(['decrypt', 'b.env', '-o', '-']);
    ok(d, 'decrypt');
    assert.ok(d.stdout.equals(data['b.bin']));
  });
});

describe('--local with --kms-key, and --endpoint-url', () => {
  test('encrypt --kms-key K --local wraps the data key under both: either key alone opens it', async () => {
    ok(await run(['encrypt', 'src/a.txt', '--kms-key', 'alias/cachet-a', '--local', '-o', 'both.env']), 'encrypt');
    const info = JSON.parse((await run(['inspect', 'both.env', '--json'])).stdout.toString()) as { stanzas: { provider: string }[] };
    assert.deepEqual(info.stanzas.map((s) => s.provider), ['aws-kms', 'local']);
    // KMS unreachable: the local key opens it.
    const offline = await run(['decrypt', 'both.env', '-o', '-'], { env: { AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' } });
    ok(offline, 'decrypt with the local key');
    assert.ok(offline.stdout.equals(data['a.txt']));
    // No local key file: KMS opens it.
    const kmsOnly = await run(['decrypt', 'both.env', '-o', '-'], { env: { CACHET_HOME: join(sb.dir, 'empty-home') } });
    ok(kmsOnly, 'decrypt with KMS');
    assert.ok(kmsOnly.stdout.equals(data['a.txt']));
  });

  test('--endpoint-url sends every AWS call there, as AWS_ENDPOINT_URL does; a bad URL is a usage error', async () => {
    const noEndpoints = { AWS_ENDPOINT_URL_KMS: '', AWS_ENDPOINT_URL_STS: '', AWS_ENDPOINT_URL_S3: '' };
    const without = await run(['keys', '--json'], { env: { ...noEndpoints, AWS_MAX_ATTEMPTS: '1', HTTPS_PROXY: 'http://127.0.0.1:9' } });
    assert.equal(without.code, 1, 'without it, the public endpoint (here: an unreachable proxy)');
    const r = await run(['keys', '--json', '--endpoint-url', moto.endpoint], { env: noEndpoints });
    ok(r, 'keys --endpoint-url');
    assert.ok((JSON.parse(r.stdout.toString()) as { arn: string }[]).some((k) => k.arn === keyA));
    const dead = await run(['keys', '--endpoint-url', 'http://127.0.0.1:9'], { env: { ...noEndpoints, AWS_MAX_ATTEMPTS: '1' } });
    assert.equal(dead.code, 1);
    assert.match(dead.stderr, /cannot reach KMS at http:\/\/127\.0\.0\.1:9/);
    const bad = await run(['keys', '--endpoint-url', 'localhost:4566']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--endpoint-url must be an http:\/\/ or https:\/\/ URL/);
  });
});

describe('a profile whose IAM user is denied kms:Decrypt (moto with IAM access control on)', { timeout: 60_000 }, () => {
  let iam: Moto;
  let iamSb: Sandbox;
  let iamEnv: Record<string, string>;
  let key: string;
  let reader: LimitedUser;

  before(async () => {
    [iam, iamSb] = await Promise.all([startMoto({ iamAuth: true }), makeSandbox()]);
    key = await createTestKey(iam, 'alias/cachet-iam');
    const use = ['kms:DescribeKey', 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'];
    const [writer, denied] = await Promise.all([createLimitedUser(iam, { allow: use }), createLimitedUser(iam, { allow: use, deny: ['kms:Decrypt'] })]);
    reader = denied;
    // Two profiles in the shared files, no AWS_ACCESS_KEY_ID in the environment: each run's
    // credentials come from the profile it names.
    iamEnv = { ...iamSb.env, AWS_ENDPOINT_URL_KMS: iam.endpoint, AWS_ENDPOINT_URL_STS: iam.endpoint, AWS_MAX_ATTEMPTS: '1' };
    await writeFile(iamEnv.AWS_CONFIG_FILE!, ['[profile writer]', 'region = us-east-1', '', '[profile reader]', 'region = us-east-1', ''].join('\n'));
    await writeFile(
      iamEnv.AWS_SHARED_CREDENTIALS_FILE!,
      [
        '[writer]', `aws_access_key_id = ${writer.accessKeyId}`, `aws_secret_access_key = ${writer.secretAccessKey}`, '',
        '[reader]', `aws_access_key_id = ${reader.accessKeyId}`, `aws_secret_access_key = ${reader.secretAccessKey}`, '',
      ].join('\n'),
    );
    await mkdir(join(iamSb.dir, 'src'));
    await writeFile(join(iamSb.dir, 'src', 'a.txt'), data['a.txt']);
  });
  after(async () => {
    await iam?.stop();
    await iamSb?.cleanup();
  });

  const runAs = (profile: string, args: string[]) => runCli(cli, [...args, '--profile', profile], { env: iamEnv, cwd: iamSb.dir });

  test('get: exit 1; stderr names the key and the user and says kms:Decrypt is missing', async () => {
    ok(await runAs('writer', ['init', 'v', '--kms-key', 'alias/cachet-iam']), 'init as writer');
    ok(await runAs('writer', ['add', 'v', 'src/a.txt']), 'add as writer');
    const g = await runAs('writer', ['get', 'v', 'a.txt', '-o', '-']);
    ok(g, 'get as writer');
    assert.ok(g.stdout.equals(data['a.txt']));

    const r = await runAs('reader', ['get', 'v', 'a.txt', '-o', 'out.txt']);
    assert.equal(r.code, 1, r.stderr);
    const l = lines(r.stderr);
    assert.equal(l.length, 2, r.stderr);
    assert.match(l[0]!, /access denied/i);
    assert.ok(l[0]!.includes(key), `the key ARN is named: ${l[0]}`);
    assert.ok(l[0]!.includes(reader.arn), `the user ARN is named: ${l[0]}`);
    assert.match(l[1]!, /kms:Decrypt/);
    assert.match(l[1]!, /--profile/);
    assert.doesNotMatch(r.stderr, new RegExp(reader.secretAccessKey.replace(/[^\w]/g, '.')), 'no secret on stderr');
    assert.doesNotMatch(r.stderr, /at \w+ \(|SyntaxError/, 'no stack trace, no undecoded reply');
    assert.equal(r.stdout.length, 0);
    await assert.rejects(readFile(join(iamSb.dir, 'out.txt')), { code: 'ENOENT' }, 'no output file left behind');
  });

  // Issue 11 defect 4: access denied is "could not be checked", never "damaged".
  test('verify as a profile denied kms:Decrypt: could not be checked, not damaged (exit 3, --json unchecked)', async () => {
    const r = await runAs('reader', ['verify', 'v', '--json']);
    assert.equal(r.code, 3, r.stderr);
    const j = JSON.parse(r.stdout.toString('utf8')) as { ok: number; bad: unknown[]; unchecked: { item: string; path: string | null; error: string }[] };
    assert.deepEqual([j.ok, j.bad.length], [0, 0]);
    // Named by id: without kms:Decrypt the item's path (sealed in its header and the index) is unknown.
    assert.deepEqual(j.unchecked.map((u) => [typeof u.item, u.error]), [['string', 'kms-access-denied']]);
    const text = await runAs('reader', ['verify', 'v']);
    assert.equal(text.code, 3, text.stderr);
    assert.match(text.stderr, /\(could not be checked\): access denied/i);
    assert.doesNotMatch(text.stderr, /damaged|tampered/i);
    ok(await runAs('writer', ['verify', 'v']), 'the writer verifies it');
  });
});
