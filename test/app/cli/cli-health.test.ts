// Key health and KMS usage in the CLI, end to end against moto (test/helpers/moto.ts) with the real
// SDK: keys put into the Disabled and PendingDeletion states through the real KMS API (DisableKey,
// ScheduleKeyDeletion), which moto reports in DescribeKey (and, as real KMS does not, still
// decrypts with, so the items can be listed and verified). `verify` warns with the date and the
// count and exits 1 with its `keys` report, `ls` and `add` print the same warning line, `status`
// lists keys, items per key and the items at risk, and add/rekey/verify --json report `kms` usage.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DisableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { createTestKey, motoKmsClient, startMoto, type Moto } from '../../helpers/moto.js';
import { buildCli, makeSandbox, runCli, type RunResult, type Sandbox } from './harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let moto: Moto;
let sb: Sandbox;
let env: Record<string, string>;

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env, cwd: sb.dir });
function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}
const bareId = (arn: string): string => arn.split('/')[1]!; // moto 5 takes the bare id in DisableKey / ScheduleKeyDeletion

interface KeyReport { provider: string; keyId: string; state: string; healthy: boolean | null; deletionDate: string | null; items: number | null; alone: number | null; rotation: boolean | null; multiRegion: boolean | null; error: string | null }
interface Usage { requests: number; byOperation: Record<string, number>; throttled: number; retries: number; estimatedCostUsd: number }

async function vaultWith(name: string, keys: string[], files: number): Promise<string> {
  ok(await run(['init', name, ...keys.flatMap((k) => ['--kms-key', k])]), `init ${name}`);
  const src = join(sb.dir, `${name}-src`);
  await mkdir(src);
  for (let i = 0; i < files; i++) await writeFile(join(src, `f${i}.txt`), `file ${i}\n`);
  ok(await run(['add', name, src]), `add ${name}`);
  return name;
}

before(async () => {
  [{ cli, cleanup: cleanupBuild }, moto] = await Promise.all([buildCli(), startMoto()]);
  sb = await makeSandbox();
  env = { ...sb.env, ...moto.env };
});

after(async () => {
  await moto?.stop();
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('key health', () => {
  test('a key scheduled for deletion: verify warns with the date and the count and exits 1; ls warns too; status lists the items at risk', async () => {
    const key = await createTestKey(moto);
    const v = await vaultWith('pending', [key], 3);
    const kms = motoKmsClient(moto);
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: bareId(key), PendingWindowInDays: 7 })).finally(() => kms.destroy());
    const date = scheduled.DeletionDate!.toISOString().slice(0, 10);

    const r = await run(['verify', v, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout.toString()) as { ok: number; bad: unknown[]; keys: KeyReport[] };
    assert.equal(out.ok, 3);
    assert.deepEqual(out.bad, []);
    assert.equal(out.keys.length, 1);
    assert.deepEqual({ ...out.keys[0]!, deletionDate: out.keys[0]!.deletionDate?.slice(0, 10) }, {
      provider: 'aws-kms', keyId: key, state: 'pending-deletion', healthy: false, deletionDate: date, rotation: null, multiRegion: false, items: 3, alone: 3, error: null,
    });
    const warning = `cachet: warning: KMS key ${key} is scheduled for deletion on ${date}: 3 items will become unreadable`;
    assert.ok(r.stderr.includes(`${warning}\n  hint: aws kms cancel-key-deletion --key-id ${key}`), r.stderr);

    const l = await run(['ls', v]);
    ok(l, 'ls');
    assert.ok(l.stderr.includes(warning), l.stderr);

    const s = await run(['status', v, '--json']);
    ok(s, 'status');
    const st = JSON.parse(s.stdout.toString()) as { items: number; keys: KeyReport[]; atRisk: { id: string; path: string }[]; localKeyFile: { path: string; present: boolean } };
    assert.equal(st.items, 3);
    assert.deepEqual(st.atRisk.map((i) => i.path).sort(), ['pending-src/f0.txt', 'pending-src/f1.txt', 'pending-src/f2.txt']);
    assert.equal(st.keys[0]!.state, 'pending-deletion');
    assert.equal(st.localKeyFile.path, join(env.CACHET_HOME!, 'local-key.json'));
    assert.equal(st.localKeyFile.present, false);
    const t = await run(['status', v]);
    ok(t, 'status (text)');
    assert.match(t.stdout.toString(), new RegExp(`^${key.replace(/[/:-]/g, '.')}\\s+pending-deletion \\(${date}\\)\\s+3\\s+3\\s+-\\s+no$`, 'm'));
    assert.match(t.stdout.toString(), /^at risk \(no healthy key opens them\): 3: pending-src\/f0\.txt/m);
  });

  test('a disabled key beside a healthy one: verify still exits 1 and says no item depends on it alone; nothing is at risk', async () => {
    const [d, e] = [await createTestKey(moto), await createTestKey(moto)];
    const v = await vaultWith('disabled', [d, e], 2);
    const kms = motoKmsClient(moto);
    await kms.send(new DisableKeyCommand({ KeyId: bareId(d) })).finally(() => kms.destroy());
    const r = await run(['verify', v, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout.toString()) as { keys: KeyReport[] };
    assert.deepEqual(out.keys.map((k) => [k.state, k.items, k.alone]), [['disabled', 2, 0], ['enabled', 2, 2]]);
    assert.ok(r.stderr.includes(`cachet: warning: KMS key ${d} is disabled (no item depends on it alone)`), r.stderr);
    const s = await run(['status', v, '--json']);
    ok(s, 'status');
    assert.deepEqual((JSON.parse(s.stdout.toString()) as { atRisk: unknown[] }).atRisk, []);
  });

  test('healthy keys: verify exits 0 with no warning and reports its KMS usage; add and rekey --json report theirs', async () => {
    const [a, b] = [await createTestKey(moto), await createTestKey(moto)];
    const v = await vaultWith('healthy', [a], 2);
    const r = await run(['verify', v, '--json']);
    ok(r, 'verify');
    assert.doesNotMatch(r.stderr, /warning/);
    const out = JSON.parse(r.stdout.toString()) as { ok: number; keys: KeyReport[]; kms: Usage };
    assert.equal(out.keys[0]!.state, 'enabled');
    assert.equal(out.keys[0]!.rotation, false);
    assert.ok(out.kms.byOperation.Decrypt! >= 2, JSON.stringify(out.kms));
    assert.equal(out.kms.byOperation.DescribeKey, 1);
    assert.equal(out.kms.requests, Object.values(out.kms.byOperation).reduce((x, y) => x + y, 0));
    assert.equal(out.kms.estimatedCostUsd, out.kms.requests * 0.03 / 10_000);

    await writeFile(join(sb.dir, 'one.txt'), 'one\n');
    const add = await run(['add', v, 'one.txt', '--json']);
    ok(add, 'add');
    const added = JSON.parse(add.stdout.toString()) as { added: unknown[]; kms: Usage };
    assert.equal(added.added.length, 1);
    assert.equal(added.kms.byOperation.GenerateDataKey, 1);

    const rk = await run(['rekey', v, '--to', b, '--json']);
    ok(rk, 'rekey');
    const rekeyed = JSON.parse(rk.stdout.toString()) as { done: number; kms: Usage };
    assert.equal(rekeyed.done, 3);
    assert.ok(rekeyed.kms.byOperation.ReEncrypt! >= 3, JSON.stringify(rekeyed.kms));
  });
});
