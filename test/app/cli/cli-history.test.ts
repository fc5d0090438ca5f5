// `cachet history` end to end: the CLI bundle run as a child process against the loopback CloudTrail
// of test/helpers/cloudtrail-server.ts (moto has no LookupEvents; that file says why), found through
// AWS_ENDPOINT_URL_CLOUDTRAIL with the real @aws-sdk/client-cloudtrail client. The vault is a
// local-key one (its ids are what CloudTrail records; no KMS is needed to read them back).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCloudTrailServer, type CloudTrailServer } from '../../helpers/cloudtrail-server.js';
import { buildCli, lines, makeSandbox, runCli, type RunResult, type Sandbox } from './harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;
let ct: CloudTrailServer;
let env: Record<string, string>;
let vaultId: string;
let ids: Record<string, string>;
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const now = Date.now();
const ago = (h: number): Date => new Date(now - h * 3_600_000);

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env, cwd: sb.dir });
function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}

interface History { vault: string; item: string | null; since: string; events: { time: string; operation: string; identity: string; sourceIp: string; item: string | null; path: string | null }[]; pages: number; truncated: boolean }

before(async () => {
  [{ cli, cleanup: cleanupBuild }, ct] = await Promise.all([buildCli(), startCloudTrailServer({ pageSize: 4 })]);
  sb = await makeSandbox();
  env = { ...sb.env, AWS_ENDPOINT_URL_CLOUDTRAIL: ct.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_MAX_ATTEMPTS: '3' };
  ok(await run(['init', 'v', '--local']), 'init');
  await mkdir(join(sb.dir, 'src'));
  await writeFile(join(sb.dir, 'src', 'a.txt'), 'a');
  await writeFile(join(sb.dir, 'src', 'b.txt'), 'b');
  ok(await run(['add', 'v', 'src/a.txt', 'src/b.txt']), 'add');
  const ls = await run(['ls', 'v', '--json']);
  ids = Object.fromEntries((JSON.parse(ls.stdout.toString()) as { id: string; path: string }[]).map((i) => [i.path, i.id]));
  vaultId = (JSON.parse((await run(['status', 'v', '--json'])).stdout.toString()) as { vault: string }).vault;
  const ctx = (item: string) => ({ 'cachet:item': item, 'cachet:purpose': 'item', 'cachet:vault': vaultId });
  ct.addKmsEvents([
    ...Array.from({ length: 6 }, (_, i) => ({ operation: 'Decrypt' as const, time: ago(i + 1), identity: ALICE, sourceIp: `192.0.2.${i}`, context: ctx(ids['a.txt']!) })),
    { operation: 'GenerateDataKey', time: ago(30), identity: ALICE, context: ctx(ids['b.txt']!) },
    { operation: 'Decrypt', time: ago(2.5), identity: ALICE, context: { ...ctx(ids['a.txt']!), 'cachet:vault': '0'.repeat(32) } },
  ]);
});

after(async () => {
  await ct?.stop();
  await sb?.cleanup();
  await cleanupBuild?.();
});

test('history --json: the vault\'s uses over several pages, with paths; one item by path; --since', async () => {
  const r = await run(['history', 'v', '--json']);
  ok(r, 'history');
  const h = JSON.parse(r.stdout.toString()) as History;
  assert.equal(h.vault, vaultId);
  assert.equal(h.events.length, 7);
  assert.equal(h.pages, 2); // 8 KMS events, pages of 4
  assert.equal(h.truncated, false);
  assert.deepEqual(h.events.map((e) => e.path), [...Array(6).fill('a.txt'), 'b.txt']);
  assert.equal(h.events[0]!.identity, ALICE);
  assert.equal(h.events[0]!.sourceIp, '192.0.2.0');

  const one = JSON.parse((await run(['history', 'v', 'b.txt', '--json'])).stdout.toString()) as History;
  assert.equal(one.item, ids['b.txt']);
  assert.deepEqual(one.events.map((e) => [e.operation, e.path]), [['GenerateDataKey', 'b.txt']]);

  const recent = JSON.parse((await run(['history', 'v', '--since', '4h', '--json'])).stdout.toString()) as History;
  assert.equal(recent.events.length, 3);
  const text = await run(['history', 'v', 'a.txt', '--since', new Date(now - 86_400_000).toISOString()]);
  ok(text, 'history (text)');
  const rows = lines(text.stdout.toString());
  assert.match(rows[0]!, /^TIME\s+OPERATION\s+IDENTITY\s+SOURCE-IP\s+ITEM\s+USER-AGENT$/);
  assert.equal(rows.length, 7);
  assert.match(rows[1]!, new RegExp(`Decrypt\\s+${ALICE}\\s+192\\.0\\.2\\.0\\s+a\\.txt\\s+aws-sdk-js`));
});

test('no cloudtrail:LookupEvents: exit 1, its own message and the policy line', async () => {
  ct.deny(ALICE);
  try {
    const r = await run(['history', 'v']);
    assert.equal(r.code, 1, r.stderr);
    const l = lines(r.stderr);
    assert.equal(l.length, 2, r.stderr);
    assert.equal(l[0], `cachet: history v: access denied by CloudTrail to LookupEvents for ${ALICE} in us-east-1`);
    assert.match(l[1]!, /"Action": "cloudtrail:LookupEvents", "Resource": "\*"/);
  } finally {
    ct.deny(undefined);
  }
});

test('a --since that is not a date or a span is a usage error', async () => {
  for (const bad of ['yesterday', '7w', '2999-01-01']) {
    const r = await run(['history', 'v', '--since', bad]);
    assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--since takes/);
  }
});
