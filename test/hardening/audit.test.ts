// The Electron security audit (scripts/audit.mjs) runs clean on the app, and it is not a
// rubber stamp: on a copy of main/, renderer/index.html and electron-builder.yml with settings
// weakened one by one it reports each as HIGH and exits 1.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');

interface Finding { severity: string; id: string; file: string; message: string }
function audit(root: string): { code: number | null; findings: Finding[]; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/audit.mjs'), '--root', root, '--json'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  let findings: Finding[] = [];
  try {
    findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
  } catch {
    // leave empty: the assertions below report stderr
  }
  return { code: r.status, findings, stderr: r.stderr };
}

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cachet-audit-'));
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('electron security audit', () => {
  it('the app has no high-severity finding', () => {
    const r = audit(REPO);
    assert.equal(r.code, 0, `audit failed: ${JSON.stringify(r.findings.filter((f) => f.severity === 'HIGH'), null, 2)} ${r.stderr}`);
    assert.deepEqual(r.findings.filter((f) => f.severity === 'HIGH'), []);
  });

  const weakenings: [string, string, string, string, string][] = [
    // [what, file, from, to, expected finding id]
    ['sandbox off', 'main/window-policy.ts', 'sandbox: true', 'sandbox: false', 'pref-sandbox'],
    ['context isolation off', 'main/window-policy.ts', 'contextIsolation: true', 'contextIsolation: false', 'pref-contextIsolation'],
    ['node integration on', 'main/window-policy.ts', 'nodeIntegration: false', 'nodeIntegration: true', 'pref-nodeIntegration'],
    ['insecure content', 'main/window-policy.ts', 'allowRunningInsecureContent: false', 'allowRunningInsecureContent: true', 'pref-allowRunningInsecureContent'],
    ['navigation allowed', 'main/window-policy.ts', 'export function allowNavigation(_url: string): boolean {\n  return false;', 'export function allowNavigation(_url: string): boolean {\n  return true;', 'navigation'],
    ['unsafe-inline scripts', 'renderer/index.html', "script-src 'self'", "script-src 'self' 'unsafe-inline'", 'csp-script-src'],
    ['no window-open handler', 'main/window.ts', 'contents.setWindowOpenHandler(({ url }) => windowOpenDecision(url));', '', 'missing'],
    ['runAsNode fuse on', 'electron-builder.yml', 'runAsNode: false', 'runAsNode: true', 'fuses'],
    ['a window overriding the policy', 'main/window.ts', '...WEB_PREFERENCES, preload', '...WEB_PREFERENCES, webSecurity: false, preload', 'dangerous'],
  ];

  it('reports each weakened setting as HIGH and exits 1', async () => {
    for (const [what, file, from, to, id] of weakenings) {
      const root = join(work, id + '-' + what.replace(/\W+/g, '-'));
      await mkdir(join(root, 'renderer'), { recursive: true });
      await cp(join(REPO, 'main'), join(root, 'main'), { recursive: true });
      await cp(join(REPO, 'renderer/index.html'), join(root, 'renderer/index.html'));
      await cp(join(REPO, 'electron-builder.yml'), join(root, 'electron-builder.yml'));
      const text = await readFile(join(root, file), 'utf8');
      assert.ok(text.includes(from), `${what}: the app no longer has "${from}" in ${file}; update this test`);
      await writeFile(join(root, file), text.replace(from, to));
      const r = audit(root);
      assert.equal(r.code, 1, `${what}: the audit passed (${r.stderr})`);
      assert.ok(r.findings.some((f) => f.severity === 'HIGH' && f.id === id), `${what}: no HIGH ${id} finding in ${JSON.stringify(r.findings)}`);
    }
  });
});
