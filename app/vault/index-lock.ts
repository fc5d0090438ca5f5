// The index write lock (SPEC §9): writers serialise read-merge-write of `index.env` with an
// advisory lock file (`index.lock`), so two processes adding at once keep each other's entries.
// The lock only guards the cache: a writer that cannot get it in a few seconds writes anyway, and
// a dead holder's lock is taken over. It does not read or write the index (index-cache.ts does).

import { randomBytes } from 'node:crypto';
import { link, open, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive, tempHost, tempName } from '../fs/atomic.js';

// How it works.
//
// The lock is made atomically: the owner ({host, pid, nonce}) is written to a `.tmp-…` file that
// is then hard-linked to `index.lock` (EEXIST: held by someone else), so `index.lock` never
// exists without its owner in it. A killed writer leaves at most that temp, which the next
// opener's cleanupTemps removes (SPEC §9).
//
// Why removal takes a second lock: "read the lock, judge it stale, unlink it" is not atomic. Two
// writers that both judged one dead lock stale would each unlink "it", and the second unlink
// would remove the lock the first had just made: two holders. So `index.lock` is only ever
// removed (a stale one taken over, or one's own released) by the holder of `index.lock.break`,
// made the same way, held for a few syscalls, and re-checking under it that the lock is still the
// very file judged stale (or its own). A break lock left by a writer killed inside those few
// syscalls is removed when its holder is gone or after BREAK_STALE_MS; only two writers racing to
// remove such a leftover could still both hold the index lock, which the lock tolerates: it only
// guards the cache, and an entry lost from the index is read again from its item (SPEC §9).

export const INDEX_LOCK_FILE = 'index.lock';
export const INDEX_BREAK_FILE = 'index.lock.break';
const LOCK_WAIT_MS = 5_000;
/** A lock older than this is a leftover even if its holder seems alive (a reused pid, another host). */
const LOCK_STALE_MS = 30_000;
const LOCK_ATTEMPTS = 1_000;
/** The break lock is held for a few syscalls: older than this, its holder is gone. */
const BREAK_STALE_MS = 10_000;
const BREAK_ATTEMPTS = 500;
/**
 * An unreadable lock older than this is a leftover. Cachet makes its locks atomically, but on a
 * file system without hard links it falls back to create-then-write (and Cachet before the atomic
 * lock always did): such a lock is empty for a moment, and empty for good if its writer is killed.
 */
const LOCK_UNWRITTEN_MS = 2_000;
/** link() errors of file systems without hard links (FAT, some network and sync folders). */
const NO_LINK_CODES: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS']);

interface LockSeen {
  text: string;
  ino: number;
  mtimeMs: number;
}

/** A lock file's text and identity, read through one descriptor (so they belong together). */
async function readLock(path: string): Promise<LockSeen | undefined> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const s = await fh.stat();
    return { text: await fh.readFile('utf8'), ino: s.ino, mtimeMs: s.mtimeMs };
  } catch {
    return undefined; // gone already
  } finally {
    await fh?.close().catch(() => {});
  }
}

function sameLock(a: LockSeen, b: LockSeen): boolean {
  return a.ino === b.ino && a.text === b.text && a.mtimeMs === b.mtimeMs;
}

function lockIsStale(seen: LockSeen, now: number, staleMs = LOCK_STALE_MS): boolean {
  if (now - seen.mtimeMs > staleMs) return true;
  try {
    const { host, pid } = JSON.parse(seen.text) as { host?: unknown; pid?: unknown };
    return host === tempHost() && typeof pid === 'number' && pid !== process.pid && !processAlive(pid);
  } catch {
    return now - seen.mtimeMs > LOCK_UNWRITTEN_MS;
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Make `path` from the owner temp: 'held', 'busy' (someone holds it) or 'failed' (cannot lock here). */
async function createLock(path: string, temp: string, me: string): Promise<'held' | 'busy' | 'failed'> {
  try {
    await link(temp, path);
    return 'held';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return 'busy';
    if (!NO_LINK_CODES.has(code)) return 'failed';
  }
  try {
    await writeFile(path, me, { flag: 'wx' });
    return 'held';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'busy' : 'failed';
  }
}

/** Run `fn` holding `index.lock.break`; undefined (fn not run) if it cannot be had. */
async function withBreakLock<T>(vaultDir: string, temp: string, me: string, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  const path = join(vaultDir, INDEX_BREAK_FILE);
  for (let attempt = 0; attempt < BREAK_ATTEMPTS; attempt++) {
    const r = await createLock(path, temp, me);
    if (r === 'failed') return undefined;
    if (r === 'held') {
      try {
        return { value: await fn() };
      } finally {
        if ((await readLock(path))?.text === me) await unlink(path).catch(() => {});
      }
    }
    const seen = await readLock(path);
    if (seen && lockIsStale(seen, Date.now(), BREAK_STALE_MS)) await unlink(path).catch(() => {});
    else await pause(1 + Math.floor(Math.random() * 4));
  }
  return undefined;
}

/** Remove `index.lock` if, under the break lock, it is still what `isIt` accepts. True if removed. */
async function removeLockIf(vaultDir: string, temp: string, me: string, isIt: (now: LockSeen) => boolean): Promise<boolean> {
  const path = join(vaultDir, INDEX_LOCK_FILE);
  const r = await withBreakLock(vaultDir, temp, me, async () => {
    const now = await readLock(path);
    if (!now || !isIt(now)) return false;
    await unlink(path);
    return true;
  }).catch(() => undefined);
  return r?.value ?? false;
}

/** Write the owner temp; undefined if this folder takes no files (read-only: go on unlocked). */
async function ownerTemp(vaultDir: string, me: string): Promise<string | undefined> {
  const temp = join(vaultDir, tempName());
  try {
    await writeFile(temp, me, { flag: 'wx' });
    return temp;
  } catch {
    return undefined;
  }
}

function ownerRecord(): string {
  return JSON.stringify({ host: tempHost(), pid: process.pid, nonce: randomBytes(8).toString('hex') });
}

/** Remove the index lock of a writer that is gone (called at open). */
export async function cleanupIndexLock(vaultDir: string): Promise<void> {
  const seen = await readLock(join(vaultDir, INDEX_LOCK_FILE));
  if (!seen || !lockIsStale(seen, Date.now())) return;
  const me = ownerRecord();
  const temp = await ownerTemp(vaultDir, me);
  if (!temp) return;
  try {
    await removeLockIf(vaultDir, temp, me, (now) => sameLock(now, seen));
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** Run `fn` holding the vault's index lock, or without it once LOCK_WAIT_MS have passed. */
export async function withIndexLock<T>(vaultDir: string, fn: () => Promise<T>): Promise<T> {
  const path = join(vaultDir, INDEX_LOCK_FILE);
  const me = ownerRecord();
  const deadline = Date.now() + LOCK_WAIT_MS;
  // The owner record, linked to index.lock and (to remove a lock) index.lock.break. Kept until
  // the end, not unlinked right after the link, because the release needs it again.
  const temp = await ownerTemp(vaultDir, me);
  if (!temp) return fn();
  let held = false;
  try {
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
      const r = await createLock(path, temp, me);
      if (r === 'held') held = true;
      if (r !== 'busy') break;
      const seen = await readLock(path);
      if (!seen) continue; // released meanwhile: try again at once
      if (lockIsStale(seen, Date.now())) {
        await removeLockIf(vaultDir, temp, me, (now) => sameLock(now, seen));
        continue;
      }
      if (Date.now() > deadline) break;
      await pause(5 + Math.floor(Math.random() * 20));
    }
    return await fn();
  } finally {
    // Only our own: if we held it past LOCK_STALE_MS it may have been taken over (not ours now).
    if (held) await removeLockIf(vaultDir, temp, me, (now) => now.text === me);
    await unlink(temp).catch(() => {});
  }
}
