// lookupAccessHistory (app/keys/access-history.ts) with the real @aws-sdk/client-cloudtrail client
// against test/helpers/cloudtrail-server.ts (moto has no LookupEvents; that file says why): events
// matched on the encryption context's cachet:vault / cachet:item, real NextToken pagination, at
// most 2 requests per second, ThrottlingException retried by the SDK, a denial with its own code,
// cancel during the wait between pages, and the page bound.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isCachetError } from '../../../app/errors.js';
import { lookupAccessHistory, MIN_REQUEST_INTERVAL_MS } from '../../../app/keys/access-history.js';
import { startCloudTrailServer, type CloudTrailServer, type KmsRecordInput } from '../../helpers/cloudtrail-server.js';

const VAULT = 'fedcba9876543210fedcba9876543210';
const OTHER_VAULT = '0000000000000000000000000000000a';
const ITEMS = ['0123456789abcdef0123456789abcdef', '11111111111111111111111111111111', '22222222222222222222222222222222'];
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:sts::111122223333:assumed-role/ops/bob';
const now = Date.now();
const ago = (min: number): Date => new Date(now - min * 60_000);

let tmp: string;
let saved: NodeJS.ProcessEnv;
let ct: CloudTrailServer;
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, maxAttempts: 4 };

before(async () => {
  saved = { ...process.env };
  tmp = await mkdtemp(join(tmpdir(), 'cachet-history-'));
  await writeFile(join(tmp, 'config'), '');
  await writeFile(join(tmp, 'credentials'), '');
  ct = await startCloudTrailServer({ pageSize: 25 });
  Object.assign(process.env, { AWS_CONFIG_FILE: join(tmp, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'credentials'), AWS_ENDPOINT_URL_CLOUDTRAIL: ct.endpoint });
  const events: KmsRecordInput[] = [];
  // 60 uses of this vault's items (minutes 1..60 ago), alternating identities and operations.
  for (let i = 0; i < 60; i++) {
    const item = ITEMS[i % 3]!;
    events.push({ operation: (['Decrypt', 'GenerateDataKey', 'ReEncrypt', 'Encrypt'] as const)[i % 4]!, time: ago(i + 1), identity: i % 2 ? BOB : ALICE,
      sourceIp: `198.51.100.${i}`, context: { 'cachet:item': item, 'cachet:purpose': 'item', 'cachet:vault': VAULT } });
  }
  // The index of the vault (no item), another vault, DescribeKey (no context) and an old use.
  events.push({ operation: 'Decrypt', time: ago(5.5), identity: ALICE, context: { 'cachet:purpose': 'index', 'cachet:vault': VAULT } });
  for (let i = 0; i < 10; i++) events.push({ operation: 'Decrypt', time: ago(i + 0.5), identity: BOB, context: { 'cachet:item': ITEMS[0]!, 'cachet:purpose': 'item', 'cachet:vault': OTHER_VAULT } });
  events.push({ operation: 'DescribeKey', time: ago(2.5), identity: ALICE });
  events.push({ operation: 'Decrypt', time: ago(60 * 24 * 10), identity: ALICE, context: { 'cachet:item': ITEMS[0]!, 'cachet:purpose': 'item', 'cachet:vault': VAULT } });
  ct.addKmsEvents(events);
  ct.addOtherEvent('s3.amazonaws.com', 'GetObject', ago(3));
});

after(async () => {
  process.env = saved;
  await ct?.stop();
  await rm(tmp, { recursive: true, force: true });
});

test('the vault\'s uses in the window, over real pages, at most 2 requests a second', async () => {
  const start = ct.requests.length;
  const pages: number[] = [];
  const h = await lookupAccessHistory({ ...aws, vaultId: VAULT, since: ago(60 * 24 * 7), onPage: (p) => pages.push(p) });
  // 60 item uses + 1 index use; not the other vault, DescribeKey, S3 or the 10-day-old use.
  assert.equal(h.events.length, 61);
  assert.equal(h.truncated, false);
  // KMS events in the window: 60 + 1 + 10 + 1 = 72 -> 3 pages of 25.
  assert.equal(h.pages, 3);
  assert.deepEqual(pages, [1, 2, 3]);
  const times = ct.requests.slice(start);
  assert.equal(times.length, 3);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= MIN_REQUEST_INTERVAL_MS, `requests ${times[i]! - times[i - 1]!} ms apart`);
  const first = h.events[0]!;
  assert.deepEqual({ ...first, eventId: typeof first.eventId }, {
    time: ago(1).toISOString().replace(/\.\d{3}Z$/, 'Z'), operation: 'Decrypt', identity: ALICE, sourceIp: '198.51.100.0',
    userAgent: 'aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#24.0.0 api/kms#3.700.0', item: ITEMS[0], eventId: 'string',
  });
  assert.equal(h.events.filter((e) => e.item === null).length, 1); // the index
  assert.ok(h.events.some((e) => e.operation === 'ReEncrypt' && e.identity === ALICE)); // matched on sourceEncryptionContext
});

test('one item: only its events', async () => {
  const h = await lookupAccessHistory({ ...aws, vaultId: VAULT, itemId: ITEMS[1], since: ago(30.5), intervalMs: 0 });
  assert.equal(h.events.length, 10); // minutes 1..30, every third
  assert.ok(h.events.every((e) => e.item === ITEMS[1]));
});

test('ThrottlingException: the SDK retries and the lookup completes', async () => {
  ct.throttleNext(2);
  const start = ct.requests.length;
  const h = await lookupAccessHistory({ ...aws, vaultId: VAULT, since: ago(10.5), intervalMs: 0 });
  assert.equal(h.events.length, 11);
  assert.equal(ct.requests.length - start, 3);
});

test('no cloudtrail:LookupEvents: cloudtrail-access-denied naming the identity and the action', async () => {
  ct.deny(ALICE);
  try {
    await assert.rejects(lookupAccessHistory({ ...aws, vaultId: VAULT, since: ago(10) }), (e: unknown) => {
      assert.ok(isCachetError(e, 'cloudtrail-access-denied'), String(e));
      assert.equal(e.detail.identity, ALICE);
      assert.equal(e.detail.action, 'cloudtrail:LookupEvents');
      return true;
    });
  } finally {
    ct.deny(undefined);
  }
});

test('cancel during the wait between pages: cancelled, no further request', async () => {
  const ac = new AbortController();
  const start = ct.requests.length;
  const p = lookupAccessHistory({ ...aws, vaultId: VAULT, since: ago(60 * 24), intervalMs: 5_000, signal: ac.signal, onPage: () => setTimeout(() => ac.abort(), 20) });
  await assert.rejects(p, (e: unknown) => isCachetError(e, 'cancelled'));
  assert.equal(ct.requests.length - start, 1);
});

test('bounded: maxPages reached with more left says truncated', async () => {
  const h = await lookupAccessHistory({ ...aws, vaultId: VAULT, since: ago(60 * 24), intervalMs: 0, maxPages: 2 });
  assert.equal(h.pages, 2);
  assert.equal(h.truncated, true);
});
