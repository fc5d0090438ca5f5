// Local key provider (SPEC §7 'local') and key file (SPEC §8) tests.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import {
  createLocalKeyFile, DEFAULT_SCRYPT, defaultLocalKeyPath, LocalKeyProvider, localKeyId, readLocalKeyFileInfo, unlockLocalKeyFile,
} from '../../../app/keys/local.js';
import { encodeContext } from '../../../app/format/context.js';
import { CachetError, type ErrorCode } from '../../../app/errors.js';

const CTX = { 'cachet:item': 'ab'.repeat(16), 'cachet:purpose': 'item' };
const FAST = { scryptN: 2 ** 14 };
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cachet-local-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejectsWith(code: ErrorCode, p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CachetError, String(e));
    assert.equal(e.code, code, e.message);
    return true;
  });
}

describe('LocalKeyProvider (SPEC §7)', () => {
  const m = randomBytes(32);
  it('key id = local: + 16 bytes of HKDF(M, "", "cachet/v1/local-key-id")', () => {
    const p = LocalKeyProvider.fromMasterKey(m);
    const want = Buffer.from(hkdfSync('sha256', m, Buffer.alloc(0), 'cachet/v1/local-key-id', 32)).subarray(0, 16).toString('hex');
    assert.equal(p.keyId, `local:${want}`);
    assert.equal(localKeyId(m), p.keyId);
    assert.match(p.keyId, /^local:[0-9a-f]{32}$/);
  });
  it('wraps per SPEC §7 and unwraps; binds the context and the key id', async () => {
    const p = LocalKeyProvider.fromMasterKey(m);
    const { plaintext, stanza } = await p.generateDataKey(p.keyId, CTX);
    assert.equal(stanza.type, 'local');
    assert.equal(stanza.blob.length, 12 + 32 + 16);
    const b = Buffer.from(stanza.blob);
    const d = createDecipheriv('aes-256-gcm', m, b.subarray(0, 12));
    d.setAAD(Buffer.concat([Buffer.from('cachet/v1/local-wrap'), Buffer.from(p.keyId), encodeContext(CTX)]));
    d.setAuthTag(b.subarray(44));
    assert.ok(Buffer.concat([d.update(b.subarray(12, 44)), d.final()]).equals(plaintext));
    assert.ok((await p.unwrapKey(stanza, CTX)).equals(plaintext));
    await rejectsWith('wrong-key', p.unwrapKey(stanza, { ...CTX, 'cachet:purpose': 'index' }));
    const flipped = Buffer.from(stanza.blob);
    flipped[20]! ^= 1;
    await rejectsWith('wrong-key', p.unwrapKey({ ...stanza, blob: flipped }, CTX));
    const other = LocalKeyProvider.fromMasterKey(randomBytes(32));
    await rejectsWith('local-key-missing', other.unwrapKey(stanza, CTX));
    await rejectsWith('local-key-missing', other.wrapKey(p.keyId, plaintext, CTX));
    await rejectsWith('cancelled', p.unwrapKey(stanza, CTX, { signal: AbortSignal.abort() }));
  });
  it('copies the master key it is given; lock() zeroes it and later calls fail [local-key-locked]', async () => {
    const mine = Buffer.from(m);
    const p = LocalKeyProvider.fromMasterKey(mine);
    const { stanza } = await p.generateDataKey(p.keyId, CTX);
    mine.fill(0);
    assert.equal((await p.unwrapKey(stanza, CTX)).length, 32);
    p.lock();
    assert.ok(p.locked);
    await rejectsWith('local-key-locked', p.unwrapKey(stanza, CTX));
    await rejectsWith('local-key-locked', p.generateDataKey(p.keyId, CTX));
    assert.throws(() => LocalKeyProvider.fromMasterKey(Buffer.alloc(16)), (e: unknown) => e instanceof CachetError && e.code === 'bad-request');
  });
});

describe('local key file (SPEC §8)', () => {
  it('creates a 0600 file that unlocks to the same key; refuses to overwrite', async () => {
    const path = join(dir, 'sub', 'local-key.json');
    const created = await createLocalKeyFile(path, 'correct horse', FAST);
    const st = await stat(path);
    if (process.platform !== 'win32') assert.equal(st.mode & 0o777, 0o600);
    const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown> & { kdf: Record<string, unknown> };
    assert.equal(json['format'], 'cachet-local-key');
    assert.equal(json['keyId'], created.keyId);
    assert.deepEqual([json.kdf['name'], json.kdf['N'], json.kdf['r'], json.kdf['p']], ['scrypt', 2 ** 14, 8, 1]);
    assert.equal(Buffer.from(json['wrapped'] as string, 'base64').length, 48);
    assert.deepEqual(await readLocalKeyFileInfo(path), { keyId: created.keyId });
    const { plaintext, stanza } = await created.generateDataKey(created.keyId, CTX);
    const unlocked = await unlockLocalKeyFile(path, 'correct horse');
    assert.equal(unlocked.keyId, created.keyId);
    assert.ok((await unlocked.unwrapKey(stanza, CTX)).equals(plaintext));
    await rejectsWith('exists', createLocalKeyFile(path, 'other', FAST));
    assert.equal((await readLocalKeyFileInfo(path)).keyId, created.keyId);
  });
  it('a wrong passphrase is bad-passphrase; the passphrase is NFC-normalised', async () => {
    const path = join(dir, 'nfc.json');
    await createLocalKeyFile(path, 'caf\u00e9', FAST);
    await rejectsWith('bad-passphrase', unlockLocalKeyFile(path, 'cafe'));
    assert.ok((await unlockLocalKeyFile(path, 'cafe\u0301')).keyId.startsWith('local:'));
    await rejectsWith('bad-request', createLocalKeyFile(join(dir, 'empty.json'), '', FAST));
  });
  it('refuses scrypt parameters out of range [bad-request], a missing file [local-key-missing]', async () => {
    const path = join(dir, 'params.json');
    await createLocalKeyFile(path, 'pw', FAST);
    const good = JSON.parse(await readFile(path, 'utf8')) as { kdf: Record<string, number> };
    for (const kdf of [{ N: 2 ** 13 }, { N: 2 ** 23 }, { N: 3 * 2 ** 14 }, { r: 0 }, { r: 33 }, { p: 17 }, { N: 2 ** 22, r: 8 }]) {
      const bad = join(dir, `bad-${Object.entries(kdf).join('-')}.json`);
      await writeFile(bad, JSON.stringify({ ...good, kdf: { ...good.kdf, ...kdf } }));
      await rejectsWith('bad-request', unlockLocalKeyFile(bad, 'pw'));
    }
    await rejectsWith('bad-request', createLocalKeyFile(join(dir, 'weak.json'), 'pw', { scryptN: 1024 }));
    await rejectsWith('local-key-missing', unlockLocalKeyFile(join(dir, 'none.json'), 'pw'));
    await rejectsWith('local-key-missing', readLocalKeyFileInfo(join(dir, 'none.json')));
    await writeFile(join(dir, 'junk.json'), '{"format":"other"}');
    await rejectsWith('bad-request', readLocalKeyFileInfo(join(dir, 'junk.json')));
    // A changed key id fails the tag (it is authenticated data).
    const moved = join(dir, 'moved.json');
    await writeFile(moved, JSON.stringify({ ...good, keyId: 'local:' + '0'.repeat(32) }));
    await rejectsWith('bad-passphrase', unlockLocalKeyFile(moved, 'pw'));
  });
  it('refuses a salt past 64 bytes, a file past 64 KiB and a FIFO, before running scrypt [bad-request]', async () => {
    const path = join(dir, 'salt.json');
    await createLocalKeyFile(path, 'pw', FAST);
    const good = JSON.parse(await readFile(path, 'utf8')) as { kdf: Record<string, unknown> };
    const longSalt = join(dir, 'long-salt.json');
    await writeFile(longSalt, JSON.stringify({ ...good, kdf: { ...good.kdf, salt: randomBytes(65).toString('base64') } }));
    await rejectsWith('bad-request', unlockLocalKeyFile(longSalt, 'pw'));
    const huge = join(dir, 'huge-salt.json');
    await writeFile(huge, JSON.stringify({ ...good, kdf: { ...good.kdf, salt: randomBytes(10 * 1024 * 1024).toString('base64') } }));
    await rejectsWith('bad-request', readLocalKeyFileInfo(huge));
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    await rejectsWith('bad-request', readLocalKeyFileInfo(fifo)); // did not block waiting for a writer
    assert.ok((await unlockLocalKeyFile(path, 'pw')).keyId.startsWith('local:'), 'a 32-byte salt still unlocks');
  });
  it('defaults to strong scrypt (N=2^17, r=8, p=1)', async () => {
    assert.deepEqual(DEFAULT_SCRYPT, { N: 131072, r: 8, p: 1 });
    const path = join(dir, 'strong.json');
    await createLocalKeyFile(path, 'pw');
    const json = JSON.parse(await readFile(path, 'utf8')) as { kdf: Record<string, number> };
    assert.equal(json.kdf['N'], 131072);
    assert.ok((await unlockLocalKeyFile(path, 'pw')).keyId.startsWith('local:'));
  });
  it('default path honours CACHET_HOME', () => {
    const saved = process.env['CACHET_HOME'];
    try {
      process.env['CACHET_HOME'] = join(dir, 'home');
      assert.equal(defaultLocalKeyPath(), join(dir, 'home', 'local-key.json'));
      delete process.env['CACHET_HOME'];
      assert.equal(defaultLocalKeyPath(), join(homedir(), '.cachet', 'local-key.json'));
    } finally {
      if (saved === undefined) delete process.env['CACHET_HOME'];
      else process.env['CACHET_HOME'] = saved;
    }
  });
});
