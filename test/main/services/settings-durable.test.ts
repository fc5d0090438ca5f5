// Saving settings uses the core's one atomic write (app/fs/atomic.ts), which fsyncs the folder
// after the rename: the settings' own copy once skipped that, so a crash could lose the rename.
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { mock, test } from 'node:test';
import { SettingsStore } from '../../../main/services/settings.js';
import { tempDir } from '../helpers.js';

test('a settings save fsyncs the folder after renaming the file into place', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = new SettingsStore(join(dir, 'userData'));
    await store.load();
    const events: string[] = [];
    const realOpen = fsp.open.bind(fsp);
    const realRename = fsp.rename.bind(fsp);
    mock.method(fsp, 'open', async (p: string, ...rest: unknown[]) => {
      const fh = await (realOpen as (...a: unknown[]) => Promise<fsp.FileHandle>)(p, ...rest);
      if (p === join(dir, 'userData')) {
        const sync = fh.sync.bind(fh);
        fh.sync = async () => {
          events.push('sync-folder');
          return sync();
        };
      }
      return fh;
    });
    mock.method(fsp, 'rename', async (a: string, b: string) => {
      if (b === store.file) events.push('rename');
      return realRename(a, b);
    });
    syncBuiltinESMExports();
    try {
      await store.update((s) => void (s.autoLockMinutes = 5));
    } finally {
      mock.restoreAll();
      syncBuiltinESMExports();
    }
    assert.deepEqual(events, ['rename', 'sync-folder']);
    assert.equal(JSON.parse(await fsp.readFile(store.file, 'utf8')).autoLockMinutes, 5);
    assert.equal((await fsp.stat(store.file)).mode & 0o777, 0o600);
  } finally {
    await cleanup();
  }
});
