// End to end in a real browser: the real React renderer (esbuild bundle, strict CSP) in Debian
// Chromium, driven by Playwright, with the REAL main-process services behind the IPC contract
// (test/helpers/browser.ts: createMainServices + dispatch on a headless Platform whose dialogs
// answer from a script), a real vault on disk, real crypto, and moto as AWS KMS.
// Covers: create a vault with a local key and with AWS (profile, identity, keys, create key),
// drop files and a folder with progress, conflicts, browse/search/sort, preview text and image,
// rename, export, delete, cancel, verify, lock/unlock, and the error paths (a tampered item, a
// disabled KMS key, access denied: a profile whose IAM user moto refuses kms:Decrypt, with moto's
// IAM checks on). Screenshots go to test-results/screenshots/.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumMissing, launchApp, startBrowsers, type AppHarness, type Browsers } from '../helpers/browser.js';
import { dismissJobs, itemsOnDisk, useAwsFiles, waitJobDone } from '../helpers/app-steps.js';
import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { createLimitedUser, createTestKey, motoKmsClient, startMoto, type LimitedUser, type Moto } from '../helpers/moto.js';
import { describeError } from '../../renderer/errors/messages.js';
import { sealFile } from '../../app/envelope.js';
import { newId } from '../../app/vault/layout.js';
import { Vault } from '../../app/vault/vault.js';

const skip = chromiumMissing();

/** A one-page PDF (text "Cachet"), small enough to write inline. */
const MINIMAL_PDF = [
  '%PDF-1.4',
  '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
  '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
  '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj',
  '4 0 obj << /Length 40 >> stream',
  'BT /F1 18 Tf 20 40 Td (Cachet) Tj ET',
  'endstream endobj',
  '5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj',
  'trailer << /Root 1 0 R >>',
  '%%EOF',
  '',
].join('\n');
const PASSPHRASE = 'correct horse battery staple';
const WAIT = { timeout: 20_000 };

let b: Browsers;
let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cachet-e2e-'));
  if (!skip) b = await startBrowsers();
});
after(async () => {
  await b?.close();
  await rm(work, { recursive: true, force: true });
});

/** Source files to drop: text, a PNG, a folder with a nested folder. */
async function makeSources(dir: string, png: Buffer): Promise<{ notes: string; photo: string; docs: string }> {
  await mkdir(join(dir, 'docs', 'sub'), { recursive: true });
  const notes = join(dir, 'notes.txt');
  const photo = join(dir, 'photo.png');
  await writeFile(notes, 'Meeting notes\nThe vault works.\n');
  await writeFile(photo, png);
  await writeFile(join(dir, 'docs', 'a.txt'), 'alpha');
  await writeFile(join(dir, 'docs', 'sub', 'b.md'), '# beta\n');
  return { notes, photo, docs: join(dir, 'docs') };
}

async function select(h: AppHarness, path: string): Promise<void> {
  await h.page.locator(`[data-item="${path}"]`).click();
}

describe('desktop app in Chromium, local key', { skip, timeout: 240_000 }, () => {
  let h: AppHarness;
  let src: { notes: string; photo: string; docs: string };
  let vaultDir: string;

  before(async () => {
    h = await launchApp(b);
    const png = await h.page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 200 } });
    src = await makeSources(join(work, 'src'), png);
    vaultDir = join(work, 'Local Vault');
  });
  after(async () => {
    await h?.close();
  });

  test('first run: create a local key and a vault', async () => {
    await h.page.getByRole('heading', { name: 'Create a new vault' }).waitFor(WAIT);
    await h.screenshot('01-welcome');
    // In the smallest window the welcome screen fits: no scrolling to reach "Create vault".
    await h.page.setViewportSize({ width: 800, height: 600 });
    const fits = await h.page.evaluate(() => ({ scroll: document.scrollingElement!.scrollHeight, view: window.innerHeight, button: document.querySelector('button.button-primary:last-of-type') !== null }));
    const create = await h.page.getByRole('button', { name: 'Create vault' }).boundingBox();
    await h.page.setViewportSize({ width: 1280, height: 800 });
    assert.ok(fits.scroll <= fits.view, `the page scrolls: ${fits.scroll} > ${fits.view}`);
    assert.ok(create && create.y + create.height <= 600, `Create vault is below the fold: ${JSON.stringify(create)}`);
    // A short passphrase is refused in the UI before anything is sent.
    await h.page.getByLabel('Passphrase', { exact: true }).fill('short');
    await h.page.getByLabel('Repeat the passphrase').fill('short');
    await h.page.getByRole('button', { name: 'Create local key' }).click();
    await h.page.getByText('Use at least 8 characters.').waitFor(WAIT);
    await h.page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await h.page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await h.page.getByRole('button', { name: 'Create local key' }).click();
    await h.page.getByText('The local key is unlocked and ready.').waitFor(WAIT);
    assert.equal(await h.page.getByRole('button', { name: 'Create vault' }).isDisabled(), true);

    h.answerDialog(vaultDir);
    await h.page.getByRole('button', { name: 'Choose folder…' }).click();
    await h.page.getByTestId('create-folder').filter({ hasText: vaultDir }).waitFor(WAIT);
    await h.page.getByRole('button', { name: 'Create vault' }).click();
    await h.page.getByRole('heading', { name: 'Local Vault' }).waitFor(WAIT);
    await h.page.getByText('0 items · sealed with Local key').waitFor(WAIT);
    assert.ok((await stat(join(vaultDir, 'vault.json'))).isFile());
  });

  test('drop files and a folder: progress, then they are listed', async () => {
    await h.drop('.vault-view', [src.notes, src.photo, src.docs]);
    assert.equal(await waitJobDone(h, 'add'), 'ok');
    await h.page.getByText('Added 4 files.').waitFor(WAIT);
    const progress = h.events.filter((e) => e.event === 'job:progress' && (e.payload as { kind: string }).kind === 'add');
    assert.ok(progress.length > 0, 'main sent progress events for the add');
    await h.page.locator('[data-item="notes.txt"]').waitFor(WAIT);
    await h.page.locator('[data-item="photo.png"]').waitFor(WAIT);
    await h.page.locator('[data-folder="docs"]').waitFor(WAIT);
    await h.page.getByText('4 items · sealed with Local key').waitFor(WAIT);
    const disk = (await readdir(join(vaultDir, 'items'))).filter((n) => n.endsWith('.env'));
    assert.equal(disk.length, 4);
    // Nothing in the vault folder reveals a name.
    for (const n of await readdir(vaultDir, { recursive: true })) assert.doesNotMatch(String(n), /notes|photo|docs/);
    await h.screenshot('02-vault-after-drop');
  });

  test('a second drop of an existing file asks: keep both', async () => {
    await dismissJobs(h);
    await h.drop('.vault-view', [src.photo]);
    const dialog = h.page.getByRole('dialog', { name: 'An item with this name already exists' });
    await dialog.waitFor(WAIT);
    await h.screenshot('03-conflict');
    await dialog.getByRole('button', { name: 'Keep both' }).click();
    assert.equal(await waitJobDone(h, 'add'), 'ok');
    await h.page.locator('[data-item="photo (2).png"]').waitFor(WAIT);
    // And skip leaves things as they are.
    await dismissJobs(h);
    await h.drop('.vault-view', [src.photo]);
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Skip' }).click();
    await waitJobDone(h, 'add');
    assert.equal((await itemsOnDisk(h)).filter((i) => i.path.startsWith('photo')).length, 2);
    await dismissJobs(h);
    // Three conflicts at once, answered for all: skip them all, nothing changes.
    const before = (await itemsOnDisk(h)).map((i) => `${i.id}:${i.path}`).sort();
    await h.drop('.vault-view', [src.photo, src.docs]);
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Apply to all 3 conflicts').check();
    await dialog.getByRole('button', { name: 'Skip' }).click();
    await waitJobDone(h, 'add');
    await h.page.getByText('Nothing added: 3 files skipped.').waitFor(WAIT);
    assert.equal(await dialog.count(), 0, 'asked once');
    assert.deepEqual((await itemsOnDisk(h)).map((i) => `${i.id}:${i.path}`).sort(), before);
    await dismissJobs(h);
    // Escape at a conflict calls off the whole add, and says so.
    await h.drop('.vault-view', [src.photo, src.docs]);
    await dialog.waitFor(WAIT);
    await h.page.keyboard.press('Escape');
    await h.page.getByText('Adding cancelled: none of the 3 files was added, and the vault is as it was.').waitFor(WAIT);
    assert.equal(await dialog.count(), 0);
    assert.deepEqual((await itemsOnDisk(h)).map((i) => `${i.id}:${i.path}`).sort(), before);
    await h.page.getByRole('status').filter({ hasText: 'Adding cancelled' }).getByRole('button', { name: 'Dismiss' }).click();
  });

  test('browse folders, search and sort', async () => {
    await h.page.locator('[data-folder="docs"]').dblclick();
    await h.page.locator('[data-item="docs/a.txt"]').waitFor(WAIT);
    await h.page.locator('[data-folder="docs/sub"]').waitFor(WAIT);
    assert.equal(await h.page.locator('[data-item="notes.txt"]').count(), 0);
    // Keyboard: Enter on the folder row opens it, Backspace goes up.
    await h.page.locator('[data-folder="docs/sub"]').click();
    await h.page.keyboard.press('Enter');
    await h.page.locator('[data-item="docs/sub/b.md"]').waitFor(WAIT);
    await h.page.keyboard.press('Backspace');
    await h.page.locator('[data-item="docs/a.txt"]').waitFor(WAIT);
    await h.page.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: 'Local Vault' }).click();
    await h.page.locator('[data-item="notes.txt"]').waitFor(WAIT);

    await h.page.getByRole('searchbox', { name: 'Search items' }).fill('b.md');
    await h.page.getByText('1 match').waitFor(WAIT);
    await h.page.locator('[data-item="docs/sub/b.md"]').waitFor(WAIT);
    await h.page.getByRole('searchbox', { name: 'Search items' }).fill('png');
    await h.page.getByText('2 matches').waitFor(WAIT);
    // Sort by name descending: "photo.png" before "photo (2).png".
    await h.page.getByRole('button', { name: /^Name/ }).click();
    await h.page.locator('[role=columnheader][aria-sort=descending]').waitFor(WAIT);
    const order = await h.page.locator('.vlist .row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item')));
    assert.deepEqual(order, ['photo.png', 'photo (2).png']);
    await h.page.getByRole('button', { name: /^Name/ }).click();
    await h.page.getByRole('searchbox', { name: 'Search items' }).fill('');
  });

  test('preview text and image', async () => {
    await h.page.locator('[data-item="notes.txt"]').dblclick();
    const pane = h.page.getByRole('complementary', { name: 'Preview of notes.txt' });
    await pane.locator('.preview-text').filter({ hasText: 'The vault works.' }).waitFor(WAIT);
    await h.screenshot('04-preview-text');

    await select(h, 'photo.png');
    await h.page.getByRole('button', { name: 'Preview', exact: true }).click();
    const img = h.page.getByRole('img', { name: 'photo.png' });
    await img.waitFor(WAIT);
    assert.match((await img.getAttribute('src')) ?? '', /^blob:/);
    await h.page.waitForFunction(() => (document.querySelector('.preview-image') as HTMLImageElement | null)?.naturalWidth === 320, null, WAIT);
    await h.screenshot('05-preview-image');
    await h.page.getByRole('button', { name: 'Close preview' }).click();

    // PDF: an <iframe> on a blob: URL (Chromium's viewer; nothing written to disk). Removed after,
    // so the counts of later steps stay as they are.
    const pdf = join(work, 'src', 'brief.pdf');
    await writeFile(pdf, MINIMAL_PDF);
    h.answerDialog([pdf]);
    await h.page.getByRole('button', { name: 'Add files' }).click();
    assert.equal(await waitJobDone(h, 'add'), 'ok');
    await dismissJobs(h);
    await h.page.locator('[data-item="brief.pdf"]').dblclick();
    const frame = h.page.locator('iframe.preview-pdf');
    await frame.waitFor(WAIT);
    assert.match((await frame.getAttribute('src')) ?? '', /^blob:/);
    assert.equal(await frame.getAttribute('title'), 'PDF: brief.pdf');
    await h.page.getByRole('button', { name: 'Close preview' }).click();
    const id = (await itemsOnDisk(h)).find((i) => i.path === 'brief.pdf')!.id;
    assert.equal(((await h.app.invoke('items:delete', { ids: [id] })) as { ok: boolean }).ok, true);
    await h.page.locator('[data-item="brief.pdf"]').waitFor({ state: 'detached', ...WAIT });
  });

  test('rename / move', async () => {
    await select(h, 'notes.txt');
    await h.page.keyboard.press('F2');
    const dialog = h.page.getByRole('dialog', { name: 'Rename or move' });
    await dialog.waitFor(WAIT);
    const input = dialog.getByLabel('Path in the vault (use / for folders)');
    await input.fill('../escape.txt');
    await dialog.getByRole('alert').waitFor(WAIT);
    assert.equal(await dialog.getByRole('button', { name: 'Rename' }).isDisabled(), true);
    await input.fill('archive/notes-2026.txt');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await h.page.locator('[data-folder="archive"]').waitFor(WAIT);
    assert.equal(await h.page.locator('[data-item="notes.txt"]').count(), 0);
    assert.ok((await itemsOnDisk(h)).some((i) => i.path === 'archive/notes-2026.txt'));
  });

  test('export a decrypted copy through the save dialog', async () => {
    const out = join(work, 'exported.png');
    await select(h, 'photo.png');
    h.answerDialog(out);
    await h.page.locator('.item-actions').getByRole('button', { name: 'Export' }).click();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (await stat(out).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(await readFile(out), await readFile(src.photo));
    // It says where it wrote, and shows it in the file manager.
    const notice = h.page.getByRole('status').filter({ hasText: `Exported a decrypted copy to ${out}` });
    await notice.waitFor(WAIT);
    await notice.getByRole('button', { name: 'Show in folder' }).click();
    for (let i = 0; i < 100 && !h.platform.shown.includes(out); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(h.platform.shown, [out]);
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    // A path the person never chose is refused by main.
    const r = await h.app.invoke('shell:show-in-folder', { path: src.photo });
    assert.equal(r.ok ? 'ok' : r.error.code, 'permission-denied');
  });

  test('export everything in a folder as a job', async () => {
    const out = join(work, 'export-all');
    await mkdir(out);
    await h.page.locator('[data-folder="docs"]').dblclick();
    await h.page.locator('[data-item="docs/a.txt"]').waitFor(WAIT);
    h.answerDialog(out);
    await h.page.getByRole('button', { name: 'Export…' }).click();
    assert.equal(await waitJobDone(h, 'export'), 'ok');
    await h.page.getByText('Exported 2 items.').waitFor(WAIT);
    await h.page.getByText(`Written into ${out}`).waitFor(WAIT);
    await h.page.locator('.job-done[data-job-kind="export"]').getByRole('button', { name: 'Show in folder' }).click();
    for (let i = 0; i < 100 && !h.platform.shown.includes(out); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(h.platform.shown.includes(out));
    assert.equal(await readFile(join(out, 'docs', 'a.txt'), 'utf8'), 'alpha');
    assert.equal(await readFile(join(out, 'docs', 'sub', 'b.md'), 'utf8'), '# beta\n');
    await dismissJobs(h);
    await h.page.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: 'Local Vault' }).click();
  });

  test('drag an item out of the window', async () => {
    const n = h.platform.dragged.length;
    await h.page.locator('[data-item="photo.png"]').dispatchEvent('dragstart');
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && h.platform.dragged.length === n) await new Promise((r) => setTimeout(r, 50));
    const files = h.platform.dragged[n];
    assert.equal(files?.length, 1);
    assert.deepEqual(await readFile(files![0]!), await readFile(src.photo));
  });

  test('open with the default app, edit, save the changes back', async () => {
    await h.page.locator('[data-folder="archive"]').dblclick();
    await select(h, 'archive/notes-2026.txt');
    const n = h.platform.opened.length;
    await h.page.locator('.item-actions').getByRole('button', { name: 'Open' }).click();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && h.platform.opened.length === n) await new Promise((r) => setTimeout(r, 50));
    const temp = h.platform.opened[n]!;
    assert.equal(await readFile(temp, 'utf8'), 'Meeting notes\nThe vault works.\n');
    await writeFile(temp, 'Edited outside Cachet\n');
    const prompt = h.page.getByRole('alertdialog', { name: 'Save changes back' });
    await prompt.waitFor({ timeout: 30_000 });
    await h.screenshot('07a-save-back');
    await prompt.getByRole('button', { name: 'Save changes back' }).click();
    await prompt.waitFor({ state: 'detached', ...WAIT });
    await h.page.locator('[data-item="archive/notes-2026.txt"]').dblclick();
    await h.page.locator('.preview-text').filter({ hasText: 'Edited outside Cachet' }).waitFor(WAIT);
    await h.page.getByRole('button', { name: 'Close preview' }).click();
    await h.page.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: 'Local Vault' }).click();
  });

  test('delete asks first', async () => {
    await select(h, 'photo (2).png');
    await h.page.locator('.item-actions').getByRole('button', { name: 'Delete' }).click();
    const dialog = h.page.getByRole('dialog', { name: 'Delete this item?' });
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await itemsOnDisk(h)).length, 5);
    await h.page.locator('.item-table').focus();
    await h.page.keyboard.press('Delete');
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await h.page.locator('[data-item="photo (2).png"]').waitFor({ state: 'detached', ...WAIT });
    assert.equal((await itemsOnDisk(h)).length, 4);
  });

  test('a long add can be cancelled', async () => {
    const big = join(work, 'big.bin');
    await writeFile(big, '');
    await truncate(big, 1024 * 1024 * 1024); // sparse: quick to make, slow enough to seal
    await h.drop('.vault-view', [big]);
    const running = h.page.locator('.job-running[data-job-kind="add"]');
    await running.waitFor(WAIT);
    // Both bars move while it seals: the job's and the current file's (contract v1.3 fileBytes).
    const overall = running.locator('progress:not(.progress-file)');
    const perFile = running.locator('progress.progress-file');
    await overall.waitFor(WAIT);
    await perFile.waitFor(WAIT);
    const valueOf = async (l: typeof overall) => Number((await l.getAttribute('value')) ?? -1);
    const start = [await valueOf(overall), await valueOf(perFile)];
    await h.page.waitForFunction(([o0, f0]) => {
      const r = document.querySelector('.job-running[data-job-kind="add"]');
      const o = Number(r?.querySelector('progress:not(.progress-file)')?.getAttribute('value') ?? -1);
      const f = Number(r?.querySelector('progress.progress-file')?.getAttribute('value') ?? -1);
      return o > o0! && f > f0!;
    }, start, WAIT);
    await h.screenshot('06-progress');
    await running.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await waitJobDone(h, 'add'), 'cancelled');
    assert.ok(!(await itemsOnDisk(h)).some((i) => i.path === 'big.bin'));
    const fileBytes = h.events.flatMap((e) => {
      const p = e.payload as { kind?: string; current?: string | null; fileBytes?: number; fileTotal?: number | null };
      return e.event === 'job:progress' && p.kind === 'add' && p.current === 'big.bin' && p.fileBytes !== undefined ? [p] : [];
    });
    assert.ok(fileBytes.length >= 2, 'main sent per-file progress for big.bin');
    assert.ok(fileBytes.every((p) => p.fileTotal === 1024 * 1024 * 1024));
    assert.ok(fileBytes.at(-1)!.fileBytes! > fileBytes[0]!.fileBytes!, 'fileBytes grows');
    await dismissJobs(h);
    await rm(big);
  });

  test('a tampered item: preview refuses it and verify reports it', async () => {
    const item = (await itemsOnDisk(h)).find((i) => i.path === 'docs/a.txt')!;
    const file = join(vaultDir, 'items', `${item.id}.env`);
    const bytes = await readFile(file);
    bytes[bytes.length - 1]! ^= 0x01;
    await writeFile(file, bytes);

    await h.page.locator('[data-folder="docs"]').dblclick();
    await h.page.locator('[data-item="docs/a.txt"]').dblclick();
    const expected = describeError({ code: 'tampered', detail: {} });
    const notice = h.page.locator('.preview [role=alert]');
    await notice.waitFor(WAIT);
    assert.equal(await notice.getAttribute('data-code'), 'tampered');
    assert.match((await notice.textContent()) ?? '', new RegExp(expected.hint.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.doesNotMatch((await notice.textContent()) ?? '', /at \w+ \(|Error:/, 'no stack trace');
    await h.screenshot('07-tampered');
    await h.page.getByRole('button', { name: 'Close preview' }).click();

    await h.page.getByRole('button', { name: 'Verify' }).click();
    assert.equal(await waitJobDone(h, 'verify'), 'partial');
    const failure = h.page.locator('.job-done[data-job-kind="verify"] .failure');
    assert.equal(await failure.count(), 1);
    assert.equal(await failure.getAttribute('data-code'), 'tampered');
    await h.page.getByText('1 item is damaged').waitFor(WAIT);
    await h.page.getByRole('list', { name: 'Damaged items' }).locator('[data-code="tampered"]').waitFor(WAIT);
    assert.equal(await h.page.getByRole('list', { name: 'Items that could not be checked' }).count(), 0);
    await h.screenshot('08-verify-report');
    await dismissJobs(h);
  });

  test('lock now, then unlock with the passphrase', async () => {
    assert.equal(await h.page.title(), 'Local Vault — Cachet', 'the window title names the open vault');
    await h.page.getByRole('button', { name: 'Lock now' }).click();
    await h.page.getByText('Local Vault is locked.').waitFor(WAIT);
    assert.equal(await h.page.title(), 'Cachet', 'and not once it is locked');
    assert.equal(await h.page.locator('[data-item]').count(), 0);
    await h.page.getByRole('button', { name: 'Unlock Local Vault' }).click();
    const form = h.page.getByRole('form', { name: 'Unlock the local key to open the vault' });
    await form.waitFor(WAIT);
    await h.screenshot('09-locked');
    await form.getByLabel('Passphrase of the local key').fill('wrong passphrase!');
    await form.getByRole('button', { name: 'Unlock local key' }).click();
    await h.page.getByRole('region', { name: 'Unlock the local key to open this vault' }).locator('[data-code="bad-passphrase"]').waitFor(WAIT);
    await form.getByLabel('Passphrase of the local key').fill(PASSPHRASE);
    await form.getByRole('button', { name: 'Unlock local key' }).click();
    await h.page.getByRole('heading', { name: 'Local Vault' }).waitFor(WAIT);
    await h.page.locator('[data-item="photo.png"]').waitFor(WAIT);
  });

  test('the application menu\'s items act as the buttons: Status, Find, Verify; not behind a dialog; Lock always', async () => {
    // What main sends when an item of the native menu (main/menu.ts) is chosen or its shortcut pressed.
    const menu = (command: string) => h.app.services.emit('menu:command', { command } as never);
    const status = h.page.getByRole('dialog', { name: 'Vault status' });
    menu('status');
    await status.getByText('Up to date').waitFor(WAIT);
    // Behind the open dialog, other items do nothing.
    menu('settings');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await h.page.getByRole('dialog').count(), 1);
    await h.page.keyboard.press('Escape');
    await status.waitFor({ state: 'detached', ...WAIT });
    menu('find');
    await h.page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'search', undefined, WAIT);
    await dismissJobs(h);
    menu('verify');
    assert.equal(await waitJobDone(h, 'verify'), 'partial', 'the item tampered with above');
    await dismissJobs(h);
    // Show Vault Folder: the platform shows the vault's own folder.
    menu('reveal-vault');
    for (let i = 0; i < 100 && !h.platform.shown.includes(vaultDir); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(h.platform.shown.includes(vaultDir));
    // Lock closes a dialog in the way.
    menu('settings');
    await h.page.getByRole('dialog', { name: 'Settings' }).waitFor(WAIT);
    menu('lock');
    await h.page.getByText('Local Vault is locked.').waitFor(WAIT);
    await h.page.getByRole('button', { name: 'Unlock Local Vault' }).click();
    const form = h.page.getByRole('form', { name: 'Unlock the local key to open the vault' });
    await form.getByLabel('Passphrase of the local key').fill(PASSPHRASE);
    await form.getByRole('button', { name: 'Unlock local key' }).click();
    await h.page.locator('[data-item="photo.png"]').waitFor(WAIT);
  });

  test('settings: auto-lock time and lock on sleep are saved', async () => {
    await h.page.getByRole('button', { name: 'Settings' }).click();
    const dialog = h.page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel('Lock the vault after it has been idle for').selectOption('5');
    const onSleep = dialog.getByRole('checkbox', { name: 'Lock when the computer sleeps or locks' });
    assert.equal(await onSleep.isChecked(), true, 'on by default');
    await onSleep.uncheck();
    await dialog.getByRole('button', { name: 'Save' }).click();
    const deadline = Date.now() + 10_000;
    let saved = { autoLockMinutes: -1, lockOnSystemLock: true };
    while (Date.now() < deadline && saved.autoLockMinutes !== 5) {
      const r = (await h.app.invoke('settings:get', {})) as { ok: true; value: typeof saved };
      saved = r.value;
      if (saved.autoLockMinutes !== 5) await new Promise((res) => setTimeout(res, 100));
    }
    assert.deepEqual(saved, { autoLockMinutes: 5, lockOnSystemLock: false });
    // The dialog opens again with what was saved; put the default back.
    await h.page.getByRole('button', { name: 'Settings' }).click();
    assert.equal(await onSleep.isChecked(), false);
    await onSleep.check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
  });

  test('an idle lock (what auto-lock does) returns to the welcome screen and says why', async () => {
    await h.page.locator('[data-item="photo.png"]').dblclick();
    await h.page.getByRole('img', { name: 'photo.png' }).waitFor(WAIT);
    await h.app.services.lockAll('idle');
    await h.page.getByText('Local Vault is locked. It locked itself after being idle.').waitFor(WAIT);
    assert.equal(await h.page.locator('.preview, [data-item]').count(), 0, 'no item names or previews left on screen');
    // Files dropped here go nowhere, and the screen says what to do instead.
    await h.drop('.welcome', [src.notes]);
    const hint = h.page.getByRole('status').filter({ hasText: 'Open or create a vault first.' });
    await hint.waitFor(WAIT);
    await h.screenshot('10a-welcome-drop-hint');
    await hint.getByRole('button', { name: 'Dismiss' }).click();
    await hint.waitFor({ state: 'detached', ...WAIT });
  });

  test('open a vault folder: a folder without a vault says so; the vault opens after unlocking', async () => {
    const notVault = join(work, 'not-a-vault');
    await mkdir(notVault);
    h.answerDialog(notVault);
    await h.page.getByRole('button', { name: 'Open a vault folder…' }).click();
    const notice = h.page.locator('.welcome > [role=alert]');
    await notice.waitFor(WAIT);
    assert.equal(await notice.getAttribute('data-code'), 'vault-not-found');
    await notice.getByText('No vault in that folder').waitFor(WAIT);
    await notice.getByRole('button', { name: 'Dismiss' }).click();

    h.answerDialog(vaultDir);
    await h.page.getByRole('button', { name: 'Open a vault folder…' }).click();
    const form = h.page.getByRole('form', { name: 'Unlock the local key to open the vault' });
    await form.getByLabel('Passphrase of the local key').fill(PASSPHRASE);
    await form.getByRole('button', { name: 'Unlock local key' }).click();
    await h.page.getByRole('heading', { name: 'Local Vault' }).waitFor(WAIT);
    await h.page.locator('[data-item="photo.png"]').waitFor(WAIT);
    assert.deepEqual(h.errors, []);
  });

  test('files the OS opens: a sealed file shows what it is, adds into the vault, decrypts to a chosen file; another vault asks first', async () => {
    // What `cachet encrypt` writes, sealed with this machine's local key; then what main does when
    // the OS hands it over (main.ts openFromOs): grant read, send app:open-path.
    const keyId = (await h.app.invoke('app:state', {}) as { ok: true; value: { localKey: { keyId: string } } }).value.localKey.keyId;
    const text = 'two eggs, a cup of flour\n';
    await writeFile(join(work, 'recipe.txt'), text);
    const env = join(work, 'recipe.txt.env');
    await sealFile(join(work, 'recipe.txt'), env, { keyring: h.app.services.session.keyring, keys: [{ provider: 'local', keyId }], context: { 'cachet:item': newId(), 'cachet:purpose': 'item' }, metadata: { path: 'recipe.txt', size: text.length, mtime: Date.UTC(2026, 0, 2) } });
    const osOpens = async (kind: 'envelope' | 'vault', path: string) => {
      h.app.grantDrop(path);
      await h.app.services.emit('app:open-path', { kind, path });
    };
    await osOpens('envelope', env);
    const dialog = h.page.getByRole('dialog', { name: 'Sealed file recipe.txt.env' });
    await dialog.getByText('no vault (a file sealed on its own)').waitFor(WAIT);
    await dialog.getByText('Local key', { exact: true }).waitFor(WAIT);
    assert.equal(await dialog.getByLabel('Add to the open vault as').inputValue(), 'recipe.txt');
    await h.screenshot('14-envelope');
    await dialog.getByRole('button', { name: 'Add to vault' }).click();
    await dialog.getByText('Added to the vault as recipe.txt.').waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await h.page.locator('[data-item="recipe.txt"]').waitFor(WAIT);

    await osOpens('envelope', env);
    const out = join(work, 'recipe-decrypted.txt');
    h.answerDialog(out);
    await dialog.getByRole('button', { name: 'Decrypt to…' }).click();
    await dialog.getByText(`Decrypted to ${out}.`).waitFor(WAIT);
    assert.equal(await readFile(out, 'utf8'), text);
    await dialog.getByRole('button', { name: 'Show in folder' }).click();
    for (let i = 0; i < 100 && !h.platform.shown.includes(out); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(h.platform.shown.includes(out));
    await h.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', ...WAIT });

    // The vault that is open already: nothing to ask. Another one: asked first, then it opens.
    await osOpens('vault', vaultDir);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await h.page.getByRole('dialog').count(), 0);
    const other = join(work, 'Other Vault');
    (await Vault.create(other, { keys: [{ provider: 'local', keyId }], keyring: h.app.services.session.keyring })).close();
    await osOpens('vault', other);
    const ask = h.page.getByRole('dialog', { name: 'Open another vault?' });
    await ask.getByText(`${other} opens and Local Vault closes.`).waitFor(WAIT);
    await ask.getByRole('button', { name: 'Open it' }).click();
    await h.page.getByRole('heading', { name: 'Other Vault' }).waitFor(WAIT);
    // Close Vault (the menu): back to the welcome screen, the vault among the recent ones.
    await h.app.services.emit('menu:command', { command: 'close-vault' });
    await h.page.getByRole('button', { name: 'Open a vault folder…' }).waitFor(WAIT);
    assert.equal((await h.app.invoke('app:state', {}) as { ok: true; value: { vault: unknown } }).value.vault, null);
    assert.deepEqual(h.errors, []);
  });
});

describe('desktop app in Chromium, AWS KMS (moto)', { skip, timeout: 240_000 }, () => {
  let moto: Moto;
  let h: AppHarness;
  let vaultDir: string;
  let keyArn: string;

  before(async () => {
    moto = await startMoto();
    keyArn = await createTestKey(moto.endpoint, 'alias/cachet-e2e');
    const aws = join(work, 'aws');
    await mkdir(aws, { recursive: true });
    await writeFile(
      join(aws, 'config'),
      [
        '[profile e2e]', 'region = us-east-1', '',
        '[profile other]', 'region = eu-west-1', '',
        '[profile corp-sso]', 'sso_session = corp', 'sso_account_id = 123456789012', 'sso_role_name = Admin', 'region = us-east-1', '',
        '[sso-session corp]', 'sso_start_url = https://example.awsapps.com/start', 'sso_region = us-east-1', '',
      ].join('\n'),
    );
    await writeFile(join(aws, 'credentials'), '[e2e]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n[other]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const awsEnv = useAwsFiles(aws);
    h = await launchApp(b, { awsEndpoint: moto.endpoint, awsEnv });
    vaultDir = join(work, 'AWS Vault');
  });
  after(async () => {
    await h?.close();
    await moto?.stop();
  });

  test('choose a profile, see the identity and the usable keys, create a key, create the vault', async () => {
    // The key tabs are ARIA tabs: one in the Tab order, the arrow keys select and focus the other.
    const localTab = h.page.getByRole('tab', { name: 'Local key' });
    const awsTab = h.page.getByRole('tab', { name: 'AWS KMS' });
    assert.deepEqual([await localTab.getAttribute('tabindex'), await awsTab.getAttribute('tabindex')], ['0', '-1']);
    await localTab.focus();
    await h.page.keyboard.press('ArrowRight');
    assert.equal(await awsTab.getAttribute('aria-selected'), 'true');
    assert.equal(await h.page.evaluate(() => document.activeElement?.id), 'tab-aws');
    await h.page.keyboard.press('ArrowRight'); // wraps
    assert.equal(await localTab.getAttribute('aria-selected'), 'true');
    await h.page.keyboard.press('End');
    assert.equal(await awsTab.getAttribute('aria-selected'), 'true');
    assert.equal(await h.page.getByRole('tabpanel').getAttribute('aria-labelledby'), 'tab-aws');
    await h.page.keyboard.press('Home');
    await awsTab.click();
    const profile = h.page.getByLabel('AWS profile');
    await h.page.locator('option', { hasText: 'e2e — us-east-1' }).waitFor({ state: 'attached', ...WAIT });
    await profile.selectOption('e2e');
    await h.page.getByTestId('aws-identity').waitFor(WAIT);
    assert.match((await h.page.getByTestId('aws-identity').textContent()) ?? '', /arn:aws:/);
    const keyList = h.page.getByRole('group', { name: 'KMS keys to seal with' });
    await keyList.getByText('cachet-e2e').waitFor(WAIT);

    await h.page.getByLabel('New key alias').fill('alias/bad');
    await h.page.getByRole('button', { name: 'Create key' }).click();
    await h.page.getByText('Leave out the "alias/" prefix.').waitFor(WAIT);
    await h.page.getByLabel('New key alias').fill('made-in-app');
    await h.page.getByRole('button', { name: 'Create key' }).click();
    const made = keyList.getByRole('checkbox', { name: /made-in-app/ });
    await made.waitFor(WAIT);
    assert.equal(await made.isChecked(), true);
    await keyList.getByRole('checkbox', { name: /cachet-e2e/ }).check();
    await h.screenshot('10-aws-panel');

    h.answerDialog(vaultDir);
    await h.page.getByRole('button', { name: 'Choose folder…' }).click();
    await h.page.getByTestId('create-folder').filter({ hasText: vaultDir }).waitFor(WAIT);
    await h.page.getByRole('button', { name: 'Create vault' }).click();
    await h.page.getByRole('heading', { name: 'AWS Vault' }).waitFor(WAIT);
    const cfg = JSON.parse(await readFile(join(vaultDir, 'vault.json'), 'utf8')) as { keys: { provider: string; keyId: string }[] };
    assert.equal(cfg.keys.length, 2);
    assert.ok(cfg.keys.some((k) => k.keyId === keyArn));
    await h.page.getByText(/sealed with .*cachet-e2e/).waitFor(WAIT);
  });

  test('add and preview under KMS; then an expired SSO session and an unreachable KMS show what to do', async () => {
    const file = join(work, 'aws-note.txt');
    await writeFile(file, 'sealed under KMS');
    h.answerDialog([file]);
    await h.page.getByRole('button', { name: 'Add files' }).click();
    assert.equal(await waitJobDone(h, 'add'), 'ok');
    await h.page.locator('[data-item="aws-note.txt"]').dblclick();
    await h.page.locator('.preview-text').filter({ hasText: 'sealed under KMS' }).waitFor(WAIT);
    await h.page.locator('[data-item="aws-note.txt"] .cell-key').filter({ hasText: 'cachet-e2e' }).waitFor(WAIT);
    await h.page.getByRole('button', { name: 'Close preview' }).click();
    await h.screenshot('11-aws-vault');

    // Re-key to one of the two keys: the dialog shows both keys in use ticked, offers no re-key to
    // the same set, says what changes; the job reports every item, vault.json names only that key.
    // made-in-app is disabled first: a key in use that is not usable is shown with its state, not hidden.
    const sealedWith = JSON.parse(await readFile(join(vaultDir, 'vault.json'), 'utf8')) as { keys: { keyId: string }[] };
    const madeArn = sealedWith.keys.map((k) => k.keyId).find((k) => k !== keyArn)!;
    // By key id: moto answers DisableKey on an ARN with an error page.
    await motoKmsClient(moto.endpoint).send(new DisableKeyCommand({ KeyId: madeArn.slice(madeArn.lastIndexOf('/') + 1) }));
    await h.page.locator('.toolbar').getByRole('button', { name: 'Re-key' }).click();
    const rekey = h.page.getByRole('dialog', { name: 'Re-key the vault' });
    const current = rekey.getByRole('group', { name: 'Keys this vault uses now' });
    await current.locator('[data-key-state="usable"]').filter({ hasText: 'cachet-e2e' }).waitFor(WAIT);
    await current.locator('[data-key-state="unusable"]').filter({ hasText: madeArn }).getByText(/^not usable/).waitFor(WAIT);
    assert.equal(await current.getByRole('checkbox', { name: /Keep cachet-e2e/ }).isChecked(), true);
    assert.equal(await current.getByRole('checkbox', { name: /Keep made-in-app/ }).isChecked(), true);
    await h.screenshot('11a-rekey-current-keys');
    assert.equal(await rekey.getByRole('button', { name: 'No change to the keys' }).isDisabled(), true);
    await current.getByRole('checkbox', { name: /Keep made-in-app/ }).uncheck();
    await rekey.getByRole('button', { name: 'Review the change…' }).click();
    await rekey.getByTestId('rekey-summary').filter({ hasText: 'Re-key 1 item: removing made-in-app, adding no key.' }).waitFor(WAIT);
    await h.screenshot('11b-rekey-review');
    await rekey.getByRole('button', { name: 'Re-key 1 item' }).click();
    assert.equal(await waitJobDone(h, 'rekey'), 'ok');
    await h.page.getByText('Re-keyed 1 item.').waitFor(WAIT);
    const after = JSON.parse(await readFile(join(vaultDir, 'vault.json'), 'utf8')) as { keys: { keyId: string }[] };
    assert.deepEqual(after.keys.map((k) => k.keyId), [keyArn]);
    await h.page.locator('[data-item="aws-note.txt"] .cell-key').filter({ hasText: /^cachet-e2e$/ }).waitFor(WAIT);
    await dismissJobs(h);

    // An SSO profile whose sign-in has expired (no cached token): the identity check says what to run.
    await h.page.getByRole('button', { name: 'AWS profile' }).click();
    const dialog = h.page.getByRole('dialog', { name: 'AWS profile' });
    await dialog.getByLabel('AWS profile').selectOption('corp-sso');
    const notice = dialog.locator('.aws-identity [role=alert]');
    await notice.waitFor(WAIT);
    assert.equal(await notice.getAttribute('data-code'), 'sso-expired');
    await notice.getByText('Run aws sso login --profile corp-sso in a terminal, then try again.').waitFor(WAIT);
    assert.doesNotMatch((await notice.textContent()) ?? '', /at \w+ \(|Error:/, 'no stack trace');
    await h.screenshot('12-sso-expired');
    await dialog.getByLabel('AWS profile').selectOption('e2e');
    await dialog.getByTestId('aws-identity').waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // KMS unreachable.
    await moto.stop();
    await h.page.locator('[data-item="aws-note.txt"]').dblclick();
    const failed = h.page.locator('.preview [role=alert]');
    await failed.waitFor({ timeout: 60_000 });
    assert.equal(await failed.getAttribute('data-code'), 'kms-unreachable');
    await failed.getByText(describeError({ code: 'kms-unreachable', detail: {} }).title).waitFor(WAIT);
    await h.screenshot('13-kms-unreachable');

    // Verify while KMS is out of reach: the item could not be checked; it is not called damaged
    // (issue 11 defect 4).
    await h.page.getByRole('button', { name: 'Verify' }).click();
    assert.equal(await waitJobDone(h, 'verify'), 'failed'); // nothing could be checked
    await h.page.getByText('Verified 1 item: none is damaged; 1 item could not be checked.').waitFor({ timeout: 60_000 });
    const unchecked = h.page.getByRole('list', { name: 'Items that could not be checked' });
    await unchecked.locator('[data-code="kms-unreachable"]').waitFor(WAIT);
    assert.equal(await h.page.getByRole('list', { name: 'Damaged items' }).count(), 0);
    assert.doesNotMatch((await h.page.locator('.jobs').textContent()) ?? '', /damaged\./i);
    await h.screenshot('13a-verify-unchecked');
    assert.deepEqual(h.errors, []);
  });
});

describe('desktop app in Chromium, KMS access denied (moto with IAM access control on)', { skip, timeout: 120_000 }, () => {
  let moto: Moto;
  let h: AppHarness;
  let keyArn: string;
  let writer: LimitedUser;
  let reader: LimitedUser;

  before(async () => {
    moto = await startMoto({ iamAuth: true });
    keyArn = await createTestKey(moto, 'alias/cachet-shared');
    const browse = ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey'];
    [writer, reader] = await Promise.all([
      createLimitedUser(moto, { allow: ['kms:*'] }),
      // May list keys and even seal, but not unwrap: moto refuses Decrypt by this user's policy.
      createLimitedUser(moto, { allow: [...browse, 'kms:GenerateDataKey', 'kms:Encrypt'], deny: ['kms:Decrypt'] }),
    ]);
    const aws = join(work, 'aws-iam');
    await mkdir(aws, { recursive: true });
    await writeFile(join(aws, 'config'), ['[profile writer]', 'region = us-east-1', '', '[profile reader]', 'region = us-east-1', ''].join('\n'));
    await writeFile(
      join(aws, 'credentials'),
      [
        '[writer]', `aws_access_key_id = ${writer.accessKeyId}`, `aws_secret_access_key = ${writer.secretAccessKey}`, '',
        '[reader]', `aws_access_key_id = ${reader.accessKeyId}`, `aws_secret_access_key = ${reader.secretAccessKey}`, '',
      ].join('\n'),
    );
    const awsEnv = useAwsFiles(aws);
    h = await launchApp(b, { awsEndpoint: moto.endpoint, awsEnv });
  });
  after(async () => {
    await h?.close();
    await moto?.stop();
  });

  test('a vault sealed by one profile; another profile denied kms:Decrypt previews an item: access denied with a hint', async () => {
    const vaultDir = join(work, 'Shared Vault');
    await h.page.getByRole('tab', { name: 'AWS KMS' }).click();
    await h.page.locator('option', { hasText: 'writer — us-east-1' }).waitFor({ state: 'attached', ...WAIT });
    await h.page.getByLabel('AWS profile').selectOption('writer');
    await h.page.getByTestId('aws-identity').filter({ hasText: writer.arn }).waitFor(WAIT);
    const keyList = h.page.getByRole('group', { name: 'KMS keys to seal with' });
    await keyList.getByRole('checkbox', { name: /cachet-shared/ }).check();
    h.answerDialog(vaultDir);
    await h.page.getByRole('button', { name: 'Choose folder…' }).click();
    await h.page.getByTestId('create-folder').filter({ hasText: vaultDir }).waitFor(WAIT);
    await h.page.getByRole('button', { name: 'Create vault' }).click();
    await h.page.getByRole('heading', { name: 'Shared Vault' }).waitFor(WAIT);
    const file = join(work, 'shared-note.txt');
    await writeFile(file, 'only for the writer');
    h.answerDialog([file]);
    await h.page.getByRole('button', { name: 'Add files' }).click();
    assert.equal(await waitJobDone(h, 'add'), 'ok');
    await dismissJobs(h);
    await h.page.locator('[data-item="shared-note.txt"]').dblclick();
    await h.page.locator('.preview-text').filter({ hasText: 'only for the writer' }).waitFor(WAIT);
    await h.page.getByRole('button', { name: 'Close preview' }).click();

    // Switch to the profile whose user may not Decrypt; its identity is shown.
    await h.page.getByRole('button', { name: 'AWS profile' }).click();
    const dialog = h.page.getByRole('dialog', { name: 'AWS profile' });
    await dialog.getByLabel('AWS profile').selectOption('reader');
    await dialog.getByTestId('aws-identity').filter({ hasText: reader.arn }).waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Done' }).click();

    await h.page.locator('[data-item="shared-note.txt"]').dblclick();
    const notice = h.page.locator('.preview [role=alert]');
    await notice.waitFor(WAIT);
    assert.equal(await notice.getAttribute('data-code'), 'kms-access-denied');
    const text = (await notice.textContent()) ?? '';
    const expected = describeError({ code: 'kms-access-denied', detail: { keyId: keyArn, identity: reader.arn, operation: 'Decrypt' } });
    assert.ok(text.includes(expected.title), `title ${JSON.stringify(expected.title)} in ${JSON.stringify(text)}`);
    assert.ok(text.includes(expected.hint), `hint ${JSON.stringify(expected.hint)} in ${JSON.stringify(text)}`);
    assert.ok(text.includes(reader.arn), 'the hint names the refused identity');
    assert.doesNotMatch(text, /only for the writer/, 'no plaintext');
    assert.doesNotMatch(text, /at \w+ \(|Error:|SyntaxError/, 'no stack trace, no undecoded reply');
    await h.screenshot('14-access-denied');
    assert.deepEqual(h.errors, []);
  });
});
