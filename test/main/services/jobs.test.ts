import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachetError } from '../../../app/errors.js';
import type { EventPayload } from '../../../contract/ipc.js';
import { EVENTS } from '../../../contract/ipc.js';
import { Jobs } from '../../../main/services/jobs.js';
import { ManualClock } from '../helpers.js';

function setup(intervalMs = 100) {
  const clock = new ManualClock();
  const progress: EventPayload<'job:progress'>[] = [];
  const done: EventPayload<'job:done'>[] = [];
  const jobs = new Jobs({ clock, intervalMs, emitProgress: (p) => progress.push(p), emitDone: (d) => done.push(d) });
  return { clock, progress, done, jobs };
}

const p = (n: number) => ({ bytesDone: n, bytesTotal: 100, filesDone: 0, filesTotal: 1, current: 'a' });

test('progress is throttled per job and the latest value is sent before done', async () => {
  const { clock, progress, done, jobs } = setup();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const id = jobs.start('add', async (ctx) => {
    for (let i = 1; i <= 50; i++) ctx.progress(p(i)); // same instant: only the first goes out now
    clock.advance(50);
    ctx.progress(p(60));
    clock.advance(60); // 110 ms after the first: the pending one (60) goes out
    ctx.progress(p(70));
    await gate;
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(progress.map((x) => x.bytesDone), [1, 60]);
  release();
  const d = await jobs.wait(id)!;
  assert.deepEqual(progress.map((x) => x.bytesDone), [1, 60, 70], 'the last value is flushed at the end');
  assert.equal(d.status, 'ok');
  assert.equal(done.length, 1);
  for (const e of progress) assert.ok(EVENTS['job:progress'].safeParse(e).success);
  assert.ok(EVENTS['job:done'].safeParse(done[0]).success);
});

test('cancel aborts the signal and the job ends cancelled, once', async () => {
  const { done, jobs } = setup();
  let seen: AbortSignal | undefined;
  const id = jobs.start('export', async (ctx) => {
    seen = ctx.signal;
    for (let i = 0; i < 1000 && !ctx.signal.aborted; i++) await new Promise((r) => setImmediate(r));
    if (ctx.signal.aborted) throw new CachetError('cancelled', 'cancelled');
  });
  for (let i = 0; i < 100 && !seen; i++) await new Promise((r) => setImmediate(r));
  assert.equal(seen?.aborted, false, 'running and not yet cancelled');
  assert.equal(jobs.cancel(id), true);
  const d = await jobs.wait(id)!;
  assert.equal(seen?.aborted, true);
  assert.equal(d.status, 'cancelled');
  assert.equal(d.error, undefined, 'a cancel is not reported as an error');
  assert.equal(jobs.cancel(id), false, 'a finished job cannot be cancelled');
  assert.equal(done.length, 1);
});

test('unit results decide ok / partial / failed; a thrown job error is failed with its code', async () => {
  const { jobs } = setup();
  const err = { code: 'io' as const, message: 'x', detail: {} };
  const a = jobs.start('add', async (ctx) => { ctx.result({ ref: 'a', ok: true }); ctx.result({ ref: 'b', ok: false, error: err }); });
  const b = jobs.start('add', async (ctx) => { ctx.result({ ref: 'b', ok: false, error: err }); });
  const c = jobs.start('verify', async () => { throw new CachetError('wrong-key', 'nope', { keyId: 'k' }); });
  const d = jobs.start('verify', async () => { throw new Error('secret bug text'); });
  assert.equal((await jobs.wait(a)!).status, 'partial');
  assert.equal((await jobs.wait(b)!).status, 'failed');
  const dc = await jobs.wait(c)!;
  assert.equal(dc.status, 'failed');
  assert.equal(dc.error?.code, 'wrong-key');
  const dd = await jobs.wait(d)!;
  assert.equal(dd.error?.code, 'internal');
  assert.ok(!dd.error?.message.includes('secret'), 'unexpected error text does not cross');
});

test('cancelAll waits for every running job', async () => {
  const { jobs } = setup();
  let started = 0;
  const ids = [1, 2, 3].map(() => jobs.start('verify', async (ctx) => {
    started++;
    await new Promise<void>((r) => (ctx.signal.aborted ? r() : ctx.signal.addEventListener('abort', () => r())));
    throw new CachetError('cancelled', 'cancelled');
  }));
  assert.equal(jobs.runningCount, 3);
  for (let i = 0; i < 100 && started < 3; i++) await new Promise((r) => setImmediate(r));
  assert.equal(started, 3);
  await jobs.cancelAll();
  assert.equal(jobs.runningCount, 0);
  for (const id of ids) assert.equal((await jobs.wait(id)!).status, 'cancelled');
});

test('a job cancelled before it starts never runs', async () => {
  const { jobs } = setup();
  let ran = false;
  const id = jobs.start('add', async () => { ran = true; });
  jobs.cancel(id);
  assert.equal((await jobs.wait(id)!).status, 'cancelled');
  assert.equal(ran, false);
});
