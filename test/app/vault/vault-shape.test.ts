// The vault facade over its parts: the concurrency clamp seen through Vault.add (NaN once ran
// every file at once), the syscalls `cachet get` costs (vault.json, index.env and the item each
// opened once, the item stat()ed at most once), and Vault.export's destination rules.
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { isCachetError } from '../../../app/errors.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring, type CallOptions, type EncryptionContext, type KeyProvider, type Stanza } from '../../../app/keys/provider.js';
import { Vault, type VaultKey } from '../../../app/vault/vault.js';

const local = LocalKeyProvider.fromMasterKey(randomBytes(32));
const KEY: VaultKey = { provider: 'local', keyId: local.keyId };

/** Tracks how many data-key requests are in flight at once (each takes a few ms). */
class PeakProvider implements KeyProvider {
  readonly type = 'local' as const;
  running = 0;
  peak = 0;
  async generateDataKey(keyId: string, ctx: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      await sleep(15);
      return await local.generateDataKey(keyId, ctx, opts);
    } finally {
      this.running--;
    }
  }
  wrapKey(keyId: string, pt: Uint8Array, ctx: EncryptionContext, opts?: CallOptions): Promise<Stanza> {
    return local.wrapKey(keyId, pt, ctx, opts);
  }
  unwrapKey(s: Stanza, ctx: EncryptionContext, opts?: CallOptions): Promise<Buffer> {
    return local.unwrapKey(s, ctx, opts);
  }
}

let root: string;
let n = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cachet-shape-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fresh(): Promise<string> {
  const d = join(root, `t${++n}`);
  await mkdir(d, { recursive: true });
  return d;
}

const sink = (): Writable & { data: Buffer[] } => {
  const data: Buffer[] = [];
  const w = new Writable({ write(c: Buffer, _e, cb) { data.push(c); cb(); } }) as Writable & { data: Buffer[] };
  w.data = data;
  return w;
};

describe('concurrency', () => {
  it('a NaN concurrency is the default (4), not "everything at once"', async () => {
    const work = await fresh();
    const src = join(work, 'src');
    await mkdir(src);
    for (let i = 0; i < 16; i++) await writeFile(join(src, `f${i}.txt`), `file ${i}`);
    const p = new PeakProvider();
    const vault = await Vault.create(join(work, 'v'), { keys: [KEY], keyring: new Keyring([p]) });
    p.peak = 0;
    const r = await vault.add([src], { concurrency: Number.NaN });
    assert.equal(r.added.length, 16);
    assert.ok(p.peak <= 4, `peak of ${p.peak} data-key requests at once`);
    vault.close();
  });
});

describe('hot path: get', () => {
  it('opens vault.json, index.env and the item once each, and stats the item at most once', async () => {
    const work = await fresh();
    const dir = join(work, 'v');
    const keyring = new Keyring([local]);
    const made = await Vault.create(dir, { keys: [KEY], keyring });
    await writeFile(join(work, 'a.txt'), 'hello');
    const [item] = (await made.add([join(work, 'a.txt')])).added;
    made.close();

    const opens: string[] = [];
    const stats: string[] = [];
    const record = (list: string[]) => (p: unknown) => {
      if (typeof p === 'string' && p.startsWith(dir)) list.push(p.slice(dir.length + 1));
    };
    const rec = { open: record(opens), stat: record(stats) };
    const realOpen = fsp.open.bind(fsp);
    const realStat = fsp.stat.bind(fsp);
    const realLstat = fsp.lstat.bind(fsp);
    mock.method(fsp, 'open', (p: string, ...rest: unknown[]) => (rec.open(p), (realOpen as (...a: unknown[]) => unknown)(p, ...rest)));
    mock.method(fsp, 'stat', (p: string, ...rest: unknown[]) => (rec.stat(p), (realStat as (...a: unknown[]) => unknown)(p, ...rest)));
    mock.method(fsp, 'lstat', (p: string, ...rest: unknown[]) => (rec.stat(p), (realLstat as (...a: unknown[]) => unknown)(p, ...rest)));
    syncBuiltinESMExports();
    let out: Buffer;
    try {
      const vault = await Vault.open(dir, { keyring });
      const w = sink();
      await vault.get('a.txt', w);
      out = Buffer.concat(w.data);
      vault.close();
    } finally {
      mock.restoreAll();
      syncBuiltinESMExports();
    }
    assert.equal(out.toString(), 'hello');
    const itemName = join('items', `${item!.id}.env`);
    const count = (l: string[], name: string): number => l.filter((x) => x === name).length;
    assert.equal(count(opens, 'vault.json'), 1, `vault.json opened: ${JSON.stringify(opens)}`);
    assert.equal(count(opens, 'index.env'), 1, `index.env opened: ${JSON.stringify(opens)}`);
    assert.equal(count(opens, itemName), 1, `item opened: ${JSON.stringify(opens)}`);
    assert.ok(count(stats, itemName) <= 1, `item stat()ed ${count(stats, itemName)} times: ${JSON.stringify(stats)}`);
  });
});

describe('Vault.export', () => {
  it('writes each item under its name, never overwrites (name (2).ext), keeps folders on request', async () => {
    const work = await fresh();
    const vault = await Vault.create(join(work, 'v'), { keys: [KEY], keyring: new Keyring([local]) });
    await mkdir(join(work, 'src', 'docs'), { recursive: true });
    await writeFile(join(work, 'src', 'docs', 'a.txt'), 'A');
    const { added } = await vault.add([join(work, 'src', 'docs')]);
    const out = join(work, 'out');
    await mkdir(out);
    await writeFile(join(out, 'a.txt'), 'already here');
    const r1 = await vault.export(added.map((i) => i.id), out);
    assert.deepEqual(r1.failed, []);
    assert.equal(r1.written[0]!.out, join(out, 'a (2).txt'));
    assert.equal(await readFile(join(out, 'a.txt'), 'utf8'), 'already here');
    assert.equal(await readFile(join(out, 'a (2).txt'), 'utf8'), 'A');
    const r2 = await vault.export(added.map((i) => i.id), out, { keepFolders: true });
    assert.equal(r2.written[0]!.out, join(out, 'docs', 'a.txt'));
    vault.close();
  });

  it('refuses a kept folder that is a symbolic link out of the destination, creating nothing through it', async () => {
    const work = await fresh();
    const vault = await Vault.create(join(work, 'v'), { keys: [KEY], keyring: new Keyring([local]) });
    await mkdir(join(work, 'src', 'docs', 'deep'), { recursive: true });
    await writeFile(join(work, 'src', 'docs', 'deep', 'a.txt'), 'A');
    const { added } = await vault.add([join(work, 'src', 'docs')]);
    const out = join(work, 'out');
    const elsewhere = join(work, 'elsewhere');
    await mkdir(out);
    await mkdir(elsewhere);
    await symlink(elsewhere, join(out, 'docs'));
    const r = await vault.export(added.map((i) => i.id), out, { keepFolders: true });
    assert.equal(r.written.length, 0);
    assert.equal(r.failed.length, 1);
    assert.equal(r.failed[0]!.error.detail['reason'], 'escapes-destination');
    assert.deepEqual(await fsp.readdir(elsewhere), [], 'no folder made through the link');
    vault.close();
  });

  it('on Windows an item named a:b.txt is refused (not-portable), never written to an alternate data stream', async () => {
    const work = await fresh();
    const vault = await Vault.create(join(work, 'v'), { keys: [KEY], keyring: new Keyring([local]) });
    await writeFile(join(work, 'a:b.txt'), 'ads');
    const { added } = await vault.add([join(work, 'a:b.txt')]);
    const r = await vault.export(added.map((i) => i.id), join(work, 'out'), { platform: 'win32' });
    assert.equal(r.written.length, 0);
    assert.ok(isCachetError(r.failed[0]!.error, 'bad-request'));
    assert.equal(r.failed[0]!.error.detail['reason'], 'not-portable');
    vault.close();
  });
});
