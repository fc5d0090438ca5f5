import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AutoLock } from '../../../main/services/auto-lock.js';
import { ManualClock } from '../helpers.js';

test('locks once after the idle time; activity restarts the period', () => {
  const clock = new ManualClock();
  let locks = 0;
  const al = new AutoLock({ clock, minutes: 5, onIdle: () => locks++ });
  clock.advance(10 * 60_000);
  assert.equal(locks, 0, 'not armed before a vault is open');
  al.arm();
  clock.advance(4 * 60_000);
  al.touch();
  clock.advance(4 * 60_000);
  assert.equal(locks, 0, 'activity restarted the period');
  clock.advance(60_000 + 1);
  assert.equal(locks, 1);
  clock.advance(60 * 60_000);
  assert.equal(locks, 1, 'fires once, then waits to be re-armed');
});

test('0 minutes never locks; disarm stops; changing minutes applies at once', () => {
  const clock = new ManualClock();
  let locks = 0;
  const al = new AutoLock({ clock, minutes: 0, onIdle: () => locks++ });
  al.arm();
  clock.advance(24 * 60 * 60_000);
  assert.equal(locks, 0);
  al.setMinutes(1);
  clock.advance(60_000);
  assert.equal(locks, 1);
  al.arm();
  al.disarm();
  clock.advance(10 * 60_000);
  assert.equal(locks, 1);
  assert.equal(clock.pending, 0);
});
