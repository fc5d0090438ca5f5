// The configuration-parity suite (issue 12): each fixture (config + credentials + environment +
// profile) is resolved by Cachet (resolveAwsClient) and by the real AWS CLI v1 (`aws configure
// list`, botocore's resolution), and the two must name the same profile and region, or both
// refuse, or Cachet refuses clearly (`aws-config-invalid` naming the file and line) where the SDK
// would read the files differently from the CLI. Fixtures run two at a time (the CLI starts in
// ~0.5 s); every child has a timeout. No network: `configure list` does not call AWS.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isCachetError } from '../../../app/errors.js';
import { resolveAwsClient } from '../../../app/keys/aws-config.js';
import { withEnv } from '../../helpers/aws-env.js';

interface Fixture {
  readonly name: string;
  readonly config: string;
  readonly credentials?: string;
  readonly env?: Record<string, string>;
  readonly profile?: string;
  /** What the CLI does: resolve a region under a profile, or refuse. */
  readonly cli: { region: string; profile: string } | 'refuses';
  /** Cachet: the same as the CLI, or a clear refusal (the reason of aws-config-invalid). */
  readonly cachet: 'same' | { refuses: string; line?: number };
}

const FIXTURES: readonly Fixture[] = [
  {
    name: 'a section without ] after [profile prod] does not bleed into prod',
    config: '[profile prod]\nregion = eu-west-1\n[profile dev\nregion = ap-south-1\nrole_arn = arn:aws:iam::111122223333:role/Dev\n',
    profile: 'prod',
    cli: 'refuses',
    cachet: { refuses: 'unclosed-section', line: 3 },
  },
  {
    name: 'AWS_DEFAULT_PROFILE picks the profile and its region',
    config: '[default]\nregion = eu-west-1\n[profile ci]\nregion = us-west-1\n',
    env: { AWS_DEFAULT_PROFILE: 'ci' },
    cli: { region: 'us-west-1', profile: 'ci' },
    cachet: 'same',
  },
  {
    name: 'AWS_DEFAULT_REGION outranks the explicit profile\'s region',
    config: '[default]\nregion = eu-west-1\n[profile ci]\nregion = us-west-1\n',
    env: { AWS_DEFAULT_REGION: 'sa-east-1' },
    profile: 'ci',
    cli: { region: 'sa-east-1', profile: 'ci' },
    cachet: 'same',
  },
  {
    // The CLI v1 takes AWS_DEFAULT_PROFILE, the SDK and the CLI v2 AWS_PROFILE.
    name: 'AWS_PROFILE and AWS_DEFAULT_PROFILE naming different profiles: refused',
    config: '[profile a]\nregion = us-west-2\n[profile b]\nregion = eu-central-1\n',
    env: { AWS_PROFILE: 'a', AWS_DEFAULT_PROFILE: 'b' },
    cli: { region: 'eu-central-1', profile: 'b' },
    cachet: { refuses: 'profile-variables' },
  },
  {
    name: 'a region only in the credentials file is used',
    config: '[default]\n',
    credentials: '[ci]\nregion = ca-central-1\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n',
    profile: 'ci',
    cli: { region: 'ca-central-1', profile: 'ci' },
    cachet: 'same',
  },
  {
    name: '[profile default] before [default]: refused (the CLI and the SDK read different ones)',
    config: '[profile default]\nregion = eu-west-2\n[default]\nregion = eu-west-1\n',
    cli: { region: 'eu-west-1', profile: 'default' },
    cachet: { refuses: 'default-twice', line: 3 },
  },
  {
    name: 'Region = with a capital: refused (the CLI lower-cases, the SDK does not)',
    config: '[profile up]\nRegion = eu-north-1\n',
    profile: 'up',
    cli: { region: 'eu-north-1', profile: 'up' },
    cachet: { refuses: 'key-case', line: 2 },
  },
  {
    name: 'credential_process with " ;": refused (the SDK would cut the command line)',
    config: '[profile proc]\nregion = us-east-2\ncredential_process = @TMP@/creds.sh --sep ; tail\n',
    profile: 'proc',
    cli: { region: 'us-east-2', profile: 'proc' },
    cachet: { refuses: 'inline-comment', line: 3 },
  },
  {
    name: '[profile "quoted name"]: refused (the SDK cannot read a name with a space)',
    config: '[profile "quoted name"]\nregion = us-west-1\n',
    profile: 'quoted name',
    cli: { region: 'us-west-1', profile: 'quoted name' },
    cachet: { refuses: 'section-name', line: 1 },
  },
  {
    name: '[profile  two-spaces]: refused',
    config: '[profile  two-spaces]\nregion = us-west-1\n',
    profile: 'two-spaces',
    cli: { region: 'us-west-1', profile: 'two-spaces' },
    cachet: { refuses: 'section-name', line: 1 },
  },
  {
    name: 'a key before any section: both refuse',
    config: 'region = us-east-1\n[default]\n',
    cli: 'refuses',
    cachet: { refuses: 'key-before-section', line: 1 },
  },
  {
    name: 'a section twice: both refuse',
    config: '[profile a]\nregion = us-east-1\n[profile a]\nregion = us-west-2\n',
    profile: 'a',
    cli: 'refuses',
    cachet: { refuses: 'duplicate-section', line: 3 },
  },
];

let tmp: string;
let count = 0;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cachet-aws-parity-'));
  // A credential_process for the CLI (it runs it for `configure list`); the arguments are ignored.
  await writeFile(join(tmp, 'creds.sh'), '#!/bin/sh\necho \'{"Version": 1, "AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "secret"}\'\n', { mode: 0o755 });
});
after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const CLEAR = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KMS', 'AWS_MAX_ATTEMPTS', 'AWS_RETRY_MODE'];

async function files(f: Fixture): Promise<Record<string, string>> {
  const n = ++count; // fresh paths: the SDK caches shared files by path for the whole process
  const config = join(tmp, `config-${n}`);
  const credentials = join(tmp, `credentials-${n}`);
  await writeFile(config, f.config.replaceAll('@TMP@', tmp));
  await writeFile(credentials, f.credentials ?? '');
  return { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, HOME: tmp };
}

/** `aws configure list` under the fixture: region and profile, or 'refuses'. */
function runCli(f: Fixture, env: Record<string, string>): Promise<{ region: string; profile: string } | 'refuses'> {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...env };
  const args = ['configure', 'list', ...(f.profile !== undefined ? ['--profile', f.profile] : [])];
  return new Promise((resolve, reject) => {
    execFile('aws', args, { env: childEnv, timeout: 60_000 }, (err, stdout) => {
      if (err && (err as { killed?: boolean }).killed) return reject(new Error(`aws ${args.join(' ')} timed out`));
      if (err) return resolve('refuses');
      // `  profile    quoted name    manual    --profile`: columns are two or more spaces apart.
      const value = (row: string) => new RegExp(`^\\s*${row}\\s+(\\S+(?: \\S+)*)`, 'm').exec(stdout)?.[1] ?? '';
      const profile = value('profile');
      resolve({ region: value('region'), profile: profile.startsWith('<not set>') ? 'default' : profile });
    });
  });
}

async function runCachet(f: Fixture, env: Record<string, string>): Promise<{ region: string; profile: string } | { refuses: string; line?: number; path?: string }> {
  const patch: Record<string, string | undefined> = Object.fromEntries(CLEAR.map((k) => [k, undefined]));
  return withEnv({ ...patch, ...env }, async () => {
    try {
      const r = await resolveAwsClient({ ...(f.profile !== undefined ? { profile: f.profile } : {}), credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      return { region: r.region, profile: r.profile ?? 'default' };
    } catch (e) {
      assert.ok(isCachetError(e, 'aws-config-invalid'), `a clear refusal, not ${String(e)}`);
      return { refuses: String(e.detail.reason), line: e.detail.line as number, path: e.detail.path as string };
    }
  });
}

test('Cachet and the AWS CLI v1 agree on profile and region, or Cachet refuses clearly', { timeout: 300_000 }, async () => {
  const prepared = await Promise.all(FIXTURES.map(async (f) => ({ f, env: { ...(await files(f)), ...(f.env ?? {}) } })));
  // The CLI runs two fixtures at a time; Cachet's side runs in this process, one at a time (env).
  const cli = new Map<Fixture, Awaited<ReturnType<typeof runCli>>>();
  for (let i = 0; i < prepared.length; i += 2) {
    const pair = prepared.slice(i, i + 2);
    const out = await Promise.all(pair.map((p) => runCli(p.f, p.env)));
    pair.forEach((p, j) => cli.set(p.f, out[j]!));
  }
  for (const { f, env } of prepared) {
    assert.deepEqual(cli.get(f), f.cli, `${f.name}: the AWS CLI itself`);
    const mine = await runCachet(f, env);
    if (f.cachet === 'same') {
      assert.deepEqual(mine, f.cli, `${f.name}: Cachet matches the CLI`);
    } else {
      assert.ok('refuses' in mine, `${f.name}: Cachet refuses, got ${JSON.stringify(mine)}`);
      assert.equal(mine.refuses, f.cachet.refuses, f.name);
      if (f.cachet.line !== undefined) assert.equal(mine.line, f.cachet.line, `${f.name}: the line`);
      if (f.cachet.line !== undefined) assert.ok(mine.path === env.AWS_CONFIG_FILE || mine.path === env.AWS_SHARED_CREDENTIALS_FILE, `${f.name}: names the file`);
    }
  }
});

test('AWS_REGION (the JS SDK\'s variable) outranks AWS_DEFAULT_REGION: a documented difference', { timeout: 120_000 }, async () => {
  const f: Fixture = { name: 'both region variables', config: '[default]\nregion = eu-west-1\n', cli: 'refuses', cachet: 'same' };
  const env = { ...(await files(f)), AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'sa-east-1' };
  assert.deepEqual(await runCachet(f, env), { region: 'us-east-2', profile: 'default' });
  assert.deepEqual(await runCli(f, env), { region: 'sa-east-1', profile: 'default' });
});

test('a [cred space] section in the credentials file and a missing services / sso-session: refused clearly', async () => {
  const cases: Array<[Fixture, string]> = [
    [{ name: 'cred space', config: '', credentials: '[cred space]\naws_access_key_id = a\naws_secret_access_key = b\n', profile: 'cred space', cli: 'refuses', cachet: 'same' }, 'section-name'],
    [{ name: 'services nosuch', config: '[profile x]\nregion = us-east-1\nservices = nosuch\n', profile: 'x', cli: 'refuses', cachet: 'same' }, 'missing-services'],
    [{ name: 'no sso-session', config: '[profile s]\nregion = us-east-1\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n', profile: 's', cli: 'refuses', cachet: 'same' }, 'missing-sso-session'],
  ];
  for (const [f, reason] of cases) {
    const out = await runCachet(f, await files(f));
    assert.ok('refuses' in out && out.refuses === reason, `${f.name}: ${JSON.stringify(out)}`);
  }
});
