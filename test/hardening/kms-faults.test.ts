// KMS faults: the real SDK (through AwsKmsProvider) against moto, behind the fault-injecting
// proxy (test/helpers/fault-proxy.ts). Proves that each injected fault is classified as the SDK
// and Cachet should (throttling retried then `kms-throttled`, 5xx retried then `kms-error`,
// resets and timeouts retried then `kms-unreachable`), that a bulk add of 1,000 files under 30%
// throttling loses nothing with a bounded number of KMS calls in flight, that the default
// default (standard) retry copes with a rate-limited KMS (a token bucket, as real KMS throttles), that when retries run out
// the failed files are reported one by one while the rest complete, and that the same add run
// again with conflict 'skip' does only what is missing.
// Time bound: about 45-55 s on 2 cores; every wait is bounded by the SDK's timeouts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCachetError } from '../../app/errors.js';
import { AwsKmsProvider, clearKeyArnCache } from '../../app/keys/aws-kms.js';
import type { AwsClientOptions } from '../../app/keys/aws-config.js';
import { Keyring } from '../../app/keys/provider.js';
import { Vault } from '../../app/vault/vault.js';
import { startFaultProxy, seededRandom, type FaultProxy, type FaultProxyOptions } from '../helpers/fault-proxy.js';
import { createTestKey, MOTO_CREDENTIALS, MOTO_REGION, startMoto, type Moto } from '../helpers/moto.js';

let moto: Moto;
let keyArn: string;
let work: string;
const proxies: FaultProxy[] = [];
const providers: AwsKmsProvider[] = [];

before(async () => {
  moto = await startMoto();
  keyArn = await createTestKey(moto.endpoint);
  work = await mkdtemp(join(tmpdir(), 'cachet-kms-faults-'));
});

after(async () => {
  for (const p of providers) p.destroy();
  await Promise.all(proxies.map((p) => p.stop()));
  await moto?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function proxy(opts: Omit<FaultProxyOptions, 'target'>): Promise<FaultProxy> {
  const p = await startFaultProxy({ target: moto.endpoint, ...opts });
  proxies.push(p);
  return p;
}

function provider(endpoint: string, opts: Partial<AwsClientOptions> = {}): AwsKmsProvider {
  clearKeyArnCache(); // the ARN cache is per endpoint anyway; keep each case self-contained
  const p = new AwsKmsProvider({ endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS, ...opts });
  providers.push(p);
  return p;
}

const CTX = { 'cachet:item': '0'.repeat(32), 'cachet:purpose': 'item' };

describe('each fault, classified', () => {
  it('a throttled call is retried by the SDK and succeeds; exhausted, it is kms-throttled', async () => {
    // Throttle the first attempt of each call only: the retry must go through.
    const px = await proxy({ seed: 1, decide: (r) => (r.operation === 'GenerateDataKey' && r.attempt === 1 ? 'throttle' : 'pass') });
    const kms = provider(px.endpoint, { maxAttempts: 3, retryMode: 'standard' });
    const { plaintext } = await kms.generateDataKey(keyArn, CTX);
    assert.equal(plaintext.length, 32);
    assert.equal(px.counts.throttle, 1);
    assert.equal(px.counts.byOperation['GenerateDataKey'], 2, 'the SDK retried the throttled call once');

    const all = await proxy({ seed: 2, rates: { throttle: 1 }, operations: ['GenerateDataKey'] });
    const kms2 = provider(all.endpoint, { maxAttempts: 2, retryMode: 'standard' });
    await assert.rejects(kms2.generateDataKey(keyArn, CTX), (e) => isCachetError(e, 'kms-throttled') && e.detail['awsCode'] === 'ThrottlingException');
    assert.equal(all.counts.byOperation['GenerateDataKey'], 2, 'maxAttempts bounds the attempts');
  });

  it('5xx is retried, then kms-error; a reset connection and a timeout are retried, then kms-unreachable', async () => {
    const s5 = await proxy({ seed: 3, rates: { serverError: 1 }, operations: ['GenerateDataKey'] });
    await assert.rejects(provider(s5.endpoint, { maxAttempts: 2, retryMode: 'standard' }).generateDataKey(keyArn, CTX), (e) => isCachetError(e, 'kms-error'));
    assert.equal(s5.counts.serverError, 2, '5xx is retried');

    const rs = await proxy({ seed: 4, rates: { reset: 1 }, operations: ['GenerateDataKey'] });
    await assert.rejects(provider(rs.endpoint, { maxAttempts: 2, retryMode: 'standard' }).generateDataKey(keyArn, CTX), (e) => isCachetError(e, 'kms-unreachable'));
    assert.equal(rs.counts.reset, 2, 'a reset is retried');

    const to = await proxy({ seed: 5, rates: { timeout: 1 }, operations: ['GenerateDataKey'] });
    const t0 = Date.now();
    await assert.rejects(
      provider(to.endpoint, { maxAttempts: 2, retryMode: 'standard', requestTimeoutMs: 400 }).generateDataKey(keyArn, CTX),
      (e) => isCachetError(e, 'kms-unreachable'),
    );
    assert.equal(to.counts.timeout, 2, 'a timed-out request is retried');
    assert.ok(Date.now() - t0 < 10_000, 'the request timeout bounds the wait');

    const slow = await proxy({ seed: 6, rates: { slow: 1 }, slowMs: 150 });
    const { plaintext } = await provider(slow.endpoint, { maxAttempts: 1, requestTimeoutMs: 5_000 }).generateDataKey(keyArn, CTX);
    assert.equal(plaintext.length, 32, 'a slow answer within the timeout is fine');
  });

  it('a mix of every fault at low rates: 100 data keys, all made, each fault seen', async () => {
    const px = await proxy({ seed: 7, rates: { throttle: 0.1, serverError: 0.05, reset: 0.05, slow: 0.05, timeout: 0.03 }, slowMs: 100 });
    // 1 s per request: well above moto's answer on a loaded machine, so only injected timeouts time out.
    const kms = provider(px.endpoint, { maxAttempts: 10, retryMode: 'standard', requestTimeoutMs: 1000 });
    let made = 0;
    const failures: string[] = [];
    await Promise.all(Array.from({ length: 20 }, async () => {
      for (let i = 0; i < 5; i++) {
        try {
          const { plaintext } = await kms.generateDataKey(keyArn, CTX);
          if (plaintext.length === 32) made++;
        } catch (e) {
          failures.push(isCachetError(e) ? `${e.code}: ${e.message}` : String(e));
        }
      }
    }));
    assert.deepEqual(failures, []);
    assert.equal(made, 100);
    for (const k of ['throttle', 'serverError', 'reset', 'slow', 'timeout'] as const) assert.ok(px.counts[k] > 0, `no ${k} was injected`);
  });
});

/** `n` small files under `dir` (sizes 0..1500, seeded), returns sha256 by relative name. */
async function makeFiles(dir: string, n: number, seed: number): Promise<Map<string, string>> {
  const rand = seededRandom(seed);
  const hashes = new Map<string, string>();
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const name = `f${String(i).padStart(4, '0')}.txt`;
    const data = randomBytes(Math.floor(rand() * 1500));
    await writeFile(join(dir, name), data);
    hashes.set(name, createHash('sha256').update(data).digest('hex'));
  }
  return hashes;
}

async function hashesOf(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of await readdir(dir)) out.set(n, createHash('sha256').update(await readFile(join(dir, n))).digest('hex'));
  return out;
}

describe('bulk add under faults', () => {
  it('1,000 files under 30% throttling: nothing lost, bounded concurrency', async () => {
    const src = join(work, 'bulk');
    const originals = await makeFiles(src, 1000, 11);
    // At most 3 throttles per call: the backoff tail (1+2+4 s at most) keeps the time bound.
    const px = await proxy({ seed: 12, maxThrottlesPerCall: 3 });
    // The provider's defaults: standard retry (exponential backoff, 1 s throttling base), 8
    // attempts. ('adaptive' is why the default is not adaptive: its client-side rate limiter cuts
    // the send rate on every throttle, and against throttling that does not depend on the rate it
    // settled near 1-2 calls/s: 1,000 files took over 10 minutes here.)
    const kms = provider(px.endpoint);
    const keyring = new Keyring([kms]);
    const dir = join(work, 'v-bulk');
    (await Vault.create(dir, { keys: [{ provider: 'aws-kms', keyId: keyArn }], keyring })).close();
    px.setRates({ throttle: 0.3 });
    const v = await Vault.open(dir, { keyring });
    const CONCURRENCY = 24;
    const t0 = Date.now();
    const r = await v.add([src], { concurrency: CONCURRENCY });
    const took = Date.now() - t0;
    assert.deepEqual(r.failed.map((f) => `${f.source}: ${f.error.code}`), []);
    assert.equal(r.added.length, 1000);
    assert.ok(px.counts.throttle >= 250, `only ${px.counts.throttle} throttles were injected`);
    assert.ok(px.counts.maxInFlight <= CONCURRENCY, `${px.counts.maxInFlight} KMS calls in flight at once`);
    assert.equal(px.counts.byOperation['GenerateDataKey']! - px.counts.throttle <= 1000 + 1, true, 'one successful GenerateDataKey per file');
    v.close();

    // A fresh open lists all 1,000 (from the index, one Decrypt), and each opens to its original
    // (1,000 Decrypt calls, under 10% throttling to keep the file's time bound).
    px.setRates({ throttle: 0.1 });
    const v2 = await Vault.open(dir, { keyring });
    const items = await v2.list();
    assert.equal(items.length, 1000);
    assert.deepEqual(new Set(items.map((i) => i.path)), new Set([...originals.keys()].map((n) => `bulk/${n}`)));
    const out = join(work, 'bulk-out');
    const x = await v2.extract('bulk', out, { concurrency: CONCURRENCY });
    assert.deepEqual(x.failed.map((f) => `${f.path}: ${f.error.code}`), []);
    assert.deepEqual(await hashesOf(join(out, 'bulk')), originals);
    v2.close();
    console.log(`# 1000 files, ${px.counts.throttle} throttles injected, add ${took} ms, max in flight ${px.counts.maxInFlight}`);
  });

  it('a rate-limited KMS (token bucket, as real KMS throttles): the default retry strategy backs off to the rate, nothing lost', async () => {
    const src = join(work, 'rated');
    const originals = await makeFiles(src, 200, 31);
    const rated = await proxy({ seed: 33, rateLimit: { perSecond: 80, burst: 10 }, operations: ['GenerateDataKey'] });
    const kms = provider(rated.endpoint); // the provider's defaults: standard retry, 8 attempts
    const keyring = new Keyring([kms]);
    const dir = join(work, 'v-rated');
    const v = await Vault.create(dir, { keys: [{ provider: 'aws-kms', keyId: keyArn }], keyring });
    const t0 = Date.now();
    const r = await v.add([src], { concurrency: 24 });
    const took = Date.now() - t0;
    assert.deepEqual(r.failed.map((f) => `${f.source}: ${f.error.code}`), []);
    assert.equal(r.added.length, 200);
    assert.ok(rated.counts.throttle > 0, 'the bucket never ran dry: the test tests nothing');
    // 2.5 s at the full rate; backoff after the first throttles costs some of that.
    assert.ok(took < 30_000, `200 files at 80 calls/s took ${took} ms`);
    const out = join(work, 'rated-out');
    assert.deepEqual((await v.extract('rated', out)).failed, []);
    assert.deepEqual(await hashesOf(join(out, 'rated')), originals);
    v.close();
    console.log(`# 200 files at 80 GenerateDataKey/s: ${rated.counts.throttle} throttled, add ${took} ms`);
  });

  it('retries exhausted for some calls: those files fail one by one, the rest complete; re-run adds only the missing', async () => {
    const src = join(work, 'partial');
    const originals = await makeFiles(src, 200, 21);
    const px = await proxy({ seed: 22, operations: ['GenerateDataKey'] });
    const kms = provider(px.endpoint, { maxAttempts: 3, retryMode: 'standard' });
    const keyring = new Keyring([kms]);
    const dir = join(work, 'v-partial');
    (await Vault.create(dir, { keys: [{ provider: 'aws-kms', keyId: keyArn }], keyring })).close();
    px.setRates({}, 0.1); // every attempt of 10% of GenerateDataKey calls is throttled
    const v = await Vault.open(dir, { keyring });
    const r = await v.add([src], { concurrency: 8 });
    const doomed = px.counts.doomedCalls;
    assert.ok(doomed >= 5, `only ${doomed} calls were doomed`);
    assert.equal(r.failed.length, doomed, 'exactly the calls whose retries ran out fail');
    assert.equal(r.added.length, 200 - doomed);
    for (const f of r.failed) {
      assert.equal(f.error.code, 'kms-throttled');
      assert.ok(f.source?.startsWith(src), 'each failure names its file');
    }
    assert.equal(new Set(r.failed.map((f) => f.source)).size, doomed, 'one report per failed file');
    const items = (await v.list()).length;
    assert.equal(items, 200 - doomed, 'a failed file leaves no item');
    const temps = (await readdir(join(dir, 'items'))).filter((n) => n.startsWith('.tmp-'));
    assert.deepEqual(temps, [], 'a failed file leaves no temp');

    px.setRates({}, 0);
    const before = px.counts.byOperation['GenerateDataKey'] ?? 0;
    const again = await v.add([src], { concurrency: 8, conflict: 'skip' });
    assert.equal(again.failed.length, 0);
    assert.equal(again.added.length, doomed, 'only the missing files are added');
    assert.equal(again.skipped.length, 200 - doomed);
    assert.equal((px.counts.byOperation['GenerateDataKey'] ?? 0) - before, doomed, 'one data key per missing file, none for skipped ones');
    assert.deepEqual(new Set(r.failed.map((f) => f.path)), new Set(again.added.map((i) => i.path)));
    const out = join(work, 'partial-out');
    const x = await v.extract('partial', out);
    assert.deepEqual(x.failed, []);
    assert.deepEqual(await hashesOf(join(out, 'partial')), originals);
    v.close();
  });
});
