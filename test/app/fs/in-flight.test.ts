// The record of plaintext outputs in progress (app/fs/in-flight.ts, issue 16 #8): a record lives
// exactly as long as its write; a sweep removes the temp of a dead writer of this system and
// nothing else: not a live writer's, not another system's, not a file a record was edited to name.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FOREIGN_TEMP_MAX_AGE_MS, tempHost, writeAtomic } from '../../../app/fs/atomic.js';
import { IN_FLIGHT_DIR, sweepHome, sweepInFlight, withInFlightRecord } from '../../../app/fs/in-flight.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cachet-in-flight-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const DEAD_PID = 2147483646;
const fresh = async (): Promise<{ home: string; out: string }> => {
  const d = await mkdtemp(join(root, 'case-'));
  const home = join(d, 'home');
  const out = join(d, 'out');
  await mkdir(out);
  return { home, out };
};
/** A record as a killed writer `pid` of `owner` would have left it. */
async function leftRecord(home: string, owner: string, pid: number, temp: string): Promise<string> {
  await mkdir(join(home, IN_FLIGHT_DIR), { recursive: true });
  const file = join(home, IN_FLIGHT_DIR, `${owner}-${pid}-${'ab'.repeat(8)}.json`);
  await writeFile(file, JSON.stringify({ temp }));
  return file;
}

describe('in-flight records', () => {
  it('exist while the output is written and are gone after, success or failure', async () => {
    const { home, out } = await fresh();
    const around = <R>(temp: string, run: () => Promise<R>): Promise<R> => withInFlightRecord(temp, run, home);
    let seen: string[] = [];
    await writeAtomic(join(out, 'a'), async (fh) => {
      seen = await readdir(join(home, IN_FLIGHT_DIR));
      await fh.writeFile('x');
    }, { around, mode: 0o600 });
    assert.equal(seen.length, 1, 'recorded during the write');
    assert.deepEqual(await readdir(join(home, IN_FLIGHT_DIR)), []);
    await assert.rejects(writeAtomic(join(out, 'b'), async () => {
      throw new Error('boom');
    }, { around }));
    assert.deepEqual(await readdir(join(home, IN_FLIGHT_DIR)), []);
    assert.deepEqual(await readdir(out), ['a']);
  });

  it('a sweep removes a dead local writer\'s temp and its record', async () => {
    const { home, out } = await fresh();
    const temp = join(out, `.tmp-${tempHost()}-${DEAD_PID}-${'cd'.repeat(8)}`);
    await writeFile(temp, 'plaintext');
    const rec = await leftRecord(home, tempHost(), DEAD_PID, temp);
    assert.deepEqual(await sweepInFlight(home), [temp]);
    assert.equal(existsSync(temp), false);
    assert.equal(existsSync(rec), false);
  });

  it('keeps a live writer\'s temp and record', async () => {
    const { home, out } = await fresh();
    const temp = join(out, `.tmp-${tempHost()}-${process.ppid}-${'cd'.repeat(8)}`);
    await writeFile(temp, 'plaintext');
    const rec = await leftRecord(home, tempHost(), process.ppid, temp);
    assert.deepEqual(await sweepInFlight(home), []);
    assert.equal(existsSync(temp), true);
    assert.equal(existsSync(rec), true);
  });

  it('never removes a file that is not that writer\'s temp, whatever the record says', async () => {
    const { home, out } = await fresh();
    const precious = join(out, 'precious.txt');
    await writeFile(precious, 'keep me');
    const otherTemp = join(out, `.tmp-${tempHost()}-${DEAD_PID - 1}-${'cd'.repeat(8)}`);
    await writeFile(otherTemp, 'someone else');
    const r1 = await leftRecord(home, tempHost(), DEAD_PID, precious);
    await sweepInFlight(home);
    const r2 = await leftRecord(home, tempHost(), DEAD_PID, otherTemp);
    assert.deepEqual(await sweepInFlight(home), []);
    assert.equal(existsSync(precious), true);
    assert.equal(existsSync(otherTemp), true);
    assert.equal(existsSync(r1) || existsSync(r2), false, 'the bogus records are dropped');
  });

  it('leaves another system\'s temp alone and drops its record only after a day', async () => {
    const { home, out } = await fresh();
    const owner = `elsewhere.${'0'.repeat(12)}`;
    const temp = join(out, `.tmp-${owner}-${DEAD_PID}-${'cd'.repeat(8)}`);
    await writeFile(temp, 'plaintext');
    const rec = await leftRecord(home, owner, DEAD_PID, temp);
    assert.deepEqual(await sweepInFlight(home), []);
    assert.equal(existsSync(rec), true);
    const old = new Date(Date.now() - FOREIGN_TEMP_MAX_AGE_MS - 60_000);
    await utimes(rec, old, old);
    assert.deepEqual(await sweepInFlight(home), []);
    assert.equal(existsSync(rec), false);
    assert.equal(existsSync(temp), true);
  });

  it('a missing or unwritable home: the write still happens, the sweep finds nothing', async () => {
    const { out } = await fresh();
    const file = join(root, 'not-a-folder');
    await writeFile(file, '');
    await writeAtomic(join(out, 'c'), (fh) => fh.writeFile('x'), { around: (t, run) => withInFlightRecord(t, run, join(file, 'home')) });
    assert.deepEqual(await readdir(out), ['c']);
    assert.deepEqual(await sweepInFlight(join(root, 'nowhere')), []);
  });

  it('sweepHome also removes a killed init\'s temp in the home itself, and nothing else there', async () => {
    const { home } = await fresh();
    await mkdir(home, { recursive: true });
    const dead = `.tmp-${tempHost()}-${DEAD_PID}-${'ef'.repeat(8)}`;
    await writeFile(join(home, dead), '{"half": ');
    await writeFile(join(home, 'local-key.json'), '{}');
    assert.deepEqual(await sweepHome(home), [join(home, dead)]);
    assert.deepEqual(await readdir(home), ['local-key.json']);
  });
});
