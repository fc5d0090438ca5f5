// build/linux/cachet-envelope.xml, the shared-mime-info type the deb installs, compiled with the
// real update-mime-database and asked of GLib (gio, what GNOME's file managers use): a sealed
// envelope is application/x-cachet-envelope whatever its name; dotenv files are not, even one
// whose first line starts with CACHET. Skips where shared-mime-info or gio are not installed.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const XML = join(import.meta.dirname, '..', '..', 'build', 'linux', 'cachet-envelope.xml');
const have = (tool: string) => spawnSync('/bin/sh', ['-c', `command -v ${tool}`]).status === 0;
const skip = have('update-mime-database') && have('gio') ? false : 'update-mime-database or gio is not installed';

test('the mime type matches envelopes by content and never a dotenv file', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cachet-mime-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'mime', 'packages'), { recursive: true });
  await copyFile(XML, join(dir, 'mime', 'packages', 'cachet-envelope.xml'));
  execFileSync('update-mime-database', [join(dir, 'mime')], { stdio: 'ignore', timeout: 30_000 });
  const files = join(dir, 'files');
  await mkdir(files);
  const sealed = Buffer.concat([Buffer.from('CACHET'), Buffer.of(1, 16), Buffer.alloc(32, 0xfe)]);
  const cases: [string, Buffer | string, boolean][] = [
    ['secret.env', sealed, true],
    ['no-extension', sealed, true],
    ['.env', 'API_KEY=abc\n', false],
    ['token.env', 'CACHET_TOKEN=abc\n', false],
    ['CACHET', 'CACHET\n', false],
  ];
  for (const [name, body, ours] of cases) {
    await writeFile(join(files, name), body);
    const out = execFileSync('gio', ['info', '-a', 'standard::content-type', join(files, name)], {
      env: { ...process.env, XDG_DATA_HOME: dir, XDG_DATA_DIRS: '/usr/share' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const type = /content-type: (\S+)/.exec(out)?.[1];
    assert.equal(type === 'application/x-cachet-envelope', ours, `${name}: ${type}`);
  }
});
