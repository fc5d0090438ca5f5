// names.ts (what the preload bundles) lists exactly the contract's channels and events; the
// guards refuse everything else, including Object.prototype's names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as names from '../../contract/names.js';
import { CHANNELS, EVENTS } from '../../contract/ipc.js';

test('CHANNEL_NAMES and EVENT_NAMES match the contract maps', () => {
  assert.deepEqual([...names.CHANNEL_NAMES].sort(), Object.keys(CHANNELS).sort());
  assert.deepEqual([...names.EVENT_NAMES].sort(), Object.keys(EVENTS).sort());
  assert.equal(new Set(names.CHANNEL_NAMES).size, names.CHANNEL_NAMES.length, 'no duplicate channel');
  assert.equal(new Set(names.EVENT_NAMES).size, names.EVENT_NAMES.length, 'no duplicate event');
});

test('isChannel / isEventName accept only listed names', () => {
  for (const c of Object.keys(CHANNELS)) assert.equal(names.isChannel(c), true, c);
  for (const e of Object.keys(EVENTS)) assert.equal(names.isEventName(e), true, e);
  for (const bad of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'fs:read', names.INVOKE_CHANNEL, '', 1, null, undefined, {}]) {
    assert.equal(names.isChannel(bad), false, String(bad));
    assert.equal(names.isEventName(bad), false, String(bad));
  }
  assert.equal(names.isEventName('app:state'), false, 'a channel is not an event');
});
