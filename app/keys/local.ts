// The local key provider (SPEC §7 'local') and its passphrase-protected key file (SPEC §8).
// A 32-byte master key M wraps each data key with AES-256-GCM, bound to the key id and the
// encryption context. It does not prompt for passphrases or pick where the file lives beyond the
// default path: the CLI and the app do. OS-keychain protection of M is a later layer.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { badRequest, CachetError, fromSystemError } from '../errors.js';
import { encodeContext } from '../format/context.js';
import { LOCAL_KEY_ID_PREFIX } from '../format/limits.js';
import { writeAtomic } from '../fs/atomic.js';
import { openRegular, type RegularFile } from '../fs/regular-file.js';
import { cachetHome } from '../fs/home.js';
import type { CallOptions, EncryptionContext, KeyProvider, Stanza } from './provider.js';
import { checkDataKey, DATA_KEY_BYTES, wipe } from './provider.js';

/** The master key M (SPEC §7); a data key's length is DATA_KEY_BYTES (SPEC §2). */
const KEY_LENGTH = 32;
const NONCE = 12;
const TAG = 16;
const WRAP_AAD = Buffer.from('cachet/v1/local-wrap', 'latin1');
const FILE_AAD = Buffer.from('cachet/v1/local-key-file', 'latin1');
const KEY_ID_INFO = 'cachet/v1/local-key-id';

/** scrypt defaults for new key files (SPEC §8): N=2^17, r=8, p=1 (128 MiB, ~0.3-1 s). */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** Reader bounds (SPEC §8). */
const SCRYPT_BOUNDS = { minN: 2 ** 14, maxN: 2 ** 22, maxR: 32, maxP: 16, maxMem: 2 ** 30 } as const;

/** `local:` + hex of the first 16 bytes of HKDF(M, "", "cachet/v1/local-key-id") (SPEC §7). */
export function localKeyId(master: Uint8Array): string {
  const h = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), KEY_ID_INFO, 32));
  return `${LOCAL_KEY_ID_PREFIX}${h.subarray(0, 16).toString('hex')}`;
}

function wrapAad(keyId: string, context: EncryptionContext): Buffer {
  return Buffer.concat([WRAP_AAD, Buffer.from(keyId, 'utf8'), encodeContext(context)]);
}

// The master key leaves a provider only to be wrapped into its key file: a module-private accessor.
const masterOf = new WeakMap<LocalKeyProvider, () => Buffer>();

export class LocalKeyProvider implements KeyProvider {
  readonly type = 'local' as const;
  readonly keyId: string;
  #master: Buffer | null;

  private constructor(master: Buffer) {
    this.#master = master;
    this.keyId = localKeyId(master);
    masterOf.set(this, () => Buffer.from(this.#key(this.keyId)));
  }

  /** A provider over a copy of `master` (32 bytes); the caller may wipe its own buffer. */
  static fromMasterKey(master: Uint8Array): LocalKeyProvider {
    if (master.length !== KEY_LENGTH) throw badRequest('invalid-argument', 'a local master key is 32 bytes');
    return new LocalKeyProvider(Buffer.from(master));
  }

  /** A provider over a fresh random master key (for key-file creation). */
  static generate(): LocalKeyProvider {
    return new LocalKeyProvider(randomBytes(KEY_LENGTH));
  }

  get locked(): boolean {
    return this.#master === null;
  }

  /** Zero the master key; later calls fail [local-key-locked]. */
  lock(): void {
    wipe(this.#master);
    this.#master = null;
  }

  dispose(): void {
    this.lock();
  }

  #key(keyId: string): Buffer {
    if (this.#master === null) throw new CachetError('local-key-locked', 'the local key is locked', { keyId: this.keyId });
    if (keyId !== this.keyId) throw new CachetError('local-key-missing', `local key ${keyId} is not on this machine`, { keyId, available: this.keyId });
    return this.#master;
  }

  async generateDataKey(keyId: string, context: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    const plaintext = randomBytes(DATA_KEY_BYTES);
    try {
      return { plaintext, stanza: await this.wrapKey(keyId, plaintext, context, opts) };
    } catch (e) {
      wipe(plaintext);
      throw e;
    }
  }

  /** blob = nonce(12) || AES-GCM(M, nonce, DK, "cachet/v1/local-wrap" || key_id || ctx) (SPEC §7). */
  async wrapKey(keyId: string, plaintext: Uint8Array, context: EncryptionContext, opts?: CallOptions): Promise<Stanza> {
    if (opts?.signal?.aborted) throw new CachetError('cancelled', 'cancelled');
    checkDataKey(plaintext);
    const m = this.#key(keyId);
    const nonce = randomBytes(NONCE);
    const c = createCipheriv('aes-256-gcm', m, nonce);
    c.setAAD(wrapAad(keyId, context));
    const blob = Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()]);
    return { type: 'local', keyId, blob: new Uint8Array(blob) };
  }

  /** DK from a local stanza. A failed tag [wrong-key]: another key, or the context or blob changed. */
  async unwrapKey(stanza: Stanza, context: EncryptionContext, opts?: CallOptions): Promise<Buffer> {
    if (opts?.signal?.aborted) throw new CachetError('cancelled', 'cancelled');
    if (stanza.type !== 'local') throw new CachetError('internal', 'not a local stanza');
    const m = this.#key(stanza.keyId);
    const blob = Buffer.from(stanza.blob.buffer, stanza.blob.byteOffset, stanza.blob.length);
    const fail = (cause?: unknown): never => {
      throw new CachetError('wrong-key', 'the local key does not open this file (its context or wrapped key differs)', { keyId: stanza.keyId }, { cause });
    };
    if (blob.length !== NONCE + DATA_KEY_BYTES + TAG) fail();
    let aad: Buffer;
    try {
      aad = wrapAad(stanza.keyId, context);
    } catch (e) {
      return fail(e);
    }
    const d = createDecipheriv('aes-256-gcm', m, blob.subarray(0, NONCE));
    d.setAAD(aad);
    d.setAuthTag(blob.subarray(NONCE + DATA_KEY_BYTES));
    const dk = d.update(blob.subarray(NONCE, NONCE + DATA_KEY_BYTES));
    try {
      d.final();
    } catch (e) {
      wipe(dk);
      return fail(e);
    }
    return dk;
  }
}

// ---------------------------------------------------------------------------------------------
// Key file (SPEC §8)

interface KeyFileJson {
  format: 'cachet-local-key';
  version: 1;
  keyId: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  nonce: string;
  wrapped: string;
}

/** The Cachet home: `$CACHET_HOME`, default `~/.cachet`. */
/** `$CACHET_HOME/local-key.json`, default `~/.cachet/local-key.json` (SPEC §8). */
export function defaultLocalKeyPath(): string {
  return join(cachetHome(), 'local-key.json');
}

function scrypt(pass: Buffer, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  const o: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 128 * r * p + 64 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCb(pass, salt, KEY_LENGTH, o, (err, key) => (err ? reject(new CachetError('internal', `scrypt: ${err.message}`, {}, { cause: err })) : resolve(key)));
  });
}

function passphraseBytes(passphrase: string): Buffer {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw badRequest('empty-passphrase', 'the passphrase is empty');
  return Buffer.from(passphrase.normalize('NFC'), 'utf8');
}

/** Precondition: scrypt parameters within SPEC §8 bounds, and at most 1 GiB of memory [bad-request]. */
function checkScrypt(N: unknown, r: unknown, p: unknown): asserts N is number {
  const ok =
    typeof N === 'number' && typeof r === 'number' && typeof p === 'number' &&
    Number.isInteger(N) && Number.isInteger(r) && Number.isInteger(p) &&
    N >= SCRYPT_BOUNDS.minN && N <= SCRYPT_BOUNDS.maxN && (N & (N - 1)) === 0 &&
    r >= 1 && r <= SCRYPT_BOUNDS.maxR && p >= 1 && p <= SCRYPT_BOUNDS.maxP &&
    128 * N * r <= SCRYPT_BOUNDS.maxMem;
  if (!ok) throw badRequest('key-file-invalid', 'the key file asks for scrypt parameters out of range', { N: String(N), r: String(r), p: String(p) });
}

/**
 * Create a key file holding a new random master key (or `opts.masterKey`, for tests and vectors),
 * mode 0600, written atomically; an existing file is refused [exists]. Returns the unlocked provider.
 */
export async function createLocalKeyFile(
  path: string, passphrase: string, opts: { scryptN?: number; masterKey?: Uint8Array } = {},
): Promise<LocalKeyProvider> {
  const N = opts.scryptN ?? DEFAULT_SCRYPT.N;
  const { r, p } = DEFAULT_SCRYPT;
  checkScrypt(N, r, p);
  const provider = opts.masterKey ? LocalKeyProvider.fromMasterKey(opts.masterKey) : LocalKeyProvider.generate();
  const pass = passphraseBytes(passphrase);
  const salt = randomBytes(32);
  let w: Buffer | undefined;
  let m: Buffer | undefined;
  try {
    w = await scrypt(pass, salt, N, r, p);
    const nonce = randomBytes(NONCE);
    const c = createCipheriv('aes-256-gcm', w, nonce);
    c.setAAD(Buffer.concat([FILE_AAD, Buffer.from(provider.keyId, 'utf8')]));
    m = exportMaster(provider);
    const wrapped = Buffer.concat([c.update(m), c.final(), c.getAuthTag()]);
    const json: KeyFileJson = {
      format: 'cachet-local-key', version: 1, keyId: provider.keyId,
      kdf: { name: 'scrypt', N, r, p, salt: salt.toString('base64') },
      nonce: nonce.toString('base64'), wrapped: wrapped.toString('base64'),
    };
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    } catch (e) {
      throw fromSystemError(e, 'create the key folder', dirname(path));
    }
    await writeAtomic(path, async (fh) => {
      await fh.chmod(0o600);
      await fh.writeFile(`${JSON.stringify(json, null, 2)}\n`);
    }, { mode: 0o600 });
    return provider;
  } catch (e) {
    provider.lock();
    throw e;
  } finally {
    wipe(pass);
    wipe(w);
    wipe(m);
  }
}

function exportMaster(p: LocalKeyProvider): Buffer {
  return masterOf.get(p)!();
}

/** A key file is a few hundred bytes; anything past this is not one (and is not read whole). */
const MAX_KEY_FILE_BYTES = 64 * 1024;
/** SPEC §8: writers use 32 bytes; readers accept 16..64 (a 10 MB "salt" is not a key file). */
const SALT_MIN = 16;
const SALT_MAX = 64;

async function readKeyFile(path: string): Promise<KeyFileJson> {
  let text: string;
  let file: RegularFile | undefined;
  try {
    // A regular file only: a FIFO named local-key.json would otherwise block the open forever.
    file = await openRegular(path, { follow: true, what: 'read the local key file' });
    if (file.size > MAX_KEY_FILE_BYTES) throw badRequest('key-file-invalid', 'the local key file is too large to be one', { path });
    text = await file.fh.readFile('utf8');
  } catch (e) {
    if (e instanceof CachetError && e.code === 'not-found') throw new CachetError('local-key-missing', 'no local key file', { path }, { cause: e });
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CachetError('local-key-missing', 'no local key file', { path }, { cause: e });
    if (e instanceof CachetError) throw e;
    throw fromSystemError(e, 'read the local key file', path);
  } finally {
    await file?.fh.close().catch(() => {});
  }
  if (text.length > MAX_KEY_FILE_BYTES) throw badRequest('key-file-invalid', 'the local key file is too large to be one', { path });
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw badRequest('key-file-invalid', 'the local key file is not JSON', { path }, { cause: e });
  }
  const o = j as Partial<KeyFileJson> | null;
  const bad = (): never => {
    throw badRequest('key-file-invalid', 'not a Cachet local key file', { path });
  };
  if (!o || typeof o !== 'object' || o.format !== 'cachet-local-key' || typeof o.keyId !== 'string' || !o.kdf || o.kdf.name !== 'scrypt') bad();
  if (o!.version !== 1) throw new CachetError('unsupported-version', `local key file version ${String(o!.version)} is not supported`, { path });
  if (typeof o!.nonce !== 'string' || typeof o!.wrapped !== 'string' || typeof o!.kdf!.salt !== 'string') bad();
  return o as KeyFileJson;
}

/** The key id of a key file, without the passphrase. */
export async function readLocalKeyFileInfo(path: string): Promise<{ keyId: string }> {
  const f = await readKeyFile(path);
  return { keyId: f.keyId };
}

/** Unlock a key file with its passphrase. A failed tag is a wrong passphrase [bad-passphrase]. */
export async function unlockLocalKeyFile(path: string, passphrase: string): Promise<LocalKeyProvider> {
  const f = await readKeyFile(path);
  const { N, r, p } = f.kdf;
  checkScrypt(N, r, p);
  const salt = Buffer.from(f.kdf.salt, 'base64');
  const nonce = Buffer.from(f.nonce, 'base64');
  const wrapped = Buffer.from(f.wrapped, 'base64');
  if (salt.length < SALT_MIN || salt.length > SALT_MAX || nonce.length !== NONCE || wrapped.length !== KEY_LENGTH + TAG) {
    throw badRequest('key-file-invalid', 'the local key file is malformed', { path });
  }
  const pass = passphraseBytes(passphrase);
  let w: Buffer | undefined;
  let m: Buffer | undefined;
  try {
    w = await scrypt(pass, salt, N, r, p);
    const d = createDecipheriv('aes-256-gcm', w, nonce);
    d.setAAD(Buffer.concat([FILE_AAD, Buffer.from(f.keyId, 'utf8')]));
    d.setAuthTag(wrapped.subarray(KEY_LENGTH));
    m = d.update(wrapped.subarray(0, KEY_LENGTH));
    try {
      d.final();
    } catch (e) {
      throw new CachetError('bad-passphrase', 'wrong passphrase for the local key', { path, keyId: f.keyId }, { cause: e });
    }
    const provider = LocalKeyProvider.fromMasterKey(m);
    if (provider.keyId !== f.keyId) {
      provider.lock();
      throw badRequest('key-file-invalid', 'the local key file names another key', { path });
    }
    return provider;
  } finally {
    wipe(pass);
    wipe(w);
    wipe(m);
  }
}
