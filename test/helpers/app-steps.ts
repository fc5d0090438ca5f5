// Steps the end-to-end UI tests share on an AppHarness (browser.ts): the items main holds, and
// waiting for or dismissing a job's summary in the job panel. No assertions about the UI itself.

import assert from 'node:assert/strict';
import type { AppHarness } from './browser.js';

export const STEP_WAIT = { timeout: 20_000 };

/** The vault's items as main lists them (not as the page shows them). */
export async function itemsOnDisk(h: AppHarness): Promise<{ id: string; path: string }[]> {
  const r = (await h.app.invoke('items:list', {})) as { ok: true; value: { items: { id: string; path: string }[] } };
  assert.equal(r.ok, true);
  return r.value.items;
}

/** Waits for the last finished job of `kind` in the job panel; returns its status. */
export async function waitJobDone(h: AppHarness, kind: string): Promise<string> {
  const done = h.page.locator(`.job-done[data-job-kind="${kind}"]`).last();
  await done.waitFor(STEP_WAIT);
  return (await done.getAttribute('data-status')) ?? '';
}

export async function dismissJobs(h: AppHarness): Promise<void> {
  const buttons = h.page.locator('.job-done').getByRole('button', { name: 'Dismiss' });
  for (let i = 0, n = await buttons.count(); i < n; i++) await buttons.first().click();
}
