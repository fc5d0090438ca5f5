import assert from 'node:assert/strict';
import { readFile, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, SettingsStore } from '../../../main/services/settings.js';
import { tempDir } from '../helpers.js';

test('settings round-trip through settings.json; recent vaults are bounded and deduplicated', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const s = new SettingsStore(dir);
  assert.deepEqual(await s.load(), DEFAULT_SETTINGS);
  await s.update((x) => { x.autoLockMinutes = 7; x.aws = { profile: 'dev', region: 'eu-west-1' }; });
  for (let i = 0; i < 15; i++) await s.addRecent(`/v/${i}`, 1000 + i);
  await s.addRecent('/v/3', 5000);
  const again = await new SettingsStore(dir).load();
  assert.equal(again.autoLockMinutes, 7);
  assert.deepEqual(again.aws, { profile: 'dev', region: 'eu-west-1' });
  assert.equal(again.recentVaults.length, 10);
  assert.equal(again.recentVaults[0]!.path, '/v/3', 'most recent first');
  assert.equal(new Set(again.recentVaults.map((r) => r.path)).size, 10);
  await s.removeRecent('/v/3');
  assert.ok(!(await new SettingsStore(dir).load()).recentVaults.some((r) => r.path === '/v/3'));
  if (process.platform !== 'win32') assert.equal((await stat(join(dir, 'settings.json'))).mode & 0o077, 0);
});

test('a broken or hand-edited file gives defaults / drops bad fields, never throws', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await writeFile(join(dir, 'settings.json'), '{not json');
  assert.deepEqual(await new SettingsStore(dir).load(), DEFAULT_SETTINGS);
  await writeFile(join(dir, 'settings.json'), JSON.stringify({ autoLockMinutes: -3, passphrase: 'x', recentVaults: 'nope', aws: { profile: 'p', region: 5 } }));
  const s = await new SettingsStore(dir).load();
  assert.equal(s.autoLockMinutes, DEFAULT_SETTINGS.autoLockMinutes);
  assert.deepEqual(s.recentVaults, []);
  assert.deepEqual(s.aws, { profile: 'p', region: null });
  const st = new SettingsStore(dir);
  await st.load();
  await st.update(() => {});
  assert.ok(!(await readFile(join(dir, 'settings.json'), 'utf8')).includes('passphrase'), 'unknown fields are not written back');
});
