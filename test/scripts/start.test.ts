// scripts/start.mjs (`npm start`) where the desktop app cannot start: no Electron binary, or a
// Node.js older than package.json "engines". One paragraph that says what, why and how to fix,
// no stack trace, exit 1, and nothing built (the check comes before the build).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const START = join(import.meta.dirname, '..', '..', 'scripts', 'start.mjs');

function assertOneParagraph(stderr: string): void {
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
  assert.doesNotMatch(stderr, /\n\s+at |Error:/, 'no stack trace');
}

test('no Electron binary: what is missing, why, proxy / ELECTRON_MIRROR / re-install, and that the CLI works', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cachet-start-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // An electron package as npm leaves it when the binary download is blocked: no path.txt, no dist/.
  await mkdir(join(dir, 'electron'));
  await writeFile(join(dir, 'electron', 'package.json'), '{ "name": "electron", "version": "45.5.0" }');
  const env: NodeJS.ProcessEnv = { ...process.env, CACHET_ELECTRON_PACKAGE: join(dir, 'electron') };
  delete env['ELECTRON_OVERRIDE_DIST_PATH'];
  const r = spawnSync(process.execPath, [START], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '', 'nothing built or launched');
  assertOneParagraph(r.stderr);
  assert.match(r.stderr, /^The Electron binary is missing \(looked in .*electron\/dist\)/);
  assert.match(r.stderr, /download was blocked or skipped/);
  assert.match(r.stderr, /GLOBAL_AGENT_HTTPS_PROXY/);
  assert.match(r.stderr, /ELECTRON_MIRROR=/);
  assert.match(r.stderr, /node node_modules\/electron\/install\.js/);
  assert.match(r.stderr, /the command line works without Electron/);

  // A path.txt naming a binary that is not there (a half-finished download) is the same case.
  await writeFile(join(dir, 'electron', 'path.txt'), 'electron');
  const half = spawnSync(process.execPath, [START], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(half.status, 1);
  assert.match(half.stderr, /^The Electron binary is missing/);
});

// The Node.js that runs the check has to be a real old one: the script must parse and run there.
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
  if (!existsSync(p)) return false;
  const v = spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000 });
  return v.status === 0 && Number(v.stdout.split('.')[0]) < 24;
});

test('a Node.js older than "engines": which version is needed, which one ran, how to get it', { skip: OLD_NODE ? false : 'no Node.js older than 24 on this machine' }, () => {
  const r = spawnSync(OLD_NODE!, [START], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assertOneParagraph(r.stderr);
  assert.match(r.stderr, /^Cachet needs Node\.js 24 or newer to build and start, and this is Node\.js \d+\./);
  assert.match(r.stderr, /nvm install 24/);
});
