// SIGKILL of a `cachet add` into an S3 vault (moto's S3 and KMS, the real SDK): during a multipart
// upload of a large item, and at points spread over a bulk add (index updates included). After each
// kill: no partial item is listed, every listed item opens, `verify` is clean, the items added
// before are intact, and the next open aborts the killed writer's multipart upload.
// (moto dates every upload 2010-11-10 in ListMultipartUploads, so the sweep's one-day age rule lets
// the next open abort it at once here; on S3 it waits the day, or the bucket's lifecycle rule acts.)

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createTestBucket, createTestKey, motoS3Client, startMoto, type Moto } from '../helpers/moto.js';
import { buildCli, collect, makeSandbox, runCli, spawnCli, type RunResult, type Sandbox } from '../app/cli/harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let moto: Moto;
let sb: Sandbox;
let env: Record<string, string>;
let bucket: string;

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env, cwd: sb.dir });
const ok = (r: RunResult, what: string): void => assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function uploads(prefix: string): Promise<number> {
  const s3 = motoS3Client(moto);
  try {
    return ((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads ?? []).length;
  } finally {
    s3.destroy();
  }
}

async function itemObjects(prefix: string): Promise<number> {
  const s3 = motoS3Client(moto);
  try {
    return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/items/` }))).Contents ?? []).length;
  } finally {
    s3.destroy();
  }
}

async function lsPaths(vault: string): Promise<string[]> {
  const r = await run(['ls', vault, '--json']);
  ok(r, 'ls');
  return (JSON.parse(r.stdout.toString()) as { path: string }[]).map((i) => i.path);
}

before(async () => {
  [{ cli, cleanup: cleanupBuild }, moto] = await Promise.all([buildCli(), startMoto()]);
  sb = await makeSandbox();
  env = { ...sb.env, ...moto.env, AWS_CONFIG_FILE: sb.env.AWS_CONFIG_FILE!, AWS_SHARED_CREDENTIALS_FILE: sb.env.AWS_SHARED_CREDENTIALS_FILE! };
  await createTestKey(moto.endpoint, 'alias/crash');
  bucket = await createTestBucket(moto);
});

after(async () => {
  await moto?.stop();
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('SIGKILL of a writer to an S3 vault', () => {
  test('during a multipart upload: no partial item, verify clean, the next open aborts the upload', async () => {
    const vault = `s3://${bucket}/mp`;
    ok(await run(['init', vault, '--kms-key', 'alias/crash']), 'init');
    await writeFile(join(sb.dir, 'small.txt'), 'before the crash');
    ok(await run(['add', vault, 'small.txt']), 'add small');
    await writeFile(join(sb.dir, 'big.bin'), randomBytes(64 * 1024 * 1024));
    const child = spawnCli(cli, ['add', vault, 'big.bin'], { env, cwd: sb.dir });
    const done = collect(child, 120_000);
    let seen = false;
    for (let i = 0; i < 600 && !seen; i++) {
      seen = (await uploads('mp/')) > 0;
      if (!seen) await pause(20);
    }
    assert.ok(seen, 'a multipart upload was under way');
    process.kill(-child.pid!, 'SIGKILL');
    const r = await done;
    assert.equal(r.signal, 'SIGKILL', 'killed, not finished');
    assert.equal(await itemObjects('mp'), 1, 'no object for the killed item');
    assert.deepEqual(await lsPaths(vault), ['small.txt']);
    assert.equal(await uploads('mp/'), 0, 'the open after the kill aborted the upload');
    const v = await run(['verify', vault, '--json']);
    ok(v, 'verify');
    const report = JSON.parse(v.stdout.toString()) as { ok: number; bad: unknown[] };
    assert.deepEqual([report.ok, report.bad], [1, []]);
  });

  test('at points spread over bulk adds (index updates among them): every listed item opens, nothing is half there', async () => {
    const vault = `s3://${bucket}/bulk`;
    ok(await run(['init', vault, '--kms-key', 'alias/crash']), 'init');
    const delays = [200, 450, 700, 1000];
    for (const [round, delay] of delays.entries()) {
      const dir = join(sb.dir, `round${round}`);
      await mkdir(dir);
      for (let i = 0; i < 30; i++) await writeFile(join(dir, `f${i}.txt`), `round ${round} file ${i}`);
      const before = await lsPaths(vault);
      const child = spawnCli(cli, ['add', vault, `round${round}`], { env, cwd: sb.dir });
      const done = collect(child, 120_000);
      await pause(delay);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // it finished first: also a valid point
      }
      await done;
      const after = await lsPaths(vault);
      for (const p of before) assert.ok(after.includes(p), `round ${round}: ${p}, added before, is still listed`);
      assert.ok(after.every((p) => before.includes(p) || p.startsWith(`round${round}/`)), `round ${round}: only this round's items are new`);
      assert.equal(new Set(after).size, after.length, `round ${round}: no path listed twice`);
      assert.equal(await itemObjects('bulk'), after.length, `round ${round}: every item object is listed, and no other`);
      const v = await run(['verify', vault, '--json']);
      ok(v, `round ${round}: verify`);
      assert.deepEqual((JSON.parse(v.stdout.toString()) as { bad: unknown[] }).bad, []);
      // A re-run of the killed add completes it (--on-conflict skip: what is there stays).
      ok(await run(['add', vault, `round${round}`, '--on-conflict', 'skip']), `round ${round}: re-run`);
      assert.equal((await lsPaths(vault)).filter((p) => p.startsWith(`round${round}/`)).length, 30);
    }
  });
});
