// The vault view used like a file manager (issue 11), in Debian Chromium against the real main
// services and a real local-key vault: selection follows the item (sort, search, adds), typing
// in search selects nothing, multi-select (Ctrl+click, Shift+click, Shift+arrows, Ctrl+A) with
// delete / move / export of the selection, the context menu (right-click, Shift+F10), Ctrl+F,
// empty states that fit, and pending external edits that nothing wipes without asking.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumMissing, launchApp, startBrowsers, type AppHarness, type Browsers } from '../helpers/browser.js';
import { dismissJobs, itemsOnDisk, waitJobDone } from '../helpers/app-steps.js';

const skip = chromiumMissing();
const PASSPHRASE = 'correct horse battery staple';
const WAIT = { timeout: 20_000 };

let b: Browsers;
let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cachet-fm-'));
  if (!skip) b = await startBrowsers();
});
after(async () => {
  await b?.close();
  await rm(work, { recursive: true, force: true });
});

/** The data-item paths of the selected rows, in shown order. */
async function selectedPaths(h: AppHarness): Promise<string[]> {
  return h.page.locator('.vlist .row[aria-selected="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item') ?? `folder:${r.getAttribute('data-folder')}`));
}

async function waitSelected(h: AppHarness, expected: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  let got: string[] = [];
  while (Date.now() < deadline) {
    got = await selectedPaths(h);
    if (JSON.stringify([...got].sort()) === JSON.stringify([...expected].sort())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual([...got].sort(), [...expected].sort(), 'selected rows');
}

async function waitFor(what: string, check: () => Promise<boolean>, show?: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}${show ? `: ${JSON.stringify(await show())}` : ''}`);
}

describe('the vault view as a file manager', { skip, timeout: 240_000 }, () => {
  let h: AppHarness;
  let src: string;
  let vaultDir: string;

  before(async () => {
    h = await launchApp(b);
    src = join(work, 'src');
    await mkdir(src, { recursive: true });
    // Names and sizes chosen so name order and size order differ.
    await writeFile(join(src, 'notes.txt'), 'n'.repeat(5000));
    await writeFile(join(src, 'alpha.txt'), 'a'.repeat(10));
    await writeFile(join(src, 'zeta.txt'), 'z'.repeat(300));
    await writeFile(join(src, 'mid.txt'), 'm'.repeat(100));
    vaultDir = join(work, 'FM Vault');
    await h.page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await h.page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await h.page.getByRole('button', { name: 'Create local key' }).click();
    await h.page.getByText('The local key is unlocked and ready.').waitFor(WAIT);
    h.answerDialog(vaultDir);
    await h.page.getByRole('button', { name: 'Choose folder…' }).click();
    await h.page.getByTestId('create-folder').filter({ hasText: vaultDir }).waitFor(WAIT);
    await h.page.getByRole('button', { name: 'Create vault' }).click();
    await h.page.getByRole('heading', { name: 'FM Vault' }).waitFor(WAIT);
    await h.drop('.vault-view', ['notes.txt', 'alpha.txt', 'zeta.txt', 'mid.txt'].map((n) => join(src, n)));
    assert.equal(await waitJobDone(h, 'add'), 'ok');
    await dismissJobs(h);
    await h.page.locator('[data-item="zeta.txt"]').waitFor(WAIT);
  });
  after(async () => {
    await h?.close();
  });

  test('selection follows the item through sort, an add and search; search selects nothing', async () => {
    await waitSelected(h, []);
    await h.page.locator('[data-item="notes.txt"]').click();
    await waitSelected(h, ['notes.txt']);
    // Sort by size: notes.txt moves from row 3 to row 4; it stays the selected one.
    await h.page.getByRole('button', { name: /^Size/ }).click();
    await h.page.locator('[role=columnheader][aria-sort=ascending]').filter({ hasText: 'Size' }).waitFor(WAIT);
    await waitSelected(h, ['notes.txt']);
    await h.page.getByRole('button', { name: /^Name/ }).click();
    // A file whose name sorts first arrives: still notes.txt, and Delete names notes.txt.
    await writeFile(join(src, '0-early.txt'), 'early');
    await h.drop('.vault-view', [join(src, '0-early.txt')]);
    assert.equal(await waitJobDone(h, 'add'), 'ok');
    await dismissJobs(h);
    await h.page.locator('[data-item="0-early.txt"]').waitFor(WAIT);
    await waitSelected(h, ['notes.txt']);
    await h.page.locator('.item-table').focus();
    await h.page.keyboard.press('Delete');
    const dialog = h.page.getByRole('dialog', { name: 'Delete this item?' });
    await dialog.getByText('“notes.txt” will be removed from the vault.').waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    // Focus came back to the list.
    await waitFor('focus back on the list', () => h.page.evaluate(() => document.activeElement?.classList.contains('item-table') ?? false));

    // Ctrl+F goes to the search box; typing selects nothing, and a hidden selection is not acted on.
    await h.page.keyboard.press('Control+f');
    const search = h.page.getByRole('searchbox', { name: 'Search items' });
    assert.equal(await search.evaluate((el) => el === document.activeElement), true);
    await h.page.keyboard.type('zeta');
    await h.page.getByText('1 match').waitFor(WAIT);
    await waitSelected(h, []);
    await h.page.getByTestId('selection-label').filter({ hasText: 'Nothing selected' }).waitFor(WAIT);
    assert.equal(await h.page.locator('.item-actions').getByRole('button', { name: 'Delete' }).isDisabled(), true);
    // A search with no match says so (not "Nothing here yet").
    await search.fill('no-such-thing');
    await h.page.getByText('No item matches “no-such-thing”.').waitFor(WAIT);
    assert.equal(await h.page.getByText('Nothing here yet').count(), 0);
    await search.fill('');
    await waitSelected(h, ['notes.txt']);
    assert.equal((await itemsOnDisk(h)).length, 5);
  });

  test('multi-select: Ctrl+click, Shift+click, Shift+arrows, Ctrl+A; delete the selection', async () => {
    // Rows by name: 0-early, alpha, mid, notes, zeta.
    await h.page.locator('[data-item="alpha.txt"]').click();
    await h.page.locator('[data-item="notes.txt"]').click({ modifiers: ['Control'] });
    await waitSelected(h, ['alpha.txt', 'notes.txt']);
    await h.page.getByTestId('selection-label').filter({ hasText: '“alpha.txt” and “notes.txt”' }).waitFor(WAIT);
    // Ctrl+click again removes one.
    await h.page.locator('[data-item="alpha.txt"]').click({ modifiers: ['Control'] });
    await waitSelected(h, ['notes.txt']);
    // Shift+click: from the anchor (the last plain or Ctrl click: notes) up to alpha.
    await h.page.locator('[data-item="notes.txt"]').click();
    await h.page.locator('[data-item="alpha.txt"]').click({ modifiers: ['Shift'] });
    await waitSelected(h, ['alpha.txt', 'mid.txt', 'notes.txt']);
    // Shift+arrows from a plain click.
    await h.page.locator('[data-item="0-early.txt"]').click();
    await h.page.keyboard.press('Shift+ArrowDown');
    await h.page.keyboard.press('Shift+ArrowDown');
    await waitSelected(h, ['0-early.txt', 'alpha.txt', 'mid.txt']);
    await h.page.keyboard.press('Shift+ArrowUp');
    await waitSelected(h, ['0-early.txt', 'alpha.txt']);
    await h.page.keyboard.press('Control+a');
    await waitSelected(h, ['0-early.txt', 'alpha.txt', 'mid.txt', 'notes.txt', 'zeta.txt']);
    // Plain arrow: back to one.
    await h.page.keyboard.press('ArrowDown');
    await waitSelected(h, ['alpha.txt']);

    await h.page.locator('[data-item="0-early.txt"]').click();
    await h.page.locator('[data-item="mid.txt"]').click({ modifiers: ['Control'] });
    // Re-key of the selection: its keys are shown ticked, and re-keying to the same set is not offered.
    await h.page.locator('.item-actions').getByRole('button', { name: 'Re-key…' }).click();
    const rekey = h.page.getByRole('dialog', { name: 'Re-key “0-early.txt” and “mid.txt”' });
    assert.equal(await rekey.getByRole('group', { name: 'Keys these items use now' }).getByRole('checkbox', { name: 'Keep Local key' }).isChecked(), true);
    assert.equal(await rekey.getByRole('button', { name: 'No change to the keys' }).isDisabled(), true);
    await rekey.getByRole('button', { name: 'Cancel' }).click();
    await rekey.waitFor({ state: 'detached', ...WAIT });
    await h.page.locator('.item-actions').getByRole('button', { name: 'Delete' }).click();
    const dialog = h.page.getByRole('dialog', { name: 'Delete 2 items?' });
    await dialog.getByText('“0-early.txt” and “mid.txt” will be removed').waitFor(WAIT);
    await h.screenshot('fm-01-delete-two');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await h.page.locator('[data-item="mid.txt"]').waitFor({ state: 'detached', ...WAIT });
    assert.deepEqual((await itemsOnDisk(h)).map((i) => i.path).sort(), ['alpha.txt', 'notes.txt', 'zeta.txt']);
    await waitSelected(h, []);
  });

  test('move and export the selection; the context menu by right-click and Shift+F10', async () => {
    await h.page.locator('[data-item="alpha.txt"]').click();
    await h.page.locator('[data-item="zeta.txt"]').click({ modifiers: ['Control'] });
    // Right-click a selected row: the menu acts on the selection.
    await h.page.locator('[data-item="zeta.txt"]').click({ button: 'right' });
    const menu = h.page.getByRole('menu', { name: 'Actions for “alpha.txt” and “zeta.txt”' });
    await menu.waitFor(WAIT);
    assert.equal(await menu.getByRole('menuitem', { name: 'Preview' }).isDisabled(), true, 'preview needs one item');
    await h.screenshot('fm-02-context-menu');
    await menu.getByRole('menuitem', { name: 'Move to folder…' }).click();
    const move = h.page.getByRole('dialog', { name: 'Move “alpha.txt” and “zeta.txt”' });
    await move.getByLabel('Folder in the vault (empty for the top level)').fill('kept');
    await move.getByRole('button', { name: 'Move 2 items' }).click();
    await h.page.locator('[data-folder="kept"]').waitFor(WAIT);
    const paths = async () => (await itemsOnDisk(h)).map((i) => i.path).sort().join();
    await waitFor('the move on disk', async () => (await paths()) === 'kept/alpha.txt,kept/zeta.txt,notes.txt', async () => [await paths(), await h.page.locator('[role=alert]').allTextContents()]);

    // Export a folder row and an item together: everything under it, folders kept.
    const out = join(work, 'export-selection');
    await mkdir(out);
    await h.page.locator('[data-folder="kept"]').click();
    await h.page.locator('[data-item="notes.txt"]').click({ modifiers: ['Control'] });
    await h.page.getByTestId('selection-label').filter({ hasText: '1 folder and 1 item (3 items in all)' }).waitFor(WAIT);
    // Shift+F10 opens the menu from the keyboard; Escape closes it and the list has focus again.
    await h.page.keyboard.press('Shift+F10');
    const menu2 = h.page.getByRole('menu');
    await menu2.waitFor(WAIT);
    await h.page.keyboard.press('Escape');
    await menu2.waitFor({ state: 'detached', ...WAIT });
    await waitFor('focus back on the list', () => h.page.evaluate(() => document.activeElement?.classList.contains('item-table') ?? false));
    h.answerDialog(out);
    await h.page.locator('.item-actions').getByRole('button', { name: 'Export' }).click();
    assert.equal(await waitJobDone(h, 'export'), 'ok');
    await dismissJobs(h);
    assert.deepEqual((await readdir(out, { recursive: true })).map(String).sort(), ['kept', join('kept', 'alpha.txt'), join('kept', 'zeta.txt'), 'notes.txt']);
    assert.equal(await readFile(join(out, 'kept', 'zeta.txt'), 'utf8'), 'z'.repeat(300));
  });

  test('an external edit put off with "Later" stays listed; re-open and lock ask before it is lost', async () => {
    await h.page.locator('[data-item="notes.txt"]').click();
    const n = h.platform.opened.length;
    await h.page.locator('.item-actions').getByRole('button', { name: 'Open' }).click();
    await waitFor('the default app to open the copy', async () => h.platform.opened.length > n);
    const temp = h.platform.opened[n]!;
    await writeFile(temp, 'edited outside\n');
    const prompt = h.page.getByRole('alertdialog', { name: 'Save changes back' });
    await prompt.waitFor({ timeout: 30_000 });
    await prompt.getByRole('button', { name: 'Later' }).click();
    await prompt.waitFor({ state: 'detached', ...WAIT });
    const pending = h.page.getByRole('region', { name: 'Edits not saved back' });
    await pending.locator('[data-pending="notes.txt"]').waitFor(WAIT);
    await h.screenshot('fm-03-pending-edits');

    // Opening the item again asks instead of making a fresh copy without the edits.
    await h.page.locator('.item-actions').getByRole('button', { name: 'Open' }).click();
    const reopen = h.page.getByRole('dialog', { name: 'This item has unsaved edits' });
    await reopen.waitFor(WAIT);
    await reopen.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(h.platform.opened.length, n + 1, 'no second copy opened');

    // Lock asks; cancelling keeps the vault open and the edited copy as it is.
    await h.page.getByRole('button', { name: 'Lock now' }).click();
    const lock = h.page.getByRole('dialog', { name: 'Lock and wipe edited copies?' });
    await lock.getByText(/notes\.txt/).waitFor(WAIT);
    await lock.getByRole('button', { name: 'Cancel' }).click();
    await lock.waitFor({ state: 'detached', ...WAIT });
    assert.equal(await readFile(temp, 'utf8'), 'edited outside\n');
    await h.page.getByRole('heading', { name: 'FM Vault' }).waitFor(WAIT);
    // Close Vault (the application menu) asks the same; cancelling keeps everything.
    await h.app.services.emit('menu:command', { command: 'close-vault' });
    const close = h.page.getByRole('dialog', { name: 'Close and wipe edited copies?' });
    await close.getByText(/notes\.txt.*Closing the vault wipes it/).waitFor(WAIT);
    await close.getByRole('button', { name: 'Cancel' }).click();
    await close.waitFor({ state: 'detached', ...WAIT });
    assert.equal(await readFile(temp, 'utf8'), 'edited outside\n');
    await h.page.getByRole('heading', { name: 'FM Vault' }).waitFor(WAIT);

    // Saved back from the list: the list empties, the vault has the edit, and Lock no longer asks.
    await pending.getByRole('button', { name: 'Save back notes.txt' }).click();
    await pending.waitFor({ state: 'detached', ...WAIT });
    await h.page.locator('[data-item="notes.txt"]').dblclick();
    await h.page.locator('.preview-text').filter({ hasText: 'edited outside' }).waitFor(WAIT);
    // Escape closes the preview.
    await h.page.keyboard.press('Escape');
    await h.page.locator('.preview').waitFor({ state: 'detached', ...WAIT });
    await h.page.getByRole('button', { name: 'Lock now' }).click();
    await h.page.getByText('FM Vault is locked.').waitFor(WAIT);
    assert.deepEqual(h.errors, []);
  });
});
