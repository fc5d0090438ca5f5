// Atomic writes and temp cleanup (SPEC §9): the file appears whole or not at all; a killed
// writer's temp is removed by cleanupTemps, a live writer's is kept.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cleanupTemps, parseTempName, tempHost, tempName, writeAtomic } from '../../../app/fs/atomic.js';
import { CachetError } from '../../../app/errors.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cachet-atomic-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const temps = async (d = dir): Promise<string[]> => (await readdir(d)).filter((f) => f.startsWith('.tmp-'));

describe('writeAtomic', () => {
  it('names temps .tmp-<host>-<pid>-<random> and parses them back', () => {
    const n = tempName();
    assert.match(n, /^\.tmp-.+-\d+-[0-9a-f]{16}$/);
    assert.deepEqual(parseTempName(n), { host: tempHost(), pid: process.pid });
    assert.deepEqual(parseTempName('.tmp-my-host-name-12-ab'), { host: 'my-host-name', pid: 12 });
    assert.equal(parseTempName('.tmp-x'), null);
  });
  it('writes the file whole, leaves no temp, and returns the result', async () => {
    const dest = join(dir, 'a.txt');
    const r = await writeAtomic(dest, async (fh) => {
      await fh.writeFile('hello');
      assert.deepEqual(await readdir(dir).then((f) => f.filter((x) => x === 'a.txt')), [], 'not visible before the rename');
      return 7;
    });
    assert.equal(r, 7);
    assert.equal(await readFile(dest, 'utf8'), 'hello');
    assert.deepEqual(await temps(), []);
  });
  it('refuses an existing file unless overwrite; replaces it with overwrite', async () => {
    const dest = join(dir, 'b.txt');
    await writeFile(dest, 'old');
    await assert.rejects(writeAtomic(dest, async (fh) => void (await fh.writeFile('new'))), (e: unknown) => e instanceof CachetError && e.code === 'exists');
    assert.equal(await readFile(dest, 'utf8'), 'old');
    // Created by someone else while we wrote: still refused at the final step.
    const late = join(dir, 'late.txt');
    await assert.rejects(writeAtomic(late, async (fh) => {
      await fh.writeFile('mine');
      await writeFile(late, 'theirs');
    }), (e: unknown) => e instanceof CachetError && e.code === 'exists');
    assert.equal(await readFile(late, 'utf8'), 'theirs');
    await writeAtomic(dest, async (fh) => void (await fh.writeFile('new')), { overwrite: true });
    assert.equal(await readFile(dest, 'utf8'), 'new');
    assert.deepEqual(await temps(), []);
  });
  it('removes the temp and keeps the original on error or cancel', async () => {
    const dest = join(dir, 'c.txt');
    await writeFile(dest, 'original');
    await assert.rejects(writeAtomic(dest, async (fh) => {
      await fh.writeFile('partial');
      throw new CachetError('cancelled', 'cancelled');
    }, { overwrite: true }), (e: unknown) => e instanceof CachetError && e.code === 'cancelled');
    await assert.rejects(writeAtomic(join(dir, 'd.txt'), async () => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(await readFile(dest, 'utf8'), 'original');
    assert.deepEqual(await temps(), []);
    assert.ok(!(await readdir(dir)).includes('d.txt'));
  });
  it('maps a missing folder to not-found', async () => {
    await assert.rejects(writeAtomic(join(dir, 'no', 'such', 'x'), async () => {}), (e: unknown) => e instanceof CachetError && e.code === 'not-found');
  });
});

/** A child process that starts an atomic write, says so, and then waits forever (bounded by the test). */
async function startWriter(target: string): Promise<{ kill: () => Promise<void>; pid: number }> {
  const mod = pathToFileURL(resolve('app/fs/atomic.ts')).href;
  const code = `
    const { writeAtomic } = await import(${JSON.stringify(mod)});
    await writeAtomic(${JSON.stringify(target)}, async (fh) => {
      await fh.writeFile('half');
      process.stdout.write('ready\\n');
      await new Promise((r) => setTimeout(r, 60000));
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    const t = setTimeout(() => fail(new Error('writer did not start')), 20000);
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) {
        clearTimeout(t);
        ok();
      }
    });
    child.on('exit', () => fail(new Error('writer exited')));
  });
  return {
    pid: child.pid!,
    kill: async () => {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

describe('cleanupTemps', () => {
  it("removes a SIGKILLed writer's temp and keeps a live writer's", async () => {
    const d = await mkdtemp(join(dir, 'kill-'));
    const dead = await startWriter(join(d, 'item-1.env'));
    const live = await startWriter(join(d, 'item-2.env'));
    try {
      await dead.kill();
      const left = await temps(d);
      assert.equal(left.length, 2, 'the killed writer left its temp');
      const removed = await cleanupTemps(d);
      assert.deepEqual(removed.map((n) => parseTempName(n)!.pid), [dead.pid]);
      assert.deepEqual((await temps(d)).map((n) => parseTempName(n)!.pid), [live.pid]);
    } finally {
      await live.kill();
    }
    await cleanupTemps(d);
    assert.deepEqual(await temps(d), []);
    assert.deepEqual((await readdir(d)).filter((f) => !f.startsWith('.tmp-')), [], 'no partial target');
  });
  it("keeps this process's own in-flight temp", async () => {
    const d = await mkdtemp(join(dir, 'own-'));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const started = new Promise<void>((r) => (inside = r));
    const w = writeAtomic(join(d, 'x'), async (fh) => {
      await fh.writeFile('x');
      inside();
      await gate;
    });
    await started;
    assert.deepEqual(await cleanupTemps(d), []);
    assert.equal((await temps(d)).length, 1);
    release();
    await w;
  });
  it("removes another host's temps only after 24 hours", async () => {
    const d = await mkdtemp(join(dir, 'foreign-'));
    const old = join(d, '.tmp-elsewhere-123-abcd');
    const young = join(d, '.tmp-elsewhere-124-abcd');
    await writeFile(old, 'x');
    await writeFile(young, 'y');
    const day = 24 * 3600 * 1000;
    await utimes(old, new Date(Date.now() - day - 60_000), new Date(Date.now() - day - 60_000));
    assert.deepEqual(await cleanupTemps(d), ['.tmp-elsewhere-123-abcd']);
    assert.deepEqual(await temps(d), ['.tmp-elsewhere-124-abcd']);
    assert.deepEqual(await cleanupTemps(join(d, 'missing')), []);
  });
});
