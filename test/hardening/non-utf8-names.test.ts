// Issue 16 (seen once): a file whose name is not valid UTF-8 (Linux allows any bytes but '/' and
// NUL in a name; an archive or an old Latin-1 system leaves such names) was reported as "not
// found" by `cachet add` of its folder: the lossy string of its name names no file. Now it fails
// alone with a reason saying what is wrong and what to do, and its siblings are added.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli, makeSandbox, runCli, type RunResult, type Sandbox } from '../app/cli/harness.js';
import { scanSources } from '../../app/vault/scan.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;
const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env: sb.env, cwd: sb.dir });

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox();
  const docs = join(sb.dir, 'docs');
  await mkdir(docs);
  await writeFile(join(docs, 'ok.txt'), 'fine\n');
  // "caf\xe9.txt": Latin-1 e-acute, not UTF-8.
  await writeFile(Buffer.concat([Buffer.from(docs + '/caf'), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name\n');
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('a file name that is not UTF-8', () => {
  it('the scan fails that file alone, with its own reason', async () => {
    const r = await scanSources([join(sb.dir, 'docs')], { to: '' });
    assert.deepEqual(r.files.map((f) => f.path), ['docs/ok.txt']);
    assert.equal(r.failed.length, 1);
    assert.equal(r.failed[0]!.error.code, 'bad-request');
    assert.equal(r.failed[0]!.error.detail['reason'], 'name-not-utf8');
  });

  it('cachet add names the problem and the remedy, adds the rest, and exits 1', async () => {
    assert.equal((await run(['init', 'v', '--local'])).code, 0);
    const r = await run(['add', 'v', 'docs']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /not valid UTF-8/);
    assert.match(r.stderr, /rename the file/);
    assert.doesNotMatch(r.stderr, /not found|no such file/i);
    const ls = await run(['ls', 'v']);
    assert.match(ls.stdout.toString(), /docs\/ok\.txt/);
  });
});
