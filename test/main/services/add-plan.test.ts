// The app's add plan is the core's add scan (app/vault/scan.ts): what the conflict dialog asks
// about is what Vault.add writes. Each case below once differed: one bad name or one over-deep
// folder refused the whole drop (the CLI adds the rest), and a folder holding the open vault
// planned its vault.json and index.env as files to add.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring } from '../../../app/keys/provider.js';
import { MAX_DEPTH } from '../../../app/vault/paths.js';
import { Vault } from '../../../app/vault/vault.js';
import { planAdd } from '../../../main/services/add-plan.js';

const local = LocalKeyProvider.fromMasterKey(randomBytes(32));
let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cachet-plan-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** What Vault.add makes of the same sources, for comparison. */
async function added(sources: string[], vaultDir: string): Promise<string[]> {
  const v = await Vault.open(vaultDir, { keyring: new Keyring([local]) });
  try {
    return (await v.add(sources)).added.map((i) => i.path).sort();
  } finally {
    v.close();
  }
}

describe('planAdd is the core scan', () => {
  test('one badly named file does not refuse the drop: the plan lists the rest, as add adds them', async () => {
    const src = join(root, 'bad-name');
    await mkdir(src);
    await writeFile(join(src, 'ok.txt'), 'ok');
    await writeFile(join(src, 'back\\slash.txt'), 'no vault path has a backslash');
    const vaultDir = join(root, 'v1');
    (await Vault.create(vaultDir, { keys: [{ provider: 'local', keyId: local.keyId }], keyring: new Keyring([local]) })).close();
    const plan = await planAdd([src], '', { vaultDir });
    assert.deepEqual(plan.map((p) => p.vaultPath), ['bad-name/ok.txt']);
    assert.deepEqual(await added([src], vaultDir), ['bad-name/ok.txt']);
  });

  test('one over-deep folder does not refuse the drop: its shallow siblings are planned', async () => {
    const src = join(root, 'deep');
    let d = src;
    for (let i = 0; i < MAX_DEPTH + 2; i++) d = join(d, 'd');
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'too-deep.txt'), 'x');
    await writeFile(join(src, 'top.txt'), 'top');
    const plan = await planAdd([src], '');
    assert.deepEqual(plan.map((p) => p.vaultPath), ['deep/top.txt']);
  });

  test('a dropped folder that holds the open vault does not plan the vault\'s own files', async () => {
    const parent = join(root, 'holder');
    await mkdir(parent);
    await writeFile(join(parent, 'notes.txt'), 'notes');
    const vaultDir = join(parent, 'vault');
    (await Vault.create(vaultDir, { keys: [{ provider: 'local', keyId: local.keyId }], keyring: new Keyring([local]) })).close();
    const plan = await planAdd([parent], '', { vaultDir });
    assert.deepEqual(plan.map((p) => p.vaultPath), ['holder/notes.txt']);
    assert.deepEqual(await added([parent], vaultDir), ['holder/notes.txt']);
  });
});
