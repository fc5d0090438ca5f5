// Quitting with edits not saved back (issue 11, issue 15): MainApp.confirmQuit against a real
// local-key vault with copies opened "with the default app" (the headless platform records the
// question and answers from a script), and the question's words (quitPrompt).
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHeadlessPlatform } from '../../../main/platform.js';
import { createMainServices } from '../../../main/services/main-services.js';
import { quitPrompt } from '../../../main/services/quit-guard.js';
import { invokeOk, tempDir } from '../helpers.js';

test('quitPrompt: names the copies, offers save only when a vault is open, and after a failure says what failed', () => {
  const open = quitPrompt({ pending: ['notes.txt'], canSave: true });
  assert.match(open.message, /^An item opened with its default app has changes that are not saved back\.$/);
  assert.match(open.detail, /• notes\.txt/);
  assert.deepEqual(open.buttons.map((b) => b.answer), ['save', 'discard', 'cancel']);
  assert.equal(open.buttons[0]!.label, 'Save back and quit');

  const many = quitPrompt({ pending: Array.from({ length: 11 }, (_, i) => `f${i}.txt`), canSave: false });
  assert.match(many.message, /^11 items opened with their default apps/);
  assert.match(many.detail, /• f7\.txt\n… and 3 more/);
  assert.doesNotMatch(many.detail, /f8\.txt/);
  assert.match(many.detail, /unlock the vault first/);
  assert.deepEqual(many.buttons.map((b) => b.answer), ['discard', 'cancel']);

  const failed = quitPrompt({ pending: ['a.txt'], canSave: false, failure: 'a.txt: no item with this id' });
  assert.match(failed.detail, /Saving back failed: a\.txt: no item with this id\nNothing was wiped\./);
  assert.deepEqual(failed.buttons.map((b) => b.answer), ['discard', 'cancel']);
});

test('confirmQuit: no question without edits; "Don\'t quit" keeps the copy; save writes it back; a failed save asks again; after a lock only discard', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const userData = join(dir, 'ud');
  const platform = createHeadlessPlatform({ userDataDir: userData });
  const app = await createMainServices(platform, { validateResponses: true, localScryptN: 2 ** 14, log: () => {} });
  await app.start();
  t.after(() => app.stop());
  const call = (c: string, r: unknown) => invokeOk(app, c, r);
  const lk = await call('local-key:create', { protection: 'passphrase', passphrase: 'quit test passphrase' });
  platform.answerNext(join(dir, 'v'));
  await call('dialog:pick-folder', { purpose: 'create-vault' });
  await call('vault:create', { path: join(dir, 'v'), keys: [{ provider: 'local', keyId: lk.keyId }] });
  for (const n of ['a.txt', 'b.txt']) {
    await writeFile(join(dir, n), `original ${n}`);
    app.grantDrop(join(dir, n));
  }
  await app.services.jobs.wait((await call('items:add', { sources: [join(dir, 'a.txt'), join(dir, 'b.txt')], to: '' })).jobId);
  const items: { id: string; path: string }[] = (await call('items:list', {})).items;
  const temp = join(userData, 'temp');
  /** Open `path` with the default app and change it there (another size, whatever the mtime granularity). */
  const openAndEdit = async (path: string, text: string) => {
    const before = new Set(await readdir(temp).catch(() => []));
    await call('item:open-external', { id: (await call('items:list', {})).items.find((i: { path: string }) => i.path === path).id });
    const tempId = (await readdir(temp)).find((d) => !before.has(d))!;
    await writeFile(join(temp, tempId, path), text);
    return tempId;
  };
  const content = async (path: string) => {
    const id = (await call('items:list', {})).items.find((i: { path: string }) => i.path === path).id;
    return Buffer.from((await call('item:preview', { id })).data).toString();
  };

  assert.equal(await app.confirmQuit(), true, 'nothing edited: quit');
  assert.equal(platform.quitQuestions.length, 0, 'and nobody is asked');

  await openAndEdit('a.txt', 'my unsaved work on a, longer');
  await call('item:open-external', { id: items.find((i) => i.path === 'b.txt')!.id }); // opened, not changed
  assert.equal(await app.confirmQuit(), false, "no scripted answer: Don't quit");
  assert.deepEqual(platform.quitQuestions.at(-1), { pending: ['a.txt'], canSave: true, failure: undefined });
  assert.equal((await readdir(temp)).length, 2, 'nothing wiped');

  platform.answerQuit('save');
  assert.equal(await app.confirmQuit(), true);
  assert.equal(await content('a.txt'), 'my unsaved work on a, longer', 'saved back before quitting');
  assert.equal(await content('b.txt'), 'original b.txt');
  assert.equal(await app.confirmQuit(), true, 'saved: nothing left to ask about');
  assert.equal(platform.quitQuestions.length, 2, JSON.stringify(platform.quitQuestions));

  // A save-back that fails (the item was deleted meanwhile): nothing wiped, asked again with why, without "save".
  const bCopy = await openAndEdit('b.txt', 'work on b that cannot go back');
  await call('items:delete', { ids: [(await call('items:list', {})).items.find((i: { path: string }) => i.path === 'b.txt').id] }).then((j: { jobId: string }) => app.services.jobs.wait(j.jobId));
  platform.answerQuit('save');
  platform.answerQuit('cancel');
  assert.equal(await app.confirmQuit(), false);
  const again = platform.quitQuestions.at(-1)!;
  assert.equal(again.canSave, false);
  assert.match(again.failure ?? '', /^b\.txt: /);
  assert.equal(await readFile(join(temp, bCopy, 'b.txt'), 'utf8'), 'work on b that cannot go back', 'the edited copy is still there');

  // After an idle lock (copies kept, vault closed) the only choices are discard or stay.
  await app.services.lockAll('idle');
  platform.answerQuit('discard');
  assert.equal(await app.confirmQuit(), true);
  assert.deepEqual(platform.quitQuestions.at(-1), { pending: ['b.txt'], canSave: false, failure: undefined });
});
