// createMainServices as a whole: start() wipes temp leftovers of a crashed run; the idle timer
// locks (vault closed, key zeroed, temps wiped, vault:locked 'idle'); stop() does the same for quit;
// an auto-lock keeps an edited copy (nobody was there to ask), a lock the person asked for wipes it.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EventName } from '../../../contract/ipc.js';
import { createHeadlessPlatform } from '../../../main/platform.js';
import { createMainServices } from '../../../main/services/main-services.js';
import { invokeOk, ManualClock, tempDir } from '../helpers.js';

test('crash leftovers wiped at start; idle auto-lock; quit lock', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const userData = join(dir, 'ud');
  const leftover = join(userData, 'temp', 'tmp-00112233445566778899aabb');
  await mkdir(leftover, { recursive: true });
  await writeFile(join(leftover, 'plain.txt'), 'left by a crash');

  const clock = new ManualClock();
  const platform = createHeadlessPlatform({ userDataDir: userData, clock });
  const events: [EventName, unknown][] = [];
  const app = await createMainServices(platform, { emit: (e, p) => events.push([e, p]), validateResponses: true, localScryptN: 2 ** 14, log: () => {} });
  await app.start();
  assert.deepEqual(await readdir(join(userData, 'temp')), [], 'leftovers wiped at start');

  const call = (c: string, r: unknown) => invokeOk(app, c, r);
  await call('settings:set', { autoLockMinutes: 2 });
  const lk = await call('local-key:create', { protection: 'passphrase', passphrase: 'idle test passphrase' });
  platform.answerNext(join(dir, 'v'));
  await call('dialog:pick-folder', { purpose: 'create-vault' });
  await call('vault:create', { path: join(dir, 'v'), keys: [{ provider: 'local', keyId: lk.keyId }] });
  await writeFile(join(dir, 'f.txt'), 'x');
  app.grantDrop(join(dir, 'f.txt'));
  const { jobId } = await call('items:add', { sources: [join(dir, 'f.txt')], to: '' });
  await app.services.jobs.wait(jobId);
  const [item] = (await call('items:list', {})).items;
  await call('item:open-external', { id: item.id });
  assert.equal((await readdir(join(userData, 'temp'))).length, 1);

  clock.advance(60_000);
  await call('app:activity', {});
  clock.advance(119_000);
  assert.ok(!events.some(([e]) => e === 'vault:locked'), 'activity postponed the lock');
  clock.advance(2_000);
  for (let i = 0; i < 200 && !events.some(([e]) => e === 'vault:locked'); i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(events.find(([e]) => e === 'vault:locked')?.[1], { reason: 'idle', kept: [] });
  const st = await call('app:state', {});
  assert.equal(st.vault, null);
  assert.equal(st.localKey.unlocked, false);
  assert.deepEqual(await readdir(join(userData, 'temp')), [], 'temps wiped on auto-lock');

  await call('local-key:unlock', { passphrase: 'idle test passphrase' });
  await call('vault:open', { path: join(dir, 'v') });
  await call('item:open-external', { id: item.id });
  await app.stop();
  assert.deepEqual(events.at(-2), ['vault:locked', { reason: 'quit', kept: [] }]);
  assert.deepEqual(await readdir(join(userData, 'temp')), [], 'temps wiped on quit');
});

test('an auto-lock keeps an edited copy and names it; a lock the person asked for wipes it', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const userData = join(dir, 'ud');
  const clock = new ManualClock();
  const platform = createHeadlessPlatform({ userDataDir: userData, clock });
  const events: [EventName, unknown][] = [];
  const app = await createMainServices(platform, { emit: (e, p) => events.push([e, p]), validateResponses: true, localScryptN: 2 ** 14, log: () => {} });
  await app.start();
  t.after(() => app.stop());
  const call = (c: string, r: unknown) => invokeOk(app, c, r);
  await call('settings:set', { autoLockMinutes: 1 });
  const lk = await call('local-key:create', { protection: 'passphrase', passphrase: 'edit test passphrase' });
  platform.answerNext(join(dir, 'v'));
  await call('dialog:pick-folder', { purpose: 'create-vault' });
  await call('vault:create', { path: join(dir, 'v'), keys: [{ provider: 'local', keyId: lk.keyId }] });
  for (const n of ['edited.txt', 'untouched.txt']) {
    await writeFile(join(dir, n), `original ${n}`);
    app.grantDrop(join(dir, n));
  }
  const { jobId } = await call('items:add', { sources: [join(dir, 'edited.txt'), join(dir, 'untouched.txt')], to: '' });
  await app.services.jobs.wait(jobId);
  const items: { id: string; path: string }[] = (await call('items:list', {})).items;
  for (const it of items) await call('item:open-external', { id: it.id });
  const temp = join(userData, 'temp');
  const copies = await readdir(temp);
  assert.equal(copies.length, 2);
  // The person edits one copy in their editor (another size, so the change is seen whatever the mtime granularity).
  let editedId: string | undefined;
  for (const c of copies) {
    const [name] = await readdir(join(temp, c));
    if (name === 'edited.txt') {
      await writeFile(join(temp, c, name), 'my unsaved work, longer than before');
      editedId = c;
    }
  }
  assert.ok(editedId);

  clock.advance(61_000);
  for (let i = 0; i < 200 && !events.some(([e]) => e === 'vault:locked'); i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(events.find(([e]) => e === 'vault:locked')?.[1], { reason: 'idle', kept: [editedId] });
  assert.deepEqual(await readdir(temp), [editedId], 'the untouched copy is wiped, the edited one kept');
  assert.deepEqual(await readdir(join(temp, editedId)), ['edited.txt']);

  await call('local-key:unlock', { passphrase: 'edit test passphrase' });
  await call('vault:open', { path: join(dir, 'v') });
  await call('vault:lock', {});
  assert.deepEqual(events.filter(([e]) => e === 'vault:locked').at(-1)?.[1], { reason: 'user', kept: [] });
  assert.deepEqual(await readdir(temp), [], 'a lock the person asked for (after the app asked them) wipes every copy');
});

test('the computer sleeps or its screen locks: the vault locks (edited copies kept), unless the setting is off', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const platform = createHeadlessPlatform({ userDataDir: join(dir, 'ud') });
  const events: [EventName, unknown][] = [];
  const app = await createMainServices(platform, { emit: (e, p) => events.push([e, p]), validateResponses: true, localScryptN: 2 ** 14, log: () => {} });
  await app.start();
  t.after(() => app.stop());
  const call = (c: string, r: unknown) => invokeOk(app, c, r);
  assert.equal((await call('settings:get', {})).lockOnSystemLock, true, 'on by default');
  const lk = await call('local-key:create', { protection: 'passphrase', passphrase: 'sleep test passphrase' });
  platform.answerNext(join(dir, 'v'));
  await call('dialog:pick-folder', { purpose: 'create-vault' });
  await call('vault:create', { path: join(dir, 'v'), keys: [{ provider: 'local', keyId: lk.keyId }] });

  assert.equal(await app.services.systemLock(), true);
  assert.deepEqual(events.find(([e]) => e === 'vault:locked')?.[1], { reason: 'system', kept: [] });
  let st = await call('app:state', {});
  assert.equal(st.vault, null);
  assert.equal(st.localKey.unlocked, false);

  // Off: the setting persists, appears in the app state, and sleep leaves the vault open.
  assert.deepEqual(await call('settings:set', { lockOnSystemLock: false }), { autoLockMinutes: 15, lockOnSystemLock: false });
  await call('local-key:unlock', { passphrase: 'sleep test passphrase' });
  await call('vault:open', { path: join(dir, 'v') });
  events.length = 0;
  assert.equal(await app.services.systemLock(), false);
  st = await call('app:state', {});
  assert.equal(st.settings.lockOnSystemLock, false);
  assert.notEqual(st.vault, null);
  assert.equal(st.localKey.unlocked, true);
  assert.ok(!events.some(([e]) => e === 'vault:locked'));
  assert.equal(JSON.parse(await readFile(join(dir, 'ud', 'settings.json'), 'utf8')).lockOnSystemLock, false);
});
