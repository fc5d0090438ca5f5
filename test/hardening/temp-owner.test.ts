// Issue 16 #10: two machines with the same host name share a vault (a synced or network folder).
// Before, a temp was owned by its host name alone, so an opener on one machine took the other's
// live `.tmp-<host>-<pid>` item file for the leftover of a dead local process and deleted it, and
// the writer's add then failed with "not found". The owner now names the OS install and boot
// (app/fs/atomic.ts tempHost); a temp of any other owner is judged by its age only.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cleanupTemps, FOREIGN_TEMP_MAX_AGE_MS, parseTempName, tempHost, tempName } from '../../app/fs/atomic.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cachet-temp-owner-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid no process has: the largest Linux allows is 2^22, far below this. */
const DEAD_PID = 2147483646;
const sameHostName = hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'host';

describe('temp owner (issue 16 #10)', () => {
  it('is more than the host name: the host name plus an id of this OS install and boot', () => {
    const owner = parseTempName(tempName())!.host;
    assert.notEqual(owner, sameHostName, 'a host name alone cannot tell two machines apart');
    assert.match(owner, new RegExp(`^${sameHostName.replace(/[.]/g, '\\.')}\\.[0-9a-f]{12}$`));
  });

  it('is the same in another process of this system, so a killed local writer is still swept', () => {
    const url = pathToFileURL(resolve('app/fs/atomic.ts')).href;
    const other = execFileSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(url)}).then((m) => process.stdout.write(m.tempHost()))`], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, CACHET_HOME: join(dir, 'elsewhere') },
    });
    assert.equal(other, tempHost());
  });

  it('keeps a fresh temp of another machine with the same host name, whatever its pid', async () => {
    const d = await mkdtemp(join(dir, 'items-'));
    const otherMachine = `.tmp-${sameHostName}.${'0'.repeat(12)}-${DEAD_PID}-${'ab'.repeat(8)}`;
    const oldCachet = `.tmp-${sameHostName}-${DEAD_PID}-${'cd'.repeat(8)}`; // a writer of a Cachet before the fix
    const ours = `.tmp-${tempHost()}-${DEAD_PID}-${'ef'.repeat(8)}`;
    for (const n of [otherMachine, oldCachet, ours]) await writeFile(join(d, n), 'partial');
    const removed = await cleanupTemps(d);
    assert.deepEqual(removed, [ours], 'only the dead local writer is removed');
    assert.deepEqual((await readdir(d)).sort(), [oldCachet, otherMachine].sort());
  });

  it('removes another machine\'s temp once it is older than a day (its writer cannot still be writing it)', async () => {
    const d = await mkdtemp(join(dir, 'items-'));
    const n = `.tmp-${sameHostName}.${'1'.repeat(12)}-${DEAD_PID}-${'ab'.repeat(8)}`;
    await writeFile(join(d, n), 'partial');
    const old = new Date(Date.now() - FOREIGN_TEMP_MAX_AGE_MS - 60_000);
    await utimes(join(d, n), old, old);
    assert.deepEqual(await cleanupTemps(d), [n]);
  });
});
