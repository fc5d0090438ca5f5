// vault.json authentication (SPEC §12, issue 16 #1 and #13): a storage writer who appends its own
// key, removes the owner's, reorders or swaps keys, changes the vault id or puts another vault's
// vault.json in place is refused before any item is sealed under its keys; a version-1 vault is
// read and upgraded on its first write, and cannot be downgraded afterwards; a re-key by a team
// member is accepted by a client that knew only the retired key. Local keys for the fast cases,
// moto's KMS for the KMS ones.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inspectFile } from '../../app/envelope.js';
import { isCachetError, type CachetError } from '../../app/errors.js';
import { describeError } from '../../app/cli/messages.js';
import { AwsKmsProvider } from '../../app/keys/aws-kms.js';
import { LocalKeyProvider } from '../../app/keys/local.js';
import { Keyring, type KeyProvider } from '../../app/keys/provider.js';
import { canonicalConfig, configContext } from '../../app/vault/config-auth.js';
import { knownVaultsFile, type KnownVaults } from '../../app/vault/known-vaults.js';
import { decodeVaultConfig, encodeVaultConfig, type VaultConfig } from '../../app/vault/layout.js';
import { Vault, type VaultKey } from '../../app/vault/vault.js';
import { createTestKey, MOTO_CREDENTIALS, MOTO_REGION, startMoto, type Moto } from '../helpers/moto.js';
import { twoKeyKeyring } from './fixtures/two-keys.js';

const masters = [randomBytes(32), randomBytes(32), randomBytes(32)];
const [A, B, C] = masters.map((m): VaultKey => ({ provider: 'local', keyId: LocalKeyProvider.fromMasterKey(m).keyId })) as [VaultKey, VaultKey, VaultKey];
/** The owner's keyring; it can also use the attacker's key C (as a cross-account key whose policy lets the owner decrypt). */
const keyring = (): Keyring => twoKeyKeyring(masters);

let root: string;
let n = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cachet-vault-config-'));
});
after(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function fresh(keys: VaultKey[], ring: Keyring = keyring()): Promise<{ dir: string; known: KnownVaults; src: string }> {
  const base = join(root, `t${n++}`);
  const dir = join(base, 'vault');
  const src = join(base, 'src');
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'a.txt'), 'first\n');
  await writeFile(join(src, 'b.txt'), 'second\n');
  const known = knownVaultsFile(join(base, 'home', 'known-vaults.json'));
  const v = await Vault.create(dir, { keys, keyring: ring, known });
  await v.add([join(src, 'a.txt')]);
  v.close();
  return { dir, known, src };
}

async function readConfig(dir: string): Promise<VaultConfig> {
  return decodeVaultConfig(await readFile(join(dir, 'vault.json')));
}
async function writeConfig(dir: string, c: VaultConfig): Promise<void> {
  await writeFile(join(dir, 'vault.json'), encodeVaultConfig(c));
}
/** What a storage writer who edits the JSON by hand leaves (the MAC of the old content). */
async function editJson(dir: string, edit: (o: Record<string, unknown>) => void): Promise<void> {
  const o = JSON.parse(await readFile(join(dir, 'vault.json'), 'utf8')) as Record<string, unknown>;
  edit(o);
  await writeFile(join(dir, 'vault.json'), JSON.stringify(o));
}

/**
 * What an attacker who holds only `own` (keys it added) can write: a config key of its own,
 * wrapped under those keys alone, and the MAC SPEC §12 defines over `c`.
 */
async function forge(c: VaultConfig, own: VaultKey[], ring: Keyring): Promise<VaultConfig> {
  const cfk = randomBytes(32);
  const stanzas = [];
  for (const k of own) stanzas.push(await ring.get(k.provider)!.wrapKey(k.keyId, cfk, configContext(c.id)));
  const macKey = Buffer.from(hkdfSync('sha256', cfk, Buffer.alloc(0), 'cachet/v2/vault-config', 32));
  const forged: VaultConfig = { ...c, version: 2 };
  forged.auth = { stanzas, mac: createHmac('sha256', macKey).update(canonicalConfig(forged)).digest() };
  return forged;
}

/** Every stanza key of every item file, to show nothing was sealed under a key it should not be. */
async function itemKeys(dir: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const name of (await readdir(join(dir, 'items'))).sort()) out.push((await inspectFile(join(dir, 'items', name))).stanzas.map((s) => s.keyId));
  return out;
}

/** Open the vault as its owner, try to list and to add b.txt: both must fail with `code` (and `reason`). */
async function refused(t: { dir: string; known?: KnownVaults; src: string }, code: string, reason?: string): Promise<CachetError> {
  const before = await itemKeys(t.dir);
  const v = await Vault.open(t.dir, { keyring: keyring(), known: t.known });
  let err: unknown;
  try {
    await assert.rejects(v.list(), (e: unknown) => isCachetError(e) && e.code === code && (reason === undefined || e.detail['reason'] === reason));
    await v.add([join(t.src, 'b.txt')]).then(() => assert.fail('add must be refused'), (e: unknown) => {
      err = e;
    });
  } finally {
    v.close();
  }
  assert.ok(isCachetError(err) && err.code === code, `add: ${String(err)}`);
  assert.deepEqual(await itemKeys(t.dir), before, 'no item was written');
  return err as CachetError;
}

describe('vault.json authentication (local keys)', () => {
  it('a new vault writes version 2 with a MAC, and opens, lists and adds', async () => {
    const t = await fresh([A]);
    const c = await readConfig(t.dir);
    assert.equal(c.version, 2);
    assert.equal(c.auth?.mac.length, 32);
    assert.deepEqual(c.auth?.stanzas.map((s) => s.keyId), [A.keyId]);
    const v = await Vault.open(t.dir, { keyring: keyring(), known: t.known });
    await v.add([join(t.src, 'b.txt')]);
    assert.deepEqual((await v.list()).map((i) => i.path), ['a.txt', 'b.txt']);
    v.close();
  });

  it('an appended key (MAC left as it was) is refused; nothing is sealed under it', async () => {
    const t = await fresh([A]);
    await editJson(t.dir, (o) => (o['keys'] as unknown[]).push({ provider: 'local', keyId: C.keyId }));
    await refused(t, 'vault-corrupt', 'config-mac');
    // Without the client's memory too: the MAC alone catches it.
    await refused({ dir: t.dir, src: t.src }, 'vault-corrupt', 'config-mac');
  });

  it('an appended key with a MAC forged under the attacker\'s own key is refused by the client that knew the vault', async () => {
    const t = await fresh([A]);
    const c = await readConfig(t.dir);
    await writeConfig(t.dir, await forge({ ...c, keys: [A, C] }, [C], keyring()));
    const e = await refused(t, 'vault-keys-changed', 'keys-changed');
    // Keeping the owner's old stanza beside it does not help: it unwraps to the old config key.
    await writeConfig(t.dir, await forge({ ...c, keys: [A, C] }, [C], keyring()).then((f) => ({ ...f, auth: { stanzas: [...c.auth!.stanzas, ...f.auth!.stanzas], mac: f.auth!.mac } })));
    await refused(t, 'vault-corrupt', 'config-mac');
    // A client that never saw the vault cannot tell (trust on first use, SPEC §12): it accepts.
    const stranger = await Vault.open(t.dir, { keyring: keyring(), known: knownVaultsFile(join(t.dir, '..', 'stranger', 'known-vaults.json')) });
    await writeConfig(t.dir, await forge({ ...c, keys: [A, C] }, [C], keyring()));
    assert.equal((await stranger.list()).length, 1);
    stranger.close();
    assert.match(String(e.detail['found']), new RegExp(C.keyId));
  });

  it('the owner\'s key removed (forged under the attacker\'s key, or by hand) is refused', async () => {
    const t = await fresh([A]);
    const c = await readConfig(t.dir);
    await writeConfig(t.dir, await forge({ ...c, keys: [C] }, [C], keyring()));
    await refused(t, 'vault-keys-changed', 'keys-changed');
    await writeConfig(t.dir, { ...c, keys: [C] });
    await refused(t, 'vault-corrupt', 'config-mac');
    await refused({ dir: t.dir, src: t.src }, 'vault-corrupt', 'config-mac');
  });

  it('reordered keys and a key swapped for another are refused', async () => {
    const t = await fresh([A, B]);
    const c = await readConfig(t.dir);
    await writeConfig(t.dir, { ...c, keys: [B, A] });
    await refused(t, 'vault-corrupt', 'config-mac');
    await writeConfig(t.dir, { ...c, keys: [A, C] });
    await refused(t, 'vault-corrupt', 'config-mac');
    // The stanzas swapped instead: each unwraps (it is the vault's key) but to another vault's config key.
    const other = await readConfig((await fresh([A, B])).dir);
    await writeConfig(t.dir, { ...c, auth: { stanzas: other.auth!.stanzas, mac: c.auth!.mac } });
    await refused({ dir: t.dir, src: t.src }, 'vault-corrupt', 'config-mac');
  });

  it('a reader holding none of the vault\'s keys still reads what it can, but seals nothing', async () => {
    const t = await fresh([A]);
    const v = await Vault.open(t.dir, { keyring: twoKeyKeyring([masters[1]!]), known: t.known });
    try {
      assert.deepEqual(await v.list(), []);
      assert.equal(v.unreadable().length, 1);
      await assert.rejects(v.add([join(t.src, 'b.txt')]), (e: unknown) => isCachetError(e) && e.code === 'local-key-missing');
    } finally {
      v.close();
    }
    assert.equal((await itemKeys(t.dir)).length, 1);
  });

  it('a changed vault id is refused (the MAC and the wrapped config key name the id)', async () => {
    const t = await fresh([A]);
    await editJson(t.dir, (o) => (o['id'] = randomBytes(16).toString('hex')));
    await refused(t, 'vault-corrupt', 'config-mac');
  });

  it('another vault\'s whole vault.json (valid MAC, same keys): vault.json is the odd one out, never "remove the items"', async () => {
    const victim = await fresh([A]);
    const other = await fresh([A]);
    const v2 = await Vault.open(victim.dir, { keyring: keyring(), known: victim.known });
    await v2.add([join(victim.src, 'b.txt')]);
    v2.close();
    const victimId = (await readConfig(victim.dir)).id;
    const otherId = (await readConfig(other.dir)).id;
    await writeFile(join(victim.dir, 'vault.json'), await readFile(join(other.dir, 'vault.json')));
    // The victim's client also knows the other vault (the attacker's pick); the MAC is valid.
    await Vault.open(other.dir, { keyring: keyring(), known: victim.known }).then(async (v) => (await v.list(), v.close()));
    const e = await refused(victim, 'vault-corrupt', 'vault-id-changed');
    assert.equal(e.detail['items'], victimId);
    assert.equal(e.detail['vault'], otherId);
    const words = describeError(e);
    assert.match(`${words.title} ${words.hint}`, /vault\.json/);
    assert.doesNotMatch(`${words.title} ${words.hint}`, /cachet rm/);
  });

  it('a version-1 vault is read, upgraded to version 2 on its first add, and then cannot be downgraded', async () => {
    const t = await fresh([A]);
    const c = await readConfig(t.dir);
    await writeConfig(t.dir, { format: c.format, version: 1, id: c.id, keys: c.keys, created: c.created });
    const home = knownVaultsFile(join(t.dir, '..', 'home2', 'known-vaults.json')); // a client that met it at version 1
    let v = await Vault.open(t.dir, { keyring: keyring(), known: home });
    assert.deepEqual((await v.list()).map((i) => i.path), ['a.txt']);
    assert.equal((await readConfig(t.dir)).version, 1, 'reading does not write');
    await v.add([join(t.src, 'b.txt')]);
    v.close();
    const up = await readConfig(t.dir);
    assert.equal(up.version, 2);
    assert.deepEqual(up.keys, c.keys);
    assert.equal(up.id, c.id);
    v = await Vault.open(t.dir, { keyring: keyring(), known: home });
    assert.equal((await v.list()).length, 2);
    v.close();
    // Downgraded by a storage writer (to slip a key in unauthenticated): refused by both clients.
    await writeConfig(t.dir, { format: c.format, version: 1, id: c.id, keys: [A, C], created: c.created });
    await refused({ ...t, known: home }, 'vault-keys-changed');
    await writeConfig(t.dir, { format: c.format, version: 1, id: c.id, keys: [A], created: c.created });
    await refused({ ...t, known: home }, 'vault-keys-changed', 'downgrade');
  });

  it('a version-1 vault whose id was changed: vault.json is named the odd one out (#13)', async () => {
    const t = await fresh([A]);
    const c = await readConfig(t.dir);
    await writeConfig(t.dir, { format: c.format, version: 1, id: randomBytes(16).toString('hex'), keys: c.keys, created: c.created });
    const e = await refused({ dir: t.dir, src: t.src }, 'vault-corrupt', 'vault-id-changed');
    assert.equal(e.detail['items'], c.id);
  });

  it('a re-key by a team member is accepted by a client that knew only the retired key', async () => {
    const t = await fresh([A]);
    const member = knownVaultsFile(join(t.dir, '..', 'member', 'known-vaults.json'));
    let v = await Vault.open(t.dir, { keyring: keyring(), known: member });
    await v.list();
    await v.rekey([B]);
    v.close();
    assert.deepEqual((await readConfig(t.dir)).keys, [B]);
    v = await Vault.open(t.dir, { keyring: keyring(), known: t.known }); // the owner's client knew [A]
    assert.deepEqual((await v.list()).map((i) => i.keyIds), [[B.keyId]]);
    v.close();
    assert.deepEqual((await t.known.get((await readConfig(t.dir)).id))?.keys, [B]);
  });

  it('a client that knew only a key already retired is refused, and accepts the new keys once it forgets the vault', async () => {
    const t = await fresh([A]);
    const member = knownVaultsFile(join(t.dir, '..', 'member', 'known-vaults.json'));
    let v = await Vault.open(t.dir, { keyring: keyring(), known: member });
    await v.rekey([B]);
    await v.rekey([C]); // A is long gone: nothing in vault.json is vouched for by a key the owner knew
    v.close();
    await refused({ dir: t.dir, known: t.known, src: t.src }, 'vault-keys-changed');
    const id = (await readConfig(t.dir)).id;
    assert.equal(await t.known.forget(id), true);
    assert.equal(await t.known.get(id), undefined);
    v = await Vault.open(t.dir, { keyring: keyring(), known: t.known });
    assert.deepEqual((await v.list()).map((i) => i.keyIds), [[C.keyId]]);
    v.close();
    assert.deepEqual((await t.known.get(id))?.keys, [C], 'met as new, then remembered');
    assert.equal(await member.forget(randomBytes(16).toString('hex')), false, 'forgetting an unknown vault says so');
  });
});

describe('known-vaults memory', () => {
  const ids = Array.from({ length: 24 }, () => randomBytes(16).toString('hex'));
  it('many processes remembering different vaults at once lose none (one shared file lost updates)', async () => {
    const home = join(root, `kv${n++}`, 'known-vaults.json');
    // Separate store objects, as separate processes have; every write is interleaved with the others.
    await Promise.all(ids.map((id, i) => knownVaultsFile(home).remember(id, { keys: [i % 2 ? A : B], authenticated: true })));
    for (const [i, id] of ids.entries()) assert.deepEqual((await knownVaultsFile(home).get(id))?.keys, [i % 2 ? A : B], id);
  });

  it('reads the single file of earlier versions, and forget removes an entry from it too', async () => {
    const base = join(root, `kv${n++}`);
    await mkdir(base, { recursive: true });
    const file = join(base, 'known-vaults.json');
    await writeFile(file, JSON.stringify({ format: 'cachet-known-vaults', version: 1, vaults: { [ids[0]!]: { keys: [A], authenticated: true }, [ids[1]!]: { keys: [B], authenticated: false } } }));
    const kv = knownVaultsFile(file);
    assert.deepEqual(await kv.get(ids[0]!), { keys: [A], authenticated: true });
    await kv.remember(ids[0]!, { keys: [C], authenticated: true });
    assert.deepEqual((await kv.get(ids[0]!))?.keys, [C], 'its own file wins over the old one');
    assert.equal(await kv.forget(ids[1]!), true);
    assert.equal(await kv.get(ids[1]!), undefined);
    assert.equal(await kv.forget(ids[0]!), true);
    assert.equal(await kv.get(ids[0]!), undefined, 'gone from both places');
  });

  it('a damaged entry is an error, never "never seen" (that would trust any key set)', async () => {
    const file = join(root, `kv${n++}`, 'known-vaults.json');
    const kv = knownVaultsFile(file);
    await kv.remember(ids[2]!, { keys: [A], authenticated: true });
    await writeFile(join(dirname(file), 'known-vaults', `${ids[2]!}.json`), '{"format":"cachet-known-vaults","vault":"x"');
    await assert.rejects(kv.get(ids[2]!), (e: unknown) => isCachetError(e) && e.code === 'io');
  });
});

describe('vault.json authentication (KMS, moto)', () => {
  let moto: Moto;
  let victimKey: string;
  let attackerKey: string;
  let unwraps = 0;
  const kmsRing = (): Keyring => {
    const inner = new AwsKmsProvider({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS, maxAttempts: 2 });
    const p: KeyProvider = {
      type: 'aws-kms',
      generateDataKey: (k, c, o) => inner.generateDataKey(k, c, o),
      wrapKey: (k, pl, c, o) => inner.wrapKey(k, pl, c, o),
      unwrapKey: (s, c, o) => (unwraps++, inner.unwrapKey(s, c, o)),
    };
    return new Keyring([p]);
  };
  before(async () => {
    moto = await startMoto();
    victimKey = await createTestKey(moto.endpoint, 'alias/victim');
    attackerKey = await createTestKey(moto.endpoint, 'alias/attacker'); // moto lets the victim Encrypt and Decrypt under it
  });
  after(async () => {
    await moto?.stop();
  });

  async function kmsVault(): Promise<{ dir: string; known: KnownVaults; src: string }> {
    const t = await fresh([{ provider: 'aws-kms', keyId: victimKey }], kmsRing());
    const v = await Vault.open(t.dir, { keyring: kmsRing(), known: t.known });
    for (let i = 0; i < 5; i++) await writeFile(join(t.src, `m${i}.txt`), `m${i}`);
    await v.add([0, 1, 2, 3, 4].map((i) => join(t.src, `m${i}.txt`)));
    v.close();
    return t;
  }

  async function kmsRefused(t: { dir: string; known?: KnownVaults; src: string }, code: string, reason?: string): Promise<void> {
    const before = await itemKeys(t.dir);
    const v = await Vault.open(t.dir, { keyring: kmsRing(), known: t.known });
    try {
      await assert.rejects(v.add([join(t.src, 'b.txt')]), (e: unknown) => isCachetError(e) && e.code === code && (reason === undefined || e.detail['reason'] === reason));
    } finally {
      v.close();
    }
    assert.deepEqual(await itemKeys(t.dir), before);
    assert.ok(before.flat().every((k) => k !== attackerKey));
  }

  it('opening costs one config unwrap per open, not one per item', async () => {
    const t = await kmsVault();
    unwraps = 0;
    const v = await Vault.open(t.dir, { keyring: kmsRing(), known: t.known });
    assert.equal((await v.list()).length, 6);
    await v.list();
    v.close();
    assert.equal(unwraps, 2, 'the config key and the index key, once each');
  });

  it('an appended attacker KMS key (by hand, or with a MAC forged under it) is refused', async () => {
    const t = await kmsVault();
    await editJson(t.dir, (o) => (o['keys'] as unknown[]).push({ provider: 'aws-kms', keyId: attackerKey }));
    await kmsRefused(t, 'vault-corrupt', 'config-mac');
    const c = await readConfig(t.dir);
    await writeConfig(t.dir, await forge(c, [{ provider: 'aws-kms', keyId: attackerKey }], kmsRing()));
    await kmsRefused(t, 'vault-keys-changed', 'keys-changed');
  });

  it('the victim\'s key replaced by the attacker\'s (MAC forged under it) is refused', async () => {
    const t = await kmsVault();
    const c = await readConfig(t.dir);
    const attacker: VaultKey = { provider: 'aws-kms', keyId: attackerKey };
    await writeConfig(t.dir, await forge({ ...c, keys: [attacker] }, [attacker], kmsRing()));
    await kmsRefused(t, 'vault-keys-changed', 'keys-changed');
  });

  it('a changed vault id fails the config key\'s KMS context', async () => {
    const t = await kmsVault();
    await editJson(t.dir, (o) => (o['id'] = randomBytes(16).toString('hex')));
    await kmsRefused({ dir: t.dir, src: t.src }, 'vault-corrupt', 'config-mac');
  });
});
