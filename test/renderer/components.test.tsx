// Props-only components rendered to markup in node (react-dom/server): what they show for the
// data they are given. Interaction is covered in Chromium (item-list.test.ts, e2e/app.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ErrorNotice } from '../../renderer/components/ErrorNotice.js';
import { JobPanel } from '../../renderer/components/JobPanel.js';
import { PreviewPane } from '../../renderer/components/PreviewPane.js';
import { WelcomeScreen } from '../../renderer/components/WelcomeScreen.js';
import { ConflictDialog } from '../../renderer/components/ConflictDialog.js';
import { KeyHealthBanner } from '../../renderer/components/KeyHealthBanner.js';
import { EnvelopeDialog } from '../../renderer/components/EnvelopeDialog.js';
import { LISTED_PATHS, VaultStatusDialog } from '../../renderer/components/VaultStatusDialog.js';
import { describeError } from '../../renderer/errors/messages.js';
import type { JobView } from '../../renderer/features/jobs/job-state.js';
import { CSP, ROOT } from '../helpers/browser.js';

// tsx compiles files under renderer/ (outside the root tsconfig's `include`) with the classic
// JSX transform, which needs a global React; esbuild's bundle for the app uses the automatic one.
(globalThis as unknown as { React?: typeof React }).React = React;

const noop = () => {};
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');

test('ErrorNotice shows the title and hint of the code, never the raw message', () => {
  const html = renderToStaticMarkup(<ErrorNotice error={{ code: 'sso-expired', detail: { profile: 'dev' }, message: 'TokenExpired at fromSso (/x.js:1)' } as never} />);
  const m = describeError({ code: 'sso-expired', detail: { profile: 'dev' } });
  assert.match(text(html), new RegExp(m.title));
  assert.match(text(html), /Run aws sso login --profile dev/);
  assert.doesNotMatch(html, /TokenExpired|\.js:1/);
  assert.match(html, /role="alert"/);
  assert.match(html, /data-code="sso-expired"/);
});

test('JobPanel: a running job has a bar, counts and Cancel; a finished one lists what failed and why', () => {
  const jobs: JobView[] = [
    { jobId: 'job-1', kind: 'add', label: 'Adding docs', cancelling: false, done: null, progress: { jobId: 'job-1', kind: 'add', bytesDone: 500, bytesTotal: 1000, filesDone: 1, filesTotal: 3, current: 'docs/a.txt' } },
    {
      jobId: 'job-2',
      kind: 'add',
      label: 'Adding x',
      cancelling: false,
      progress: null,
      done: {
        jobId: 'job-2',
        kind: 'add',
        status: 'partial',
        succeeded: 2,
        failed: 1,
        results: [
          { ref: 'ok.txt', ok: true },
          { ref: 'locked.txt', ok: false, error: { code: 'permission-denied', message: 'EACCES: /home/u/locked.txt', detail: {} } },
        ],
      },
    },
  ];
  const html = renderToStaticMarkup(<JobPanel jobs={jobs} onCancel={noop} onDismiss={noop} />);
  const t = text(html);
  assert.match(html, /<progress[^>]*max="1000"[^>]*value="500"|<progress[^>]*value="500"[^>]*max="1000"/);
  assert.match(t, /1 of 3 files · 500 B of 1\.0 KB/);
  assert.match(t, /docs\/a\.txt/);
  assert.match(t, /Cancel/);
  assert.match(t, /Added 2 files\. 1 failed\./);
  assert.match(t, /locked\.txt Permission denied/);
  assert.doesNotMatch(t, /ok\.txt/, 'only failures are listed');
  assert.doesNotMatch(html, /EACCES/);
});

test('JobPanel: per-file progress shows a second bar beside the overall one, only when main sends it', () => {
  const running = (extra: Partial<JobView['progress'] & object>): JobView[] => [
    { jobId: 'job-1', kind: 'export', label: 'Exporting', cancelling: false, done: null, progress: { jobId: 'job-1', kind: 'export', bytesDone: 300, bytesTotal: 1200, filesDone: 1, filesTotal: 3, current: 'docs/b.pdf', ...extra } },
  ];
  const bars = (html: string) => [...html.matchAll(/<progress[^>]*>/g)].map((m) => m[0]);
  const withFile = renderToStaticMarkup(<JobPanel jobs={running({ fileBytes: 100, fileTotal: 400 })} onCancel={noop} onDismiss={noop} />);
  const b = bars(withFile);
  assert.equal(b.length, 2);
  assert.match(b[0]!, /aria-label="Exporting progress"/);
  assert.match(b[0]!, /value="250"/);
  assert.match(b[1]!, /aria-label="Current file progress"/);
  assert.match(b[1]!, /value="250"/);
  assert.match(text(withFile), /docs\/b\.pdf · 100 B of 400 B/);
  const half = bars(renderToStaticMarkup(<JobPanel jobs={running({ fileBytes: 200, fileTotal: 400 })} onCancel={noop} onDismiss={noop} />));
  assert.match(half[1]!, /value="500"/, 'the file bar follows fileBytes');
  const unknown = bars(renderToStaticMarkup(<JobPanel jobs={running({ fileBytes: 100, fileTotal: null })} onCancel={noop} onDismiss={noop} />));
  assert.equal(unknown.length, 2);
  assert.doesNotMatch(unknown[1]!, /value=/, 'unknown size: an indeterminate file bar');
  assert.equal(bars(renderToStaticMarkup(<JobPanel jobs={running({})} onCancel={noop} onDismiss={noop} />)).length, 1, 'no per-file fields, no file bar');
});

test('PreviewPane: text in a <pre>, image and PDF through the blob: URL, other types offer opening', () => {
  const base = { name: 'a', path: 'a', size: 3, onClose: noop, onOpenExternal: noop, onExport: noop };
  assert.match(renderToStaticMarkup(<PreviewPane {...base} content={{ status: 'text', text: '<b>hi</b>', truncated: false }} />), /<pre[^>]*>&lt;b&gt;hi&lt;\/b&gt;<\/pre>/);
  assert.match(renderToStaticMarkup(<PreviewPane {...base} content={{ status: 'image', url: 'blob:x/1', truncated: false }} />), /<img[^>]*src="blob:x\/1"/);
  assert.match(renderToStaticMarkup(<PreviewPane {...base} content={{ status: 'pdf', url: 'blob:x/2', truncated: true }} />), /<iframe[^>]*src="blob:x\/2"[\s\S]*Only the beginning is shown/);
  assert.match(text(renderToStaticMarkup(<PreviewPane {...base} content={{ status: 'binary', mediaType: 'application/zip' }} />)), /No preview .*application\/zip/);
});

test('WelcomeScreen lists recent vaults and offers to unlock the locked one', () => {
  const html = renderToStaticMarkup(
    <WelcomeScreen
      recent={[{ path: '/v/Work', name: 'Work', openedAt: 1 }, { path: 's3://team-vaults/finance', name: 'finance', openedAt: 2 }]}
      lockedVault={{ path: '/v/Home', name: 'Home' }}
      busy={false}
      error={null}
      onDismissError={noop}
      onOpen={noop}
      onOpenPath={noop}
      onOpenS3={noop}
      onForget={noop}
      createForm={<p>FORM</p>}
      awsProfile="dev"
      onAwsProfile={noop}
    />,
  );
  const t = text(html);
  assert.match(t, /Home is locked/);
  assert.match(t, /Unlock Home/);
  assert.match(t, /Work \/v\/Work/);
  // An S3 vault is marked as one, with its bucket and prefix; a folder vault is not.
  assert.match(t, /finance S3 s3:\/\/team-vaults\/finance/);
  assert.doesNotMatch(t, /Work S3/);
  assert.match(t, /Open an S3 vault…/);
  assert.match(html, /aria-label="Forget Work"/);
  assert.match(t, /FORM/);
  assert.match(t, /AWS profile dev \. Change…/);
});

test('ConflictDialog offers apply-to-all only when more conflicts follow', () => {
  assert.match(text(renderToStaticMarkup(<ConflictDialog path="a.txt" remaining={2} onDecide={noop} onCancel={noop} />)), /Apply to all 3 conflicts/);
  assert.doesNotMatch(text(renderToStaticMarkup(<ConflictDialog path="a.txt" remaining={0} onDecide={noop} onCancel={noop} />)), /Apply to all/);
});

test('KeyHealthBanner (issue 14): the date and the count per key needing attention, one re-key action; nothing when all is well', () => {
  const key = (state: string, alone: number, deletionDate: string | null = null) => ({
    provider: 'aws-kms' as const, keyId: `arn:aws:kms:us-east-1:111122223333:key/${state}`, state: state as never, healthy: false, deletionDate,
    rotation: null, multiRegion: false, items: alone, alone, error: null,
  });
  const html = renderToStaticMarkup(
    <KeyHealthBanner keys={[key('pending-deletion', 37, '2027-01-04T00:00:00.000Z'), key('disabled', 0), { ...key('enabled', 5), healthy: true }]} atRisk={37} keyName={(id) => id.split('/')[1]!} onRekey={noop} />,
  );
  assert.match(text(html), /37 items will become unreadable on 2027-01-04: the key pending-deletion is scheduled for deletion\./);
  assert.match(text(html), /The key disabled is disabled; no item depends on it alone\./);
  assert.doesNotMatch(text(html), /enabled is/);
  assert.match(text(html), /Re-key 37 items…/);
  assert.match(html, /role="alert"/);
  assert.equal(renderToStaticMarkup(<KeyHealthBanner keys={[{ ...key('enabled', 5), healthy: true }]} atRisk={0} keyName={(id) => id} onRekey={noop} />), '');
});

test('VaultStatusDialog (issue 14): each key in words with its counts, the items at risk (the first few, then how many more), the index, the local key file', () => {
  const arn = (n: string) => `arn:aws:kms:us-east-1:111122223333:key/${n}`;
  const atRisk = Array.from({ length: LISTED_PATHS + 3 }, (_, i) => ({ id: `${i}`.padStart(26, '0'), path: `docs/f${i}.txt` }));
  const status = {
    vault: 'v-1', location: '/home/ana/Vault', items: 40, unreadable: 2, indexFresh: false,
    keys: [
      { provider: 'aws-kms' as const, keyId: arn('doomed'), state: 'pending-deletion' as const, healthy: false, deletionDate: '2027-01-04T00:00:00.000Z', rotation: true, multiRegion: false, items: 23, alone: 23, error: null },
      { provider: 'aws-kms' as const, keyId: arn('denied'), state: 'cannot-describe' as const, healthy: null, deletionDate: null, rotation: null, multiRegion: null, items: 17, alone: 17, error: 'kms-access-denied' as const },
      { provider: 'local' as const, keyId: 'local-1', state: 'local' as const, healthy: true, deletionDate: null, rotation: null, multiRegion: null, items: 0, alone: 0, error: null },
    ],
    atRisk, uncertain: [{ id: 'u'.repeat(26), path: 'maybe.txt' }],
    localKeyFile: { path: '/home/ana/.config/Cachet/local-key.json', present: true },
  };
  const html = renderToStaticMarkup(<VaultStatusDialog status={status} checking={false} error={null} keyName={(id) => id.split('/')[1]!} onRefresh={noop} onRekey={noop} onClose={noop} />);
  const t = text(html);
  assert.match(t, /Location \/home\/ana\/Vault/);
  assert.match(t, /40 items, 2 item files that cannot be read/);
  assert.match(t, /Out of date: another writer changed the vault/);
  assert.match(t, /doomed Scheduled for deletion on 2027-01-04 23 23 On No/);
  assert.match(t, new RegExp(`denied Could not be checked \\(${describeError({ code: 'kms-access-denied' }).title}\\) 17 17 Not known Not known`));
  assert.match(t, /Local key Local key on this machine 0 0 – –/);
  assert.match(t, new RegExp(`${LISTED_PATHS + 3} items no healthy key opens`));
  assert.match(t, /docs\/f0\.txt/);
  assert.match(t, new RegExp(`docs/f${LISTED_PATHS - 1}\\.txt`));
  assert.doesNotMatch(t, new RegExp(`docs/f${LISTED_PATHS}\\.txt`));
  assert.match(t, /and 3 more items/);
  assert.match(t, /Re-key 23 items…/);
  assert.match(t, /1 item may be at risk: a key's state could not be read\. maybe\.txt/);
  assert.match(t, /local-key\.json Keep a backup of this file and its passphrase/);

  const calm = renderToStaticMarkup(<VaultStatusDialog status={{ ...status, unreadable: 0, indexFresh: true, atRisk: [], uncertain: [], keys: [status.keys[2]!], localKeyFile: { ...status.localKeyFile, present: false } }} checking={false} error={null} keyName={(id) => id} onRefresh={noop} onRekey={noop} onClose={noop} />);
  assert.match(text(calm), /40 items Index Up to date/);
  assert.match(text(calm), /None: every item opens with a healthy key\./);
  assert.match(text(calm), /There is no local key on this machine\./);
  assert.doesNotMatch(text(calm), /Re-key|may be at risk/);
});

test('EnvelopeDialog (issue 15): the header without a key and why it does not open, no actions; with a key, add only when a vault is open', () => {
  const arn = 'arn:aws:kms:us-east-1:111122223333:key/abcd';
  const info = {
    path: '/home/ana/Downloads/payroll.csv.env', fileSize: 2048, modifiedAt: Date.UTC(2026, 5, 1), vault: null, suggestedName: 'payroll.csv',
    keys: [{ provider: 'aws-kms' as const, keyId: arn }], content: null,
    error: { code: 'kms-access-denied' as const, message: 'denied', detail: {} },
  };
  const props = { path: info.path, busy: false, error: null, done: null, keyName: () => 'team-key', onDecrypt: noop, onAdd: noop, onClose: noop };
  const locked = text(renderToStaticMarkup(<EnvelopeDialog {...props} info={info} addFolder="docs" />));
  assert.match(locked, /Sealed file payroll\.csv\.env/);
  assert.match(locked, /Sealed with team-key/);
  assert.match(locked, /None of the keys at hand opens it/);
  assert.match(locked, new RegExp(describeError({ code: 'kms-access-denied' }).title));
  assert.doesNotMatch(locked, /Decrypt to|Add to vault/);

  const content = { path: 'payroll.csv', size: 1000, mtime: null };
  const open = text(renderToStaticMarkup(<EnvelopeDialog {...props} info={{ ...info, content, error: null }} addFolder="docs" />));
  assert.match(open, /Name payroll\.csv/);
  assert.match(open, /Decrypt to…/);
  assert.match(open, /Add to vault/);
  assert.match(renderToStaticMarkup(<EnvelopeDialog {...props} info={{ ...info, content, error: null }} addFolder="docs" />), /value="docs\/payroll\.csv"/);
  const noVault = text(renderToStaticMarkup(<EnvelopeDialog {...props} info={{ ...info, content, error: null }} addFolder={null} />));
  assert.doesNotMatch(noVault, /Add to vault/);
  assert.match(noVault, /Open a vault to add this file into it\./);
});

test('index.html: the strict CSP, no inline script or style', async () => {
  const html = await readFile(join(ROOT, 'renderer/index.html'), 'utf8');
  const meta = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/);
  assert.equal(meta?.[1], CSP);
  assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /<style|\sstyle=/, 'no inline style');
});
