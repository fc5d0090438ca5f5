// The item list with 100,000 items in real Chromium (renderer bundle, fake main answers): only a
// bounded number of rows is in the DOM, scrolling shows later items, keyboard moves the
// selection, search and sort work at that size within a bounded time.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumMissing, startBrowsers, openRendererPage, SCREENSHOT_DIR, type Browsers } from '../helpers/browser.js';
import { fakeInvoke, manyItems } from './fake-main.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const N = 100_000;
const MAX_ROWS_IN_DOM = 80;
const skip = chromiumMissing();

let b: Browsers;
before(async () => {
  if (!skip) b = await startBrowsers();
});
after(async () => {
  await b?.close();
});

test('100,000 items: bounded DOM, scrolling, search, sort', { skip, timeout: 120_000 }, async () => {
  const items = manyItems(N);
  const { page, errors, close } = await openRendererPage(b, fakeInvoke(items));
  try {
    // The root has 100 folders; the flat search view shows the items themselves.
    // First load only (100,000 items cross the fake bridge): generous under a loaded CI machine;
    // the timed search below is what measures the list.
    await page.getByRole('row').filter({ hasText: 'folder-000' }).first().waitFor({ timeout: 60_000 });
    const folderRows = await page.locator('.vlist .row').count();
    assert.ok(folderRows > 0 && folderRows <= MAX_ROWS_IN_DOM, `folder rows in DOM: ${folderRows}`);
    assert.equal(await page.getByRole('grid').getAttribute('aria-rowcount'), String(100 + 1));

    // Every item: search for a word all paths share.
    const started = Date.now();
    await page.getByRole('searchbox', { name: 'Search items' }).fill('file');
    await page.getByText(`${N.toLocaleString('en-US')} matches`).waitFor({ timeout: 20_000 });
    const searchMs = Date.now() - started;
    assert.equal(await page.getByRole('grid').getAttribute('aria-rowcount'), String(N + 1));
    const inDom = await page.locator('.vlist .row').count();
    assert.ok(inDom > 5 && inDom <= MAX_ROWS_IN_DOM, `rows in DOM with ${N} matches: ${inDom}`);
    assert.ok(searchMs < 10_000, `search took ${searchMs} ms`);
    // Sorted by name ascending: file-000000 first.
    assert.match((await page.locator('.vlist .row').first().textContent()) ?? '', /file-000000\.txt/);

    // Scroll near the end: later items appear, early ones leave the DOM, the count stays bounded.
    await page.locator('.vlist').evaluate((el) => {
      el.scrollTop = el.scrollHeight - el.clientHeight - 10;
    });
    await page.locator('[data-item="folder-099/file-099999.txt"]').waitFor();
    assert.equal(await page.locator('[data-item="folder-000/file-000000.txt"]').count(), 0);
    assert.ok((await page.locator('.vlist .row').count()) <= MAX_ROWS_IN_DOM);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'list-100k-scrolled.png') });

    // Sort by size descending (click twice) with 100,000 rows: the first row has the largest size.
    await page.getByRole('button', { name: /^Size/ }).click();
    await page.getByRole('button', { name: /^Size/ }).click();
    await page.waitForFunction(() => document.querySelector('[role=columnheader][aria-sort=descending]')?.textContent?.includes('Size'));
    const maxSize = Math.max(...items.map((i) => i.size ?? 0));
    await page.locator('.vlist').evaluate((el) => {
      el.scrollTop = 0;
    });
    const expected = items.filter((i) => i.size === maxSize).map((i) => i.path).sort()[0]!;
    await page.locator(`[data-item="${expected}"]`).waitFor();
    assert.equal(await page.locator('.vlist .row').first().getAttribute('data-item'), expected);

    // Keyboard: End selects the last row and scrolls it into view; Home goes back.
    await page.locator('.item-table').focus();
    await page.keyboard.press('End');
    await page.locator('.row-active').waitFor();
    const activeIndex = await page.locator('.row-active').getAttribute('aria-rowindex');
    assert.equal(activeIndex, String(N + 1));
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('.row-active')?.getAttribute('aria-rowindex') === '2');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
