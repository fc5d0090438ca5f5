// Gate (app/vault/pool.ts): the bound `Vault.add` puts on data-key requests and on seals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { Gate } from '../../../app/vault/pool.js';

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
