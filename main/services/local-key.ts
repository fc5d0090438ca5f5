// The local master key for the desktop app (SPEC §8 key file): where it lives (userData), how its
// passphrase is kept, and the unlocked provider while the app is unlocked. Two protections:
// - 'safe-storage': a random 256-bit passphrase, encrypted by the OS keychain (Electron
//   safeStorage) in userData/local-key.secret; unlocking needs no typing. Offered only when
//   safeStorage is backed by a keychain (not Linux 'basic_text').
// - 'passphrase': the user's passphrase, typed at unlock; nothing else is stored.
// The key file itself is always the SPEC §8 scrypt file, so the CLI can open the same vault with
// the passphrase (for 'safe-storage' that passphrase is not shown to the user: the keychain is
// then the only way in, like any keychain-protected key). lock() zeroes the master key.
// It does not do the crypto: a LocalKeyBackend (core-adapters.ts) creates/unlocks the file.

import { randomBytes } from 'node:crypto';
import { access, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest, CachetError, fromSystemError } from '../../app/errors.js';
import type { KeyProvider } from '../../app/keys/provider.js';
import type { LocalKeyStatusT } from '../../contract/ipc.js';
import type { SafeStorage } from '../platform.js';
import type { SettingsStore } from './settings.js';

export interface UnlockedLocalKey {
  readonly keyId: string;
  readonly provider: KeyProvider;
  /** Zero the master key. */
  wipe(): void;
}

export interface LocalKeyBackend {
  /** Write a new SPEC §8 key file at `file` (must not exist); returns its key id. */
  create(file: string, passphrase: string): Promise<{ keyId: string }>;
  unlock(file: string, passphrase: string): Promise<UnlockedLocalKey>;
  /** The key id recorded in the file, without unlocking. */
  readKeyId(file: string): Promise<string>;
}

export class LocalKeyService {
  readonly #backend: LocalKeyBackend;
  readonly #safe: SafeStorage;
  readonly #settings: SettingsStore;
  readonly file: string;
  readonly secretFile: string;
  #unlocked: UnlockedLocalKey | undefined;
  #keyId: string | null = null;
  #exists = false;

  constructor(opts: { userDataDir: string; backend: LocalKeyBackend; safeStorage: SafeStorage; settings: SettingsStore }) {
    this.#backend = opts.backend;
    this.#safe = opts.safeStorage;
    this.#settings = opts.settings;
    this.file = join(opts.userDataDir, 'local-key.json');
    this.secretFile = join(opts.userDataDir, 'local-key.secret');
  }

  /** Look at the disk (startup, and after create). */
  async refresh(): Promise<void> {
    this.#exists = await access(this.file).then(() => true, () => false);
    this.#keyId = this.#exists ? await this.#backend.readKeyId(this.file).catch(() => null) : null;
  }

  status(): LocalKeyStatusT {
    return {
      exists: this.#exists,
      unlocked: this.#unlocked !== undefined,
      keyId: this.#keyId,
      protection: this.#exists ? this.#settings.get().localKeyProtection ?? 'passphrase' : null,
      safeStorageAvailable: this.#safeAvailable(),
    };
  }

  #safeAvailable(): boolean {
    try {
      return this.#safe.isAvailable();
    } catch {
      return false;
    }
  }

  async create(req: { protection: 'safe-storage' } | { protection: 'passphrase'; passphrase: string }): Promise<LocalKeyStatusT> {
    await this.refresh();
    if (this.#exists) throw new CachetError('exists', 'a local key already exists', { file: this.file });
    let passphrase: string;
    if (req.protection === 'safe-storage') {
      if (!this.#safeAvailable()) {
        throw badRequest('safe-storage-unavailable', 'the system keychain is not available; choose a passphrase');
      }
      passphrase = randomBytes(32).toString('base64url');
      // No key file exists (checked above), so a secret here was left by a create that died
      // before writing its key file: it protects nothing.
      await unlink(this.secretFile).catch(() => {});
      await writePrivate(this.secretFile, this.#safe.encryptString(passphrase));
    } else {
      passphrase = req.passphrase;
    }
    try {
      await this.#backend.create(this.file, passphrase);
    } catch (e) {
      if (req.protection === 'safe-storage') await unlink(this.secretFile).catch(() => {});
      throw e;
    }
    await this.#settings.update((s) => {
      s.localKeyProtection = req.protection;
    });
    await this.refresh();
    return this.unlock({ passphrase });
  }

  async unlock(req: { passphrase?: string | undefined }): Promise<LocalKeyStatusT> {
    await this.refresh();
    if (!this.#exists) throw new CachetError('local-key-missing', 'there is no local key yet', { file: this.file });
    let passphrase = req.passphrase;
    if (passphrase === undefined) {
      if (this.status().protection !== 'safe-storage') throw new CachetError('local-key-locked', 'the local key needs its passphrase');
      passphrase = await this.#secretFromKeychain();
    }
    const unlocked = await this.#backend.unlock(this.file, passphrase);
    this.#unlocked?.wipe();
    this.#unlocked = unlocked;
    this.#keyId = unlocked.keyId;
    return this.status();
  }

  async #secretFromKeychain(): Promise<string> {
    let sealed: Buffer;
    try {
      sealed = await readFile(this.secretFile);
    } catch (e) {
      throw fromSystemError(e, 'read the keychain-protected local key secret', this.secretFile);
    }
    try {
      return this.#safe.decryptString(sealed);
    } catch (e) {
      throw new CachetError('local-key-locked', 'the system keychain did not release the local key', { reason: 'safe-storage-failed' }, { cause: e });
    }
  }

  /** The provider while unlocked. */
  provider(): KeyProvider | undefined {
    return this.#unlocked?.provider;
  }

  lock(): void {
    this.#unlocked?.wipe();
    this.#unlocked = undefined;
  }
}

async function writePrivate(file: string, data: Buffer): Promise<void> {
  const fh = await open(file, 'wx', 0o600).catch((e: unknown) => {
    throw fromSystemError(e, 'save the local key secret', file);
  });
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
