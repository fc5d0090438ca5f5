// A record of plaintext outputs in progress (issue 16 #8, SPEC §9). An output is written to a
// private `.tmp-…` beside its destination and renamed into place when its last chunk verifies; a
// writer killed hard (SIGKILL, the OOM killer, power loss) cannot remove that temp, and no vault
// open ever looks in the output's folder. So before the temp is created, a small record naming it
// is written under `$CACHET_HOME/in-flight/`, and removed when the temp is gone (renamed or
// removed). The next Cachet process (any CLI command, the app at start) sweeps records whose
// writer is no longer running on this system and removes the temp each one names.
// It does not write outputs (atomic.ts does) and never removes a file that is not a temp of the
// very writer the record belongs to.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { cachetHome } from './home.js';
import { cleanupTemps, FOREIGN_TEMP_MAX_AGE_MS, parseTempName, processAlive, tempHost } from './atomic.js';

export const IN_FLIGHT_DIR = 'in-flight';
const MAX_RECORD_BYTES = 8192;

function recordDir(home: string): string {
  return join(home, IN_FLIGHT_DIR);
}

/**
 * For WriteAtomicOptions.around: run `fn`, which creates `temp` and ends with it renamed or removed, with a record of `temp`
 * kept meanwhile. If the record cannot be written (a read-only home), `fn` still runs: the
 * output is as safe as before, only a hard kill's leftover is not found later.
 */
export async function withInFlightRecord<T>(temp: string, fn: () => Promise<T>, home: string = cachetHome()): Promise<T> {
  const dir = recordDir(home);
  const record = join(dir, `${tempHost()}-${process.pid}-${randomBytes(8).toString('hex')}.json`);
  let recorded = false;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(record, JSON.stringify({ temp }), { flag: 'wx', mode: 0o600 });
    recorded = true;
  } catch {
    // see above: tracking is best effort, the write itself is not
  }
  try {
    return await fn();
  } finally {
    if (recorded) await unlink(record).catch(() => {});
  }
}

/**
 * Remove the temps of killed writers named by records in the home, and those records. A record
 * of a live writer is kept; a record of another system (a home shared between machines) is only
 * dropped when older than a day, and its temp is left alone (its pid means nothing here).
 * Returns the temp paths removed. Never throws: a sweep must not stop the command that runs it.
 */
export async function sweepInFlight(home: string = cachetHome(), now: number = Date.now()): Promise<string[]> {
  const dir = recordDir(home);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const owner = tempHost();
  const removed: string[] = [];
  for (const name of names) {
    const m = /^(.+)-(\d+)-[0-9a-f]{16}\.json$/.exec(name);
    const path = join(dir, name);
    if (!m) continue;
    const [, recOwner, pidText] = m;
    const pid = Number(pidText);
    if (recOwner !== owner) {
      const st = await stat(path).catch(() => undefined);
      if (st && now - st.mtimeMs > FOREIGN_TEMP_MAX_AGE_MS) await unlink(path).catch(() => {});
      continue;
    }
    if (pid === process.pid || processAlive(pid)) continue;
    const temp = await readRecord(path);
    // Only a temp of that very writer: the record names a path, and the path's own name must say
    // it is a `.tmp-` of this owner and pid (a record edited to name another file removes nothing).
    const t = temp === undefined ? null : parseTempName(basename(temp));
    if (temp !== undefined && t && t.host === owner && t.pid === pid) {
      try {
        await unlink(temp);
        removed.push(temp);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') continue; // keep the record: try again next time
      }
    }
    await unlink(path).catch(() => {});
  }
  return removed;
}

async function readRecord(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    if (text.length > MAX_RECORD_BYTES) return undefined;
    const v = JSON.parse(text) as { temp?: unknown };
    return typeof v.temp === 'string' && isAbsolute(v.temp) ? v.temp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What every Cachet process runs at start: the in-flight sweep above, and the temps a killed
 * writer left in the home itself (an `init` killed while writing the local key file or
 * known-vaults.json: the home is not a vault, so no vault open sweeps it). Never throws.
 */
export async function sweepHome(home: string = cachetHome()): Promise<string[]> {
  const outputs = await sweepInFlight(home);
  const temps = await cleanupTemps(home).catch(() => [] as string[]);
  return [...outputs, ...temps.map((t) => join(home, t))];
}
