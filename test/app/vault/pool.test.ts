// Gate, Pool and runBatch (app/vault/pool.ts): the bounds every vault job runs its items under,
// and the concurrency clamp (NaN once let a pool run everything at once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { CachetError } from '../../../app/errors.js';
import { clampConcurrency, DEFAULT_CONCURRENCY, Gate, MAX_CONCURRENCY, Pool, runBatch } from '../../../app/vault/pool.js';

test('Gate: never more than its limit at once, places given back after a failure', async () => {
  const gate = new Gate(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const task = (i: number) => gate.run(async () => {
    running++;
    peak = Math.max(peak, running);
    order.push(i);
    await tick();
    await tick();
    running--;
    if (i % 3 === 0) throw new Error(`task ${i}`);
    return i;
  });
  const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => task(i)));
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8]); // FIFO
  assert.deepEqual(results.map((r) => r.status), results.map((_, i) => (i % 3 === 0 ? 'rejected' : 'fulfilled')));
  // Every place came back: a new holder starts at once.
  assert.equal(await gate.run(async () => 'free'), 'free');
});

test('clampConcurrency: NaN, absent and non-numbers give the default; the rest is clamped to 1..64', () => {
  assert.equal(clampConcurrency(Number.NaN), DEFAULT_CONCURRENCY);
  assert.equal(clampConcurrency(undefined), DEFAULT_CONCURRENCY);
  assert.equal(clampConcurrency('8' as unknown as number), DEFAULT_CONCURRENCY);
  assert.equal(clampConcurrency(0), 1);
  assert.equal(clampConcurrency(-3), 1);
  assert.equal(clampConcurrency(2.7), 2);
  assert.equal(clampConcurrency(Number.POSITIVE_INFINITY), MAX_CONCURRENCY);
  assert.equal(clampConcurrency(1000), MAX_CONCURRENCY);
});

test('Pool and Gate refuse a limit that is not a finite number (NaN would run everything at once)', () => {
  assert.throws(() => new Gate(Number.NaN), RangeError);
  assert.throws(() => new Pool(Number.NaN), RangeError);
});

test('runBatch: at most `limit` tasks at once, items prepared in order, stops after a cancelled task', async () => {
  let running = 0;
  let peak = 0;
  const prepared: number[] = [];
  const ran: number[] = [];
  const items = Array.from({ length: 20 }, (_, i) => i);
  const r = await runBatch(items, { limit: 3 }, (i) => {
    prepared.push(i);
    if (i % 5 === 0) return undefined; // nothing to run for this one
    return async () => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      await tick();
      running--;
      ran.push(i);
      if (i === 13) throw new CachetError('cancelled', 'cancelled');
    };
  });
  assert.equal(r.cancelled, true);
  assert.ok(peak <= 3 && peak >= 2, `peak ${peak}`);
  assert.deepEqual(prepared, [...prepared].sort((a, b) => a - b), 'prepared in item order');
  assert.ok(!ran.includes(0) && !ran.includes(5), 'skipped items do not run');
  assert.ok(prepared.length < items.length, 'no item is started after the cancel');
});
