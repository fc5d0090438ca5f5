// AwsKmsProvider against moto_server with the real SDK: roundtrips, Decrypt naming its key,
// encryption context, ReEncrypt, the errors moto really produces, endpoint and credential
// resolution (env var alone, a profile's endpoint_url, credential_process, SSO), and failure
// modes served by tiny local servers (closed port, a server that never answers, throttling).
//
// What moto 5.2 does NOT do, checked by hand and so not asserted here: it does not refuse
// GenerateDataKey/Encrypt/Decrypt on a disabled or pending-deletion key (the provider catches
// both when it resolves the key, which is what the disabled/pending tests exercise); Decrypt
// naming another key gives AccessDeniedException (real KMS: IncorrectKeyException); ReEncrypt
// ignores SourceKeyId (the provider checks the SourceKeyId it returns); ListKeys ignores Limit.
// It does refuse by IAM policy when its access control is on: the 'IAM policies' block runs its
// own moto with startMoto({ iamAuth: true }) and IAM users of narrow policies.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand, type KMSClientConfig } from '@aws-sdk/client-kms';
import { isCachetError } from '../../../app/errors.js';
import { AwsKmsProvider, clearKeyArnCache, isKeyArn, regionOfArn } from '../../../app/keys/aws-kms.js';
import type { Stanza } from '../../../app/keys/provider.js';
import { createLimitedUser, createTestKey, freePort, motoKmsClient, startMoto, type LimitedUser, type Moto } from '../../helpers/moto.js';
import { rejectsWith, withEnv } from '../../helpers/aws-env.js';
import { startFaultProxy } from '../../helpers/fault-proxy.js';

const CTX = { 'cachet:item': '0123456789abcdef0123456789abcdef', 'cachet:purpose': 'item', 'cachet:vault': 'fedcba9876543210fedcba9876543210' } as const;

let moto: Moto;
let tmp: string;
let keyA: string;
let keyB: string;
const savedEnv = { ...process.env };

/** A config file at a fresh path (the SDK caches shared files by path for the process). */
let configCount = 0;
async function configFile(text: string): Promise<string> {
  const p = join(tmp, `config-${++configCount}`);
  await writeFile(p, text);
  return p;
}

/** A provider whose clients record each command name and the Plaintext arrays the SDK returned. */
function recordingProvider(opts: ConstructorParameters<typeof AwsKmsProvider>[0] = {}) {
  const commands: string[] = [];
  const plaintexts: Uint8Array[] = [];
  const createClient = (config: KMSClientConfig) => {
    const c = new KMSClient(config);
    c.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName).replace(/Command$/, ''));
        const r = await next(args);
        const pt = (r.output as { Plaintext?: Uint8Array }).Plaintext;
        if (pt) plaintexts.push(pt);
        return r;
      },
      { step: 'initialize', name: 'cachetTestRecorder' },
    );
    return c;
  };
  return { provider: new AwsKmsProvider({ endpoint: moto.endpoint, ...opts, createClient }), commands, plaintexts };
}

before(async () => {
  moto = await startMoto();
  tmp = await mkdtemp(join(tmpdir(), 'cachet-aws-kms-'));
  // The whole file runs against moto with moto's env; ~/.aws is never read.
  Object.assign(process.env, moto.env);
  delete process.env.AWS_PROFILE;
  keyA = await createTestKey(moto.endpoint, 'alias/cachet-a');
  keyB = await createTestKey(moto.endpoint, 'alias/cachet-b');
});

after(async () => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  await moto?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('roundtrips', () => {
  test('generateDataKey then unwrapKey gives the same 32 bytes; the stanza names the full key ARN', async () => {
    const p = new AwsKmsProvider({ endpoint: moto.endpoint });
    const { plaintext, stanza } = await p.generateDataKey('alias/cachet-a', CTX);
    assert.equal(plaintext.length, 32);
    assert.notDeepEqual(plaintext, Buffer.alloc(32));
    assert.equal(stanza.type, 'aws-kms');
    assert.equal(stanza.keyId, keyA);
    assert.ok(isKeyArn(stanza.keyId));
    const again = await p.unwrapKey(stanza, CTX);
    assert.deepEqual(again, plaintext);
    p.destroy();
  });

  test('the SDK response plaintext is zeroed before the call returns; the caller gets its own copy', async () => {
    const { provider, plaintexts } = recordingProvider();
    const { plaintext, stanza } = await provider.generateDataKey(keyA, CTX);
    const key = await provider.unwrapKey(stanza, CTX);
    assert.equal(plaintexts.length, 2, 'GenerateDataKey and Decrypt each returned a Plaintext');
    for (const sdk of plaintexts) {
      assert.equal(sdk.length, 32);
      assert.ok(sdk.every((b) => b === 0), 'the SDK array was zeroed');
      assert.notEqual(sdk.buffer, plaintext.buffer);
    }
    assert.deepEqual(key, plaintext);
    assert.ok(plaintext.some((b) => b !== 0));
    provider.destroy();
  });

  test('wrapKey puts an existing data key under a second key; that stanza unwraps to it', async () => {
    const p = new AwsKmsProvider({ endpoint: moto.endpoint });
    const { plaintext } = await p.generateDataKey(keyA, CTX);
    const stanzaB = await p.wrapKey('alias/cachet-b', plaintext, CTX);
    assert.equal(stanzaB.keyId, keyB);
    assert.deepEqual(await p.unwrapKey(stanzaB, CTX), plaintext);
    p.destroy();
  });

  test('rewrapKey uses ReEncrypt (no Decrypt) and the new stanza unwraps with the second key', async () => {
    const { provider, commands, plaintexts } = recordingProvider();
    const { plaintext, stanza } = await provider.generateDataKey(keyA, CTX);
    const before = commands.length;
    const moved = await provider.rewrapKey(stanza, CTX, 'alias/cachet-b');
    const during = commands.slice(before);
    assert.ok(during.includes('ReEncrypt'));
    assert.ok(!during.includes('Decrypt') && !during.includes('Encrypt'), `rewrap sent ${during.join(',')}`);
    assert.equal(plaintexts.length, 1, 'no plaintext entered the process during rewrap');
    assert.equal(moved.keyId, keyB);
    assert.notDeepEqual(moved.blob, stanza.blob);
    assert.deepEqual(await provider.unwrapKey(moved, CTX), plaintext);
    provider.destroy();
  });

  test('rewrapKey refuses a stanza whose blob was made under another key than it names', async () => {
    const p = new AwsKmsProvider({ endpoint: moto.endpoint });
    const { stanza } = await p.generateDataKey(keyA, CTX);
    const lying: Stanza = { ...stanza, keyId: keyB };
    await assert.rejects(p.rewrapKey(lying, CTX, keyA), (e) => isCachetError(e) && ['kms-invalid-ciphertext', 'kms-access-denied'].includes(e.code));
    p.destroy();
  });

  test('a key in another region: the stanza holds that region and unwraps through a client there', async () => {
    const euKey = await createTestKey(moto.endpoint, undefined, 'eu-west-1');
    const p = new AwsKmsProvider({ endpoint: moto.endpoint, region: 'us-east-1' });
    const { plaintext, stanza } = await p.generateDataKey(euKey, CTX);
    assert.equal(regionOfArn(stanza.keyId), 'eu-west-1');
    assert.deepEqual(await p.unwrapKey(stanza, CTX), plaintext);
    // Across regions rewrap falls back to Decrypt + Encrypt (ReEncrypt is per region).
    const moved = await p.rewrapKey(stanza, CTX, keyA);
    assert.equal(moved.keyId, keyA);
    assert.deepEqual(await p.unwrapKey(moved, CTX), plaintext);
    p.destroy();
  });
});

describe('what KMS refuses', () => {
  test('Decrypt names the stanza key: a blob of key A under key B\'s id is refused', async () => {
    const { provider, commands } = recordingProvider();
    const { stanza } = await provider.generateDataKey(keyA, CTX);
    // moto answers AccessDeniedException here; real KMS answers IncorrectKeyException.
    await assert.rejects(
      provider.unwrapKey({ ...stanza, keyId: keyB }, CTX),
      (e) => isCachetError(e) && ['kms-access-denied', 'kms-invalid-ciphertext'].includes(e.code) && e.detail.keyId === keyB,
    );
    assert.equal(commands.at(-1), 'Decrypt');
    provider.destroy();
  });

  test('a wrong encryption context -> kms-invalid-ciphertext', async () => {
    const p = new AwsKmsProvider({ endpoint: moto.endpoint });
    const { stanza } = await p.generateDataKey(keyA, CTX);
    const err = await rejectsWith(p.unwrapKey(stanza, { ...CTX, 'cachet:item': 'ffffffffffffffffffffffffffffffff' }), 'kms-invalid-ciphertext');
    assert.equal(err.detail.keyId, keyA);
    assert.equal(err.detail.region, 'us-east-1');
    p.destroy();
  });

  test('a damaged blob -> kms-invalid-ciphertext', async () => {
    const p = new AwsKmsProvider({ endpoint: moto.endpoint });
    const { stanza } = await p.generateDataKey(keyA, CTX);
    const blob = Uint8Array.from(stanza.blob);
    blob[blob.length - 5]! ^= 0x01;
    await rejectsWith(p.unwrapKey({ ...stanza, blob }, CTX), 'kms-invalid-ciphertext');
    p.destroy();
  });

  test('an unknown alias and an unknown key ARN -> kms-key-not-found', async () => {
    const p = new AwsKmsProvider({ endpoint: moto.endpoint });
    const e1 = await rejectsWith(p.generateDataKey('alias/no-such-key', CTX), 'kms-key-not-found');
    assert.equal(e1.detail.keyId, 'alias/no-such-key');
    const ghost = keyA.replace(/key\/.*/, 'key/11111111-2222-3333-4444-555555555555');
    const { stanza } = await p.generateDataKey(keyA, CTX);
    await rejectsWith(p.unwrapKey({ ...stanza, keyId: ghost }, CTX), 'kms-key-not-found');
    p.destroy();
  });

  test('a disabled key (DisableKey) -> kms-key-disabled when sealing with it', async () => {
    const arn = await createTestKey(moto.endpoint, 'alias/cachet-disabled');
    await motoKmsClient(moto.endpoint).send(new DisableKeyCommand({ KeyId: arn.split('/')[1] }));
    clearKeyArnCache();
    const p = new AwsKmsProvider({ endpoint: moto.endpoint });
    const err = await rejectsWith(p.generateDataKey('alias/cachet-disabled', CTX), 'kms-key-disabled');
    assert.equal(err.detail.keyId, arn);
    p.destroy();
  });

  test('a key pending deletion (ScheduleKeyDeletion) -> kms-key-pending-deletion', async () => {
    const arn = await createTestKey(moto.endpoint);
    await motoKmsClient(moto.endpoint).send(new ScheduleKeyDeletionCommand({ KeyId: arn.split('/')[1], PendingWindowInDays: 7 }));
    const p = new AwsKmsProvider({ endpoint: moto.endpoint });
    await rejectsWith(p.wrapKey(arn, Buffer.alloc(32, 7), CTX), 'kms-key-pending-deletion');
    p.destroy();
  });

  test('a key policy that denies -> kms-access-denied naming the key', async () => {
    const kms = motoKmsClient(moto.endpoint);
    const { CreateKeyCommand } = await import('@aws-sdk/client-kms');
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'kms:DescribeKey', Resource: '*' }] });
    const arn = (await kms.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!.Arn!;
    const p = new AwsKmsProvider({ endpoint: moto.endpoint });
    const err = await rejectsWith(p.generateDataKey(arn, CTX), 'kms-access-denied');
    assert.equal(err.detail.keyId, arn);
    p.destroy();
  });

  test('a stanza that does not name a key ARN is refused before any call', async () => {
    const { provider, commands } = recordingProvider();
    await rejectsWith(provider.unwrapKey({ type: 'aws-kms', keyId: 'alias/cachet-a', blob: new Uint8Array(10) }, CTX), 'header-corrupt');
    await rejectsWith(provider.unwrapKey({ type: 'local', keyId: keyA, blob: new Uint8Array(10) }, CTX), 'bad-request');
    assert.equal(commands.length, 0);
    provider.destroy();
  });
});

describe('endpoints and credentials', () => {
  test('AWS_ENDPOINT_URL_KMS alone sends the SDK to moto (no endpoint option)', async () => {
    await withEnv({ AWS_ENDPOINT_URL_KMS: moto.endpoint }, async () => {
      const p = new AwsKmsProvider();
      const { plaintext, stanza } = await p.generateDataKey('alias/cachet-a', CTX);
      assert.deepEqual(await p.unwrapKey(stanza, CTX), plaintext);
      p.destroy();
    });
  });

  test('a profile with endpoint_url, given as an option, reaches moto', async () => {
    const cfg = await configFile(`[profile emu]\nregion = us-east-1\nendpoint_url = ${moto.endpoint}\n`);
    await withEnv({ AWS_CONFIG_FILE: cfg, AWS_ENDPOINT_URL_KMS: undefined }, async () => {
      const p = new AwsKmsProvider({ profile: 'emu', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      const { stanza } = await p.generateDataKey('alias/cachet-a', CTX);
      assert.equal(stanza.keyId, keyA);
      p.destroy();
    });
  });

  test('a profile with a services section, chosen by AWS_PROFILE, reaches moto (SDK resolution)', async () => {
    const cfg = await configFile(`[profile svc]\nregion = us-east-1\naws_access_key_id = testing\naws_secret_access_key = testing\nservices = emu\n[services emu]\nkms =\n  endpoint_url = ${moto.endpoint}\n`);
    await withEnv({ AWS_CONFIG_FILE: cfg, AWS_ENDPOINT_URL_KMS: undefined, AWS_PROFILE: 'svc' }, async () => {
      const p = new AwsKmsProvider();
      const { stanza } = await p.generateDataKey('alias/cachet-b', CTX);
      assert.equal(stanza.keyId, keyB);
      p.destroy();
    });
  });

  test('a credential_process profile is actually run for the credentials', async () => {
    const marker = join(tmp, 'process-ran');
    const script = join(tmp, 'creds.mjs');
    await writeFile(script, [
      "import { appendFileSync } from 'node:fs';",
      `appendFileSync(${JSON.stringify(marker)}, 'ran\\n');`,
      "process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'AKIAPROCESSEXAMPLE', SecretAccessKey: 'process-secret' }));",
    ].join('\n'));
    await chmod(script, 0o755);
    const cfg = await configFile(`[profile proc]\nregion = us-east-1\ncredential_process = ${process.execPath} ${script}\n`);
    await withEnv({ AWS_CONFIG_FILE: cfg, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }, async () => {
      let seenKeyId: string | undefined;
      const p = new AwsKmsProvider({
        profile: 'proc',
        endpoint: moto.endpoint,
        createClient: (config) => {
          const c = new KMSClient(config);
          c.middlewareStack.add((next) => async (args) => {
            const auth = String((args.request as { headers?: Record<string, string> }).headers?.authorization ?? '');
            seenKeyId = /Credential=([^/]+)\//.exec(auth)?.[1];
            return next(args);
          }, { step: 'finalizeRequest', name: 'cachetAuthProbe', priority: 'low' });
          return c;
        },
      });
      const { stanza } = await p.generateDataKey(keyA, CTX);
      assert.equal(stanza.keyId, keyA);
      assert.equal(seenKeyId, 'AKIAPROCESSEXAMPLE', 'the request was signed with the process credentials');
      assert.match(await readFile(marker, 'utf8'), /ran/);
      p.destroy();
    });
  });

  test('no credentials anywhere -> credentials-missing', async () => {
    await withEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined }, async () => {
      const p = new AwsKmsProvider({ endpoint: moto.endpoint, maxAttempts: 1 });
      await rejectsWith(p.generateDataKey(keyA, CTX), 'credentials-missing');
      p.destroy();
    });
  });

  test('an unknown profile -> profile-not-found', async () => {
    const p = new AwsKmsProvider({ profile: 'no-such-profile', endpoint: moto.endpoint });
    const err = await rejectsWith(p.generateDataKey(keyA, CTX), 'profile-not-found');
    assert.equal(err.detail.profile, 'no-such-profile');
  });

  test('no region anywhere -> bad-request naming the profile', async () => {
    const cfg = await configFile('[profile noregion]\naws_access_key_id = AKIAX\naws_secret_access_key = not-shown\n');
    await withEnv({ AWS_CONFIG_FILE: cfg, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, async () => {
      const p = new AwsKmsProvider({ profile: 'noregion', endpoint: moto.endpoint });
      const err = await rejectsWith(p.generateDataKey('alias/cachet-a', CTX), 'bad-request');
      assert.equal(err.detail.reason, 'no-region');
      assert.equal(err.detail.profile, 'noregion');
    });
  });

  for (const state of ['expired', 'missing'] as const) {
    test(`an SSO profile whose token is ${state} -> sso-expired with the profile`, async () => {
      const home = join(tmp, `home-${state}`);
      const cache = join(home, '.aws', 'sso', 'cache');
      await mkdir(cache, { recursive: true });
      if (state === 'expired') {
        const name = createHash('sha1').update('corp').digest('hex');
        await writeFile(join(cache, `${name}.json`), JSON.stringify({
          startUrl: 'https://example.awsapps.com/start', region: 'us-east-1', accessToken: 'not-a-real-token', expiresAt: '2020-01-01T00:00:00Z',
        }));
      }
      const cfg = await configFile([
        '[profile sso-dev]', 'sso_session = corp', 'sso_account_id = 111122223333', 'sso_role_name = Dev', 'region = us-east-1',
        '[sso-session corp]', 'sso_start_url = https://example.awsapps.com/start', 'sso_region = us-east-1', 'sso_registration_scopes = sso:account:access', '',
      ].join('\n'));
      await withEnv({ AWS_CONFIG_FILE: cfg, HOME: home, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }, async () => {
        const p = new AwsKmsProvider({ profile: 'sso-dev', endpoint: moto.endpoint, maxAttempts: 1 });
        const err = await rejectsWith(p.generateDataKey(keyA, CTX), 'sso-expired');
        assert.equal(err.detail.profile, 'sso-dev');
        assert.ok(!JSON.stringify(err).includes('not-a-real-token'));
        p.destroy();
      });
    });
  }
});

describe('unreachable, slow and throttled endpoints; cancellation', { timeout: 60_000 }, () => {
  let silent: TcpServer;
  let silentPort: number;
  const sockets = new Set<Socket>();
  let throttler: HttpServer;
  let throttlePort: number;
  let throttleHits = 0;

  before(async () => {
    silent = createTcpServer((s) => {
      sockets.add(s); // accept and never answer
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
    throttler = createHttpServer((req, res) => {
      throttleHits++;
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `t-${throttleHits}` });
        res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      });
    });
    await new Promise<void>((r) => throttler.listen(0, '127.0.0.1', r));
    throttlePort = (throttler.address() as { port: number }).port;
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
    throttler.closeAllConnections();
    await new Promise((r) => throttler.close(r));
  });

  test('a closed port -> kms-unreachable fast, naming the endpoint', async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const p = new AwsKmsProvider({ endpoint, maxAttempts: 2, connectTimeoutMs: 1000 });
    const t0 = Date.now();
    const err = await rejectsWith(p.unwrapKey({ type: 'aws-kms', keyId: keyA, blob: new Uint8Array(96) }, CTX), 'kms-unreachable');
    assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
    assert.equal(err.detail.endpoint, endpoint);
    assert.equal(err.detail.keyId, keyA);
    p.destroy();
  });

  test('a server that never answers -> kms-unreachable after the request timeout', async () => {
    const p = new AwsKmsProvider({ endpoint: `http://127.0.0.1:${silentPort}`, maxAttempts: 1, requestTimeoutMs: 300 });
    const t0 = Date.now();
    await rejectsWith(p.unwrapKey({ type: 'aws-kms', keyId: keyA, blob: new Uint8Array(96) }, CTX), 'kms-unreachable');
    assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
    p.destroy();
  });

  test('a black-holed KMS trips the circuit breaker: one call spends its attempts, the rest fail at once (issue 16 #9)', async () => {
    const hole = await startFaultProxy({ target: moto.endpoint, seed: 9, rates: { timeout: 1 } });
    try {
      const p = new AwsKmsProvider({ endpoint: hole.endpoint, maxAttempts: 2, requestTimeoutMs: 300, unreachableCooldownMs: 60_000 });
      const stanza: Stanza = { type: 'aws-kms', keyId: keyA, blob: new Uint8Array(96) };
      await rejectsWith(p.unwrapKey(stanza, CTX), 'kms-unreachable');
      const spent = hole.counts.requests;
      assert.equal(spent, 2, 'the first call used its two attempts');
      const t0 = Date.now();
      for (let i = 0; i < 20; i++) {
        const err = await rejectsWith(p.unwrapKey(stanza, CTX), 'kms-unreachable');
        assert.equal(err.detail.breaker, true);
        assert.equal(err.detail.endpoint, hole.endpoint, 'names the endpoint actually called');
      }
      assert.equal(hole.counts.requests, spent, 'no request while the breaker is open');
      assert.ok(Date.now() - t0 < 2_000, `20 files failed in ${Date.now() - t0} ms`);
      p.destroy();

      // After the cool-down KMS is asked again; once it answers, work goes on.
      hole.setRates({});
      const q = new AwsKmsProvider({ endpoint: hole.endpoint, maxAttempts: 1, requestTimeoutMs: 300, unreachableCooldownMs: 200 });
      hole.setRates({ timeout: 1 });
      await rejectsWith(q.generateDataKey(keyA, CTX), 'kms-unreachable');
      hole.setRates({});
      await rejectsWith(q.generateDataKey(keyA, CTX), 'kms-unreachable'); // still open
      await new Promise((r) => setTimeout(r, 250));
      const made = await q.generateDataKey(keyA, CTX);
      assert.equal(made.plaintext.length, 32);
      q.destroy();

      // 0 turns it off: every call asks again.
      hole.setRates({ timeout: 1 });
      const before = hole.counts.requests;
      const off = new AwsKmsProvider({ endpoint: hole.endpoint, maxAttempts: 1, requestTimeoutMs: 300, unreachableCooldownMs: 0 });
      for (let i = 0; i < 2; i++) await rejectsWith(off.unwrapKey(stanza, CTX), 'kms-unreachable');
      assert.equal(hole.counts.requests - before, 2);
      off.destroy();
    } finally {
      await hole.stop();
    }
  });

  test('an abort while KMS is silent -> cancelled, promptly', async () => {
    const p = new AwsKmsProvider({ endpoint: `http://127.0.0.1:${silentPort}`, maxAttempts: 1, requestTimeoutMs: 20_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const t0 = Date.now();
    await rejectsWith(p.unwrapKey({ type: 'aws-kms', keyId: keyA, blob: new Uint8Array(96) }, CTX, { signal: ac.signal }), 'cancelled');
    assert.ok(Date.now() - t0 < 3_000, `took ${Date.now() - t0} ms`);
    p.destroy();
  });

  test('an already aborted signal -> cancelled before any request', async () => {
    const { provider, commands } = recordingProvider();
    await rejectsWith(provider.generateDataKey(keyA, CTX, { signal: AbortSignal.abort() }), 'cancelled');
    assert.equal(commands.length, 0);
    provider.destroy();
  });

  test('throttling is retried with backoff, then surfaces as kms-throttled', async () => {
    throttleHits = 0;
    const p = new AwsKmsProvider({ endpoint: `http://127.0.0.1:${throttlePort}`, maxAttempts: 3, retryMode: 'standard' });
    const err = await rejectsWith(p.unwrapKey({ type: 'aws-kms', keyId: keyA, blob: new Uint8Array(96) }, CTX), 'kms-throttled');
    assert.equal(throttleHits, 3, 'the SDK tried three times');
    assert.equal(err.detail.attempts, 3);
    p.destroy();
  });
});

describe('IAM policies (moto with IAM access control on)', { timeout: 60_000 }, () => {
  let iam: Moto;
  let key: string;
  let writer: LimitedUser;
  let noDecrypt: LimitedUser;
  let noGenerate: LimitedUser;
  const as = (u: { accessKeyId: string; secretAccessKey: string }) =>
    new AwsKmsProvider({ endpoint: iam.endpoint, region: 'us-east-1', credentials: { accessKeyId: u.accessKeyId, secretAccessKey: u.secretAccessKey }, maxAttempts: 1 });

  before(async () => {
    iam = await startMoto({ iamAuth: true });
    key = await createTestKey(iam, 'alias/cachet-iam');
    const kmsUse = ['kms:DescribeKey', 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'];
    [writer, noDecrypt, noGenerate] = await Promise.all([
      createLimitedUser(iam, { allow: kmsUse }),
      createLimitedUser(iam, { allow: kmsUse, deny: ['kms:Decrypt'] }),
      createLimitedUser(iam, { allow: ['kms:DescribeKey', 'kms:Decrypt'] }),
    ]);
  });
  after(async () => {
    await iam?.stop();
  });

  test('a user denied kms:Decrypt -> kms-access-denied naming the key, the operation and the user', async () => {
    clearKeyArnCache();
    const w = as(writer);
    const { plaintext, stanza } = await w.generateDataKey('alias/cachet-iam', CTX);
    assert.equal(stanza.keyId, key);
    const d = as(noDecrypt);
    // The same user may still make data keys: moto refuses the one action, not the credentials.
    const own = await d.generateDataKey(key, CTX);
    assert.equal(own.stanza.keyId, key);
    const err = await rejectsWith(d.unwrapKey(stanza, CTX), 'kms-access-denied');
    assert.equal(err.detail.keyId, key);
    assert.equal(err.detail.operation, 'Decrypt');
    assert.equal(err.detail.identity, noDecrypt.arn);
    assert.equal(err.detail.awsCode, 'AccessDenied');
    assert.ok(err.message.includes(key) && err.message.includes(noDecrypt.arn), err.message);
    assert.ok(!JSON.stringify(err.detail).includes(noDecrypt.secretAccessKey), 'no secret in the detail');
    // The allowed user still opens it: the denial is the policy's, not a broken stanza.
    assert.deepEqual(await w.unwrapKey(stanza, CTX), plaintext);
    w.destroy();
    d.destroy();
  });

  test('a user without kms:GenerateDataKey -> kms-access-denied when sealing, naming the resolved key ARN', async () => {
    clearKeyArnCache();
    const p = as(noGenerate);
    const err = await rejectsWith(p.generateDataKey('alias/cachet-iam', CTX), 'kms-access-denied');
    assert.equal(err.detail.keyId, key);
    assert.equal(err.detail.operation, 'GenerateDataKey');
    assert.equal(err.detail.identity, noGenerate.arn);
    p.destroy();
  });

  test('an access key moto does not know -> credentials-missing (rejected), not access denied', async () => {
    clearKeyArnCache();
    const p = as({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-user' });
    const err = await rejectsWith(p.generateDataKey(key, CTX), 'credentials-missing');
    assert.equal(err.detail.reason, 'rejected');
    p.destroy();
  });
});
