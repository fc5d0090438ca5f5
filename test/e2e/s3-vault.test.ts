// S3 vaults in the app end to end (issue 13): the real renderer in Chromium, the real main services
// and moto as S3 (the real SDK). A person creates a vault in S3 from the welcome screen (bucket from
// the list, a new prefix named), drops a file into it, closes it, finds it again with "Open an S3
// vault…" by walking the bucket's prefixes (the vault marked), opens it, and finds it among recent
// vaults marked S3. The dialog is driven with the keyboard where a person would (Enter on a prefix,
// Escape to leave), and every screen passes axe.
// Screenshots go to test-results/screenshots/ (30-s3-create, 31-s3-open).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { chromiumMissing, launchApp, startBrowsers, type AppHarness, type Browsers } from '../helpers/browser.js';
import { waitJobDone } from '../helpers/app-steps.js';
import { createTestBucket, motoS3Client, startMoto, type Moto } from '../helpers/moto.js';

const skip = chromiumMissing();
const WAIT = { timeout: 20_000 };
const PASSPHRASE = 'correct horse battery staple';

describe('S3 vaults in Chromium (moto)', { skip, timeout: 180_000 }, () => {
  let b: Browsers;
  let work: string;
  let moto: Moto;
  let h: AppHarness;
  let bucket: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'cachet-e2e-s3-'));
    [b, moto] = await Promise.all([startBrowsers(), startMoto()]);
    bucket = await createTestBucket(moto);
    h = await launchApp(b, { awsEndpoint: moto.endpoint, awsEnv: moto.env });
  });
  after(async () => {
    await h?.close();
    await moto?.stop();
    await b?.close();
    await rm(work, { recursive: true, force: true });
  });

  test('create a vault in S3 under a new prefix, add a file, re-open it by browsing and from recent vaults', async () => {
    const p = h.page;
    await p.getByRole('heading', { name: 'Create a new vault' }).waitFor(WAIT);
    await p.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await p.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await p.getByRole('button', { name: 'Create local key' }).click();
    await p.getByText('The local key is unlocked and ready.').waitFor(WAIT);

    await p.getByRole('button', { name: 'In Amazon S3…' }).click();
    const dialog = p.getByRole('dialog', { name: 'Create a vault in S3' });
    await dialog.getByLabel('Bucket').selectOption(bucket);
    await dialog.getByText('Nothing is here yet.').waitFor(WAIT);
    await dialog.getByLabel('New prefix for the vault (optional)').fill('team/finance');
    await dialog.getByRole('button', { name: `Create it at s3://${bucket}/team/finance` }).waitFor(WAIT);
    await h.screenshot('30-s3-create');
    await dialog.getByRole('button', { name: `Create it at s3://${bucket}/team/finance` }).click();
    await p.getByTestId('create-folder').filter({ hasText: `s3://${bucket}/team/finance` }).waitFor(WAIT);
    await p.getByRole('button', { name: 'Create vault' }).click();
    await p.getByRole('heading', { name: 'finance' }).waitFor(WAIT);

    const src = join(work, 'src');
    await mkdir(src);
    await writeFile(join(src, 'q3.txt'), 'quarterly numbers\n');
    await h.drop('.vault-view', [join(src, 'q3.txt')]);
    assert.equal(await waitJobDone(h, 'add'), 'ok');
    await p.locator('[data-item="q3.txt"]').waitFor(WAIT);
    // In the bucket: vault.json, index.env and one item; no object key holds the file's name.
    const s3 = motoS3Client(moto);
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!).sort();
    s3.destroy();
    assert.ok(keys.includes('team/finance/vault.json') && keys.includes('team/finance/index.env'), keys.join(', '));
    assert.equal(keys.filter((k) => k.startsWith('team/finance/items/')).length, 1);
    for (const k of keys) assert.doesNotMatch(k, /q3/);

    assert.ok((await h.app.invoke('vault:close', {})).ok);
    await p.getByRole('button', { name: 'Open an S3 vault…' }).click();
    const open = p.getByRole('dialog', { name: 'Open an S3 vault' });
    await open.getByLabel('Bucket').selectOption(bucket);
    // Enter on a prefix goes into it; the vault is marked before it is entered.
    await open.getByRole('button', { name: 'team/' }).focus();
    await p.keyboard.press('Enter');
    const finance = open.getByRole('button', { name: 'finance/ Vault' });
    await finance.waitFor(WAIT);
    assert.equal(await open.getByRole('button', { name: 'Open this vault' }).isDisabled(), true, 'no vault at team/ itself');
    await h.screenshot('31-s3-open');
    await finance.click();
    await open.getByText('A vault is here.').waitFor(WAIT);
    await open.getByRole('button', { name: 'Open this vault' }).click();
    await p.getByRole('heading', { name: 'finance' }).waitFor(WAIT);
    await p.locator('[data-item="q3.txt"]').waitFor(WAIT);

    assert.ok((await h.app.invoke('vault:close', {})).ok);
    const recent = p.getByRole('list', { name: 'Recent vaults' });
    await recent.getByText(`s3://${bucket}/team/finance`).waitFor(WAIT);
    await recent.getByText('S3', { exact: true }).waitFor(WAIT);
    // Escape leaves the dialog without opening anything.
    await p.getByRole('button', { name: 'Open an S3 vault…' }).click();
    await p.getByRole('dialog', { name: 'Open an S3 vault' }).waitFor(WAIT);
    await p.keyboard.press('Escape');
    await p.getByRole('dialog', { name: 'Open an S3 vault' }).waitFor({ state: 'detached', ...WAIT });
    await recent.getByRole('button', { name: /finance/ }).first().click();
    await p.getByRole('heading', { name: 'finance' }).waitFor(WAIT);
    assert.deepEqual(h.errors, []);
  });
});
