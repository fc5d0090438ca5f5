// The key-health banner end to end (issue 14): the real renderer in Chromium with the real main
// services and moto as KMS (test/helpers/browser.ts). A vault whose only KMS key is then scheduled
// for deletion (ScheduleKeyDeletion through the real KMS API; moto reports it in DescribeKey) shows
// the date and the count when opened; its one action opens the re-key dialog for the items at risk,
// and once they are re-keyed to a healthy key the banner says nothing depends on that key alone.
// The Status panel shows the same facts as `cachet status` before and after.
// Screenshots go to test-results/screenshots/ (20-key-health-banner, 20a-vault-status, 21-key-health-rekeyed).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { chromiumMissing, launchApp, startBrowsers, type AppHarness, type Browsers } from '../helpers/browser.js';
import { useAwsFiles, waitJobDone } from '../helpers/app-steps.js';
import { createTestKey, motoKmsClient, startMoto, type Moto } from '../helpers/moto.js';
import { startCloudTrailServer, type CloudTrailServer } from '../helpers/cloudtrail-server.js';

const skip = chromiumMissing();
const WAIT = { timeout: 20_000 };

describe('key health banner in Chromium (moto)', { skip, timeout: 180_000 }, () => {
  let b: Browsers;
  let work: string;
  let moto: Moto;
  let h: AppHarness;
  let ct: CloudTrailServer;

  const invoke = async (channel: string, req: unknown): Promise<any> => {
    const r = await h.app.invoke(channel, req);
    assert.ok(r.ok, `${channel}: ${JSON.stringify(r)}`);
    return r.value;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'cachet-e2e-health-'));
    [b, moto] = await Promise.all([startBrowsers(), startMoto()]);
    const aws = join(work, 'aws');
    await mkdir(aws, { recursive: true });
    await writeFile(join(aws, 'config'), '[profile e2e]\nregion = us-east-1\n');
    await writeFile(join(aws, 'credentials'), '[e2e]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    // moto has no CloudTrail LookupEvents: the loopback CloudTrail (test/helpers/cloudtrail-server.ts).
    ct = await startCloudTrailServer({ pageSize: 3 });
    const awsEnv = { ...useAwsFiles(aws), AWS_ENDPOINT_URL_CLOUDTRAIL: ct.endpoint };
    h = await launchApp(b, { awsEndpoint: moto.endpoint, awsEnv });
  });
  after(async () => {
    await h?.close();
    await ct?.stop();
    await moto?.stop();
    await b?.close();
    await rm(work, { recursive: true, force: true });
  });

  test('a key scheduled for deletion: the date and the count, re-key the items at risk, then nothing depends on it alone', async () => {
    const doomed = await createTestKey(moto.endpoint, 'alias/cachet-doomed');
    await createTestKey(moto.endpoint, 'alias/cachet-healthy');
    await invoke('aws:set-profile', { profile: 'e2e', region: 'us-east-1' });
    // The vault is made and filled through main's IPC (what the UI's create and add call), then closed.
    const vaultDir = join(work, 'Doomed Vault');
    h.answerDialog(vaultDir);
    await invoke('dialog:pick-folder', { purpose: 'create-vault' });
    await invoke('vault:create', { path: vaultDir, keys: [{ provider: 'aws-kms', keyId: doomed }] });
    const src = join(work, 'src');
    await mkdir(src);
    for (const n of ['a.txt', 'b.txt']) await writeFile(join(src, n), `${n}\n`);
    h.app.grantDrop(src);
    const add = await invoke('items:add', { sources: [join(src, 'a.txt'), join(src, 'b.txt')], to: '' });
    assert.equal((await h.app.services.jobs.wait(add.jobId))!.status, 'ok');
    await invoke('vault:close', {});
    const kms = motoKmsClient(moto.endpoint);
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.split('/').pop()!, PendingWindowInDays: 7 })).finally(() => kms.destroy());
    const day = scheduled.DeletionDate!.toISOString().slice(0, 10);
    // aws:keys lists usable keys only, so a key pending deletion has no alias label: its key id is shown.
    const name = doomed.slice(doomed.lastIndexOf('/') + 1);

    h.answerDialog(vaultDir);
    await h.page.getByRole('button', { name: 'Open a vault folder…' }).click();
    await h.page.getByRole('heading', { name: 'Doomed Vault' }).waitFor(WAIT);
    const banner = h.page.getByTestId('key-health-banner');
    await banner.getByText(`2 items will become unreadable on ${day}: the key ${name} is scheduled for deletion.`).waitFor(WAIT);
    await h.screenshot('20-key-health-banner');

    // The Status panel (issue 14): the same facts as `cachet status`, from the toolbar's Status link.
    await h.page.getByRole('button', { name: 'Status', exact: true }).click();
    const status = h.page.getByRole('dialog', { name: 'Vault status' });
    await status.getByRole('cell', { name: `Scheduled for deletion on ${day}` }).waitFor(WAIT);
    // Only an enabled key answers GetKeyRotationStatus: for this one rotation is not known.
    const keyRow = status.getByRole('row', { name: new RegExp(name) });
    assert.deepEqual(await keyRow.getByRole('cell').allInnerTexts(), [`Scheduled for deletion on ${day}`, '2', '2', 'Not known', 'No']);
    assert.deepEqual((await status.getByRole('list', { name: 'Items at risk' }).getByRole('listitem').allInnerTexts()).sort(), ['a.txt', 'b.txt']);
    await status.getByText('Up to date').waitFor(WAIT);
    await status.getByText(vaultDir, { exact: true }).waitFor(WAIT);
    await h.screenshot('20a-vault-status');

    // Who used the keys (CloudTrail), from the Status panel: this vault's calls with item paths.
    const vaultId = (await invoke('app:state', {})).vault.id as string;
    const itemA = (await invoke('items:list', {})).items.find((i: { path: string }) => i.path === 'a.txt').id as string;
    const ctxOf = (item: string, vault = vaultId) => ({ 'cachet:item': item, 'cachet:purpose': 'item', 'cachet:vault': vault });
    const hoursAgo = (n: number) => new Date(Date.now() - n * 3_600_000);
    ct.addKmsEvents([
      { operation: 'Decrypt', time: hoursAgo(1), identity: 'arn:aws:sts::123456789012:assumed-role/Auditor/bob', sourceIp: '198.51.100.4', context: ctxOf(itemA) },
      { operation: 'GenerateDataKey', time: hoursAgo(5), identity: 'arn:aws:iam::123456789012:user/alice', sourceIp: '192.0.2.9', context: ctxOf(itemA) },
      { operation: 'Decrypt', time: hoursAgo(2), identity: 'arn:aws:iam::123456789012:user/mallory', context: ctxOf(itemA, '0'.repeat(32)) },
    ]);
    await status.getByRole('button', { name: 'Access history…' }).click();
    const history = h.page.getByRole('dialog', { name: 'Access history' });
    await history.getByText('2 calls, newest first.').waitFor(WAIT);
    const calls = (await history.getByRole('row').allInnerTexts()).slice(1);
    assert.equal(calls.length, 2);
    assert.match(calls[0]!, /Decrypt\s+bob\s+198\.51\.100\.4\s+a\.txt/);
    assert.match(calls[1]!, /GenerateDataKey\s+alice\s+192\.0\.2\.9\s+a\.txt/);
    assert.doesNotMatch(calls.join('\n'), /mallory/, 'another vault\'s calls are not this vault\'s');
    await h.screenshot('20b-access-history');
    await history.getByLabel('KMS calls for this vault in the last').selectOption('1');
    await history.getByText('2 calls, newest first.').waitFor(WAIT);
    await h.page.keyboard.press('Escape');
    await history.waitFor({ state: 'detached', ...WAIT });
    await h.page.getByRole('button', { name: 'Status', exact: true }).click();
    // Its one action is the banner's: re-key the items at risk.
    await status.getByRole('button', { name: 'Re-key 2 items…' }).click();
    await h.page.getByRole('dialog', { name: 'Re-key 2 items at risk' }).getByRole('button', { name: 'Close' }).click();

    await banner.getByRole('button', { name: 'Re-key 2 items…' }).click();
    const dialog = h.page.getByRole('dialog', { name: 'Re-key 2 items at risk' });
    await dialog.waitFor(WAIT);
    await dialog.getByRole('checkbox', { name: /cachet-healthy/ }).check();
    await dialog.getByRole('checkbox', { name: new RegExp(`Keep .*${name}|Keep arn`) }).uncheck();
    await dialog.getByRole('button', { name: 'Review the change…' }).click();
    await dialog.getByRole('button', { name: 'Re-key 2 items' }).click();
    assert.equal(await waitJobDone(h, 'rekey'), 'ok');
    // The vault still names the doomed key (only items were re-keyed), but no item needs it now.
    await banner.getByText(`The key ${name} is scheduled for deletion on ${day}; no item depends on it alone.`).waitFor(WAIT);
    assert.equal(await banner.getByRole('button').count(), 0);
    await h.screenshot('21-key-health-rekeyed');
    // In the smallest window the meta line is cut short, but not the Status link.
    await h.page.setViewportSize({ width: 800, height: 600 });
    const link = await h.page.getByRole('button', { name: 'Status', exact: true }).boundingBox();
    const meta = await h.page.locator('.vault-meta').boundingBox();
    const actions = await h.page.getByRole('toolbar', { name: 'Vault actions' }).boundingBox();
    assert.ok(link && meta && actions && link.width > 20 && link.x + link.width <= Math.min(meta.x + meta.width, actions.x) + 0.5, `the link is inside its line: ${JSON.stringify({ link, meta, actions })}`);
    await h.page.getByRole('button', { name: 'Status', exact: true }).click();
    await status.getByText('None: every item opens with a healthy key.').waitFor(WAIT);
    const rows = await status.getByRole('row').allInnerTexts();
    assert.equal(rows.length, 3, `a header and the two keys: ${rows.join(' | ')}`);
    assert.ok(rows.some((r) => r.includes('cachet-healthy') && /Enabled\s+2\s+2\s+Off\s+No/.test(r)), rows.join(' | '));
    await h.page.keyboard.press('Escape');
    await status.waitFor({ state: 'detached', ...WAIT });
    assert.deepEqual(h.errors, []);
  });
});
