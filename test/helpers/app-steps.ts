// Steps the end-to-end UI tests share on an AppHarness (browser.ts): the items main holds, and
// waiting for or dismissing a job's summary in the job panel. No assertions about the UI itself.

import assert from 'node:assert/strict';
import { join } from 'node:path';
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

/**
 * Points this test process (the SDK reads its profile files from the environment; each e2e file
 * runs in its own process) and the app at the shared files in `awsDir`, with no ambient AWS
 * identity: the credentials come from the profile chosen. Returns the environment for launchApp.
 */
export function useAwsFiles(awsDir: string): Record<string, string> {
  const awsEnv = { AWS_CONFIG_FILE: join(awsDir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true' };
  for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete process.env[k];
  Object.assign(process.env, awsEnv);
  return awsEnv;
}
