// Settings and recent vaults, kept as JSON in userData/settings.json. No secrets: no passphrase,
// no credentials, no key material, no item names (vault folder paths only). Unknown or invalid
// fields in the file are dropped, so a hand-edited or older file never breaks startup. Writes are
// atomic (app/fs/atomic.ts: temp + fsync + rename + folder fsync).

import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { SettingsT } from '../../contract/ipc.js';
import { fromSystemError } from '../../app/errors.js';
import { writeAtomic } from '../../app/fs/atomic.js';

const MAX_RECENT = 10;

const StoredSettings = z.object({
  autoLockMinutes: z.number().int().min(0).max(1440).catch(15),
  /** Lock when the computer sleeps or its screen locks (powerMonitor 'suspend', 'lock-screen'). */
  lockOnSystemLock: z.boolean().catch(true),
  aws: z.object({ profile: z.string().nullable().catch(null), region: z.string().nullable().catch(null) }).catch({ profile: null, region: null }),
  recentVaults: z.array(z.object({ path: z.string(), name: z.string(), openedAt: z.number() })).catch([]),
  localKeyProtection: z.enum(['safe-storage', 'passphrase']).nullable().catch(null),
});
export type StoredSettingsT = z.output<typeof StoredSettings>;

export const DEFAULT_SETTINGS: StoredSettingsT = {
  autoLockMinutes: 15,
  lockOnSystemLock: true,
  aws: { profile: null, region: null },
  recentVaults: [],
  localKeyProtection: null,
};

/** The settings the renderer sees and sets (contract Settings): the one projection of the stored ones. */
export function publicSettings(st: StoredSettingsT): SettingsT {
  return { autoLockMinutes: st.autoLockMinutes, lockOnSystemLock: st.lockOnSystemLock };
}

export class SettingsStore {
  readonly #file: string;
  #data: StoredSettingsT = structuredClone(DEFAULT_SETTINGS);

  constructor(userDataDir: string) {
    this.#file = join(userDataDir, 'settings.json');
  }

  get file(): string {
    return this.#file;
  }

  /** Read the file; a missing or broken file gives the defaults. */
  async load(): Promise<StoredSettingsT> {
    try {
      const raw: unknown = JSON.parse(await readFile(this.#file, 'utf8'));
      const parsed = StoredSettings.safeParse(raw);
      this.#data = parsed.success ? parsed.data : structuredClone(DEFAULT_SETTINGS);
    } catch {
      this.#data = structuredClone(DEFAULT_SETTINGS);
    }
    return this.get();
  }

  get(): StoredSettingsT {
    return structuredClone(this.#data);
  }

  #saving: Promise<void> = Promise.resolve();

  async update(change: (s: StoredSettingsT) => void): Promise<StoredSettingsT> {
    const next = structuredClone(this.#data);
    change(next);
    this.#data = StoredSettings.parse(next);
    // One save at a time, in order: two overlapping saves could rename an older snapshot last.
    const saved = this.#saving.then(() => this.#save());
    this.#saving = saved.catch(() => {});
    await saved;
    return this.get();
  }

  async addRecent(path: string, now: number): Promise<StoredSettingsT> {
    return this.update((s) => {
      s.recentVaults = [{ path, name: basename(path) || path, openedAt: now }, ...s.recentVaults.filter((r) => r.path !== path)].slice(0, MAX_RECENT);
    });
  }

  async removeRecent(path: string): Promise<StoredSettingsT> {
    return this.update((s) => {
      s.recentVaults = s.recentVaults.filter((r) => r.path !== path);
    });
  }

  async #save(): Promise<void> {
    const dir = dirname(this.#file);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // The core's atomic write (temp + fsync + rename + folder fsync, app/fs/atomic.ts).
      await writeAtomic(this.#file, (fh) => fh.writeFile(JSON.stringify(this.#data, null, 2) + '\n'), { overwrite: true, mode: 0o600 });
    } catch (e) {
      throw fromSystemError(e, 'save settings', this.#file);
    }
  }
}
