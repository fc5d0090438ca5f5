// Issue 4: every IPC channel fed oversized and out-of-vault requests is refused and main keeps
// serving. Requests are derived from each channel's schema in contract/ipc.ts (a valid base
// request, then one field made absurd), sent through the real `dispatch` (main-services, headless
// platform, a local-key vault in a temp folder):
// - oversized: a 10 MB string in each string field (record keys too), 1,000,000 elements in each
//   array or record field, an object nested 10,000 deep, 100,000 extra keys -> 'bad-request' within
//   2 s; and each schema on its own refuses the same (the contract's maxima, not only dispatch's
//   REQUEST_LIMITS guard);
// - out-of-vault: absolute and '..' values in every ItemId/VaultPath/VaultDir field ->
//   'bad-request'; FsPath fields outside every grant -> 'permission-denied' (the contract header's
//   choice for paths the user did not choose);
// - symlinks: an item file in items/ that is a link (to a file outside, or to a valid envelope
//   outside) is never read through nor written through; a vault folder reached through a link works.
// Malformed requests and field-level traversal samples live in test/main/ipc/handlers.test.ts,
// granted-folder symlinks in test/main/ipc/handlers-grants.test.ts.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, rm, symlink, unlink, lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHANNEL_NAMES, CHANNELS, FsPath, ItemId, VaultDir, VaultLocation, VaultPath, type Channel, type Result } from '../../contract/ipc.js';
import { oversized, REQUEST_LIMITS } from '../../main/ipc/dispatch.js';
import { createHeadlessPlatform } from '../../main/platform.js';
import { createMainServices, type MainApp } from '../../main/services/main-services.js';
import { tempDir, invokeOk } from '../main/helpers.js';

type Path = (string | number)[];
type Failure = Extract<Result<unknown>, { ok: false }>['error'];
/** A place in a request: a field, or (recordKey) the key of a record field's one entry. */
interface Leaf {
  path: Path;
  schema: any;
  kind: 'string' | 'array' | 'record' | 'record-key';
}

const MB10 = 10 * 1024 * 1024;
const TIME_LIMIT_MS = 2000;
const def = (s: any): any => s._zod.def;

// ---------------------------------------------------------------------------------------------
// Requests from schemas

const STRING_CANDIDATES = ['a'.repeat(32), 'job-1', `tmp-${'a'.repeat(16)}`, 'folder/file.txt', '/tmp/cachet-x', 'correct horse battery', 'name', 's3://cachet-x/team'];
const NUMBER_CANDIDATES = [1, 0, 10];

function unwrap(s: any): any {
  let cur = s;
  for (let i = 0; i < 10 && ['optional', 'default', 'nullable', 'prefault'].includes(def(cur).type); i++) cur = def(cur).innerType;
  return cur;
}

/** A valid value of `s` (first fitting candidate for strings and numbers). */
function sample(s: any): unknown {
  const d = def(s);
  switch (d.type) {
    case 'optional': case 'default': case 'nullable': case 'prefault':
      return sample(d.innerType);
    case 'object':
      return Object.fromEntries(Object.entries(s.shape).map(([k, v]) => [k, sample(v)]));
    case 'string': {
      const hit = STRING_CANDIDATES.find((c) => s.safeParse(c).success);
      assert.ok(hit !== undefined, 'a string candidate fits every string field');
      return hit;
    }
    case 'number': {
      const hit = NUMBER_CANDIDATES.find((c) => s.safeParse(c).success);
      assert.ok(hit !== undefined, 'a number candidate fits');
      return hit;
    }
    case 'boolean': return true;
    case 'null': return null;
    case 'enum': return Object.values(d.entries)[0];
    case 'literal': return d.values[0];
    case 'array': return [sample(d.element)];
    case 'record': return { [sample(d.keyType) as string]: sample(d.valueType) };
    default: assert.fail(`no sample for a ${d.type} schema`);
  }
}

/** The request shapes of a channel: the options of a top-level union, else the request itself. */
function variants(channel: Channel): any[] {
  const s = CHANNELS[channel].request as any;
  return def(s).type === 'union' ? def(s).options : [s];
}

function leaves(s: any, path: Path, out: Leaf[]): Leaf[] {
  const u = unwrap(s);
  const d = def(u);
  if (d.type === 'object') for (const [k, v] of Object.entries(u.shape)) leaves(v, [...path, k], out);
  else if (d.type === 'string') out.push({ path, schema: u, kind: 'string' });
  else if (d.type === 'array') {
    out.push({ path, schema: u, kind: 'array' });
    leaves(d.element, [...path, 0], out);
  } else if (d.type === 'record') {
    out.push({ path, schema: u, kind: 'record' });
    out.push({ path, schema: unwrap(d.keyType), kind: 'record-key' });
    leaves(d.valueType, [...path, '*'], out);
  }
  return out;
}

function setAt(obj: any, path: Path, value: unknown): void {
  let cur = obj;
  for (const p of path.slice(0, -1)) cur = cur[p === '*' ? Object.keys(cur)[0]! : p];
  const last = path[path.length - 1]!;
  cur[last === '*' ? Object.keys(cur)[0]! : last] = value;
}

/** `base` with the leaf replaced (a record-key leaf: its one entry re-keyed to `value`). */
function withLeaf(base: unknown, leaf: Leaf, value: unknown): any {
  const req = structuredClone(base) as any;
  if (leaf.kind === 'record-key') {
    let rec = req;
    for (const p of leaf.path) rec = rec[p];
    const [k] = Object.keys(rec);
    const v = rec[k!];
    delete rec[k!];
    rec[value as string] = v;
    return req;
  }
  setAt(req, leaf.path, value);
  return req;
}

function deep(levels: number): unknown {
  let o: unknown = 'bottom';
  for (let i = 0; i < levels; i++) o = { a: o };
  return o;
}

// ---------------------------------------------------------------------------------------------
// Harness

let dir: string;
let app: MainApp;
let platform: ReturnType<typeof createHeadlessPlatform>;
let logs: string[];
let cleanup: () => Promise<void>;
let vaultDir: string;
let granted: string;
let src: string;

const ok = <T = any>(channel: string, req: unknown): Promise<T> => invokeOk<T>(app, channel, req);
async function refused(channel: string, req: unknown): Promise<{ error: Failure; ms: number }> {
  const t0 = performance.now();
  const r = await app.invoke(channel, req);
  const ms = performance.now() - t0;
  assert.equal(r.ok, false, `${channel} should be refused`);
  return { error: (r as { ok: false; error: Failure }).error, ms };
}
async function waitJob(jobId: string): Promise<any> {
  const d = await app.services.jobs.wait(jobId);
  assert.ok(d, 'job known');
  return d;
}
/** Still serving: app:state answers and the vault lists. */
async function stillServing(): Promise<void> {
  const st = await ok('app:state', {});
  assert.equal(st.vault?.path, vaultDir);
  await ok('items:list', {});
  assert.deepEqual(logs.filter((l) => l.includes('internal')), [], 'no internal errors');
}

before(async () => {
  ({ dir, cleanup } = await tempDir('cachet-hardening-ipc-'));
  logs = [];
  platform = createHeadlessPlatform({ userDataDir: join(dir, 'userData') });
  app = await createMainServices(platform, { localScryptN: 2 ** 14, validateResponses: true, log: (m) => logs.push(m) });
  await app.start();
  const lk = await ok('local-key:create', { protection: 'passphrase', passphrase: 'correct horse battery' });
  vaultDir = join(dir, 'vault');
  platform.answerNext(vaultDir);
  await ok('dialog:pick-folder', { purpose: 'create-vault' });
  await ok('vault:create', { path: vaultDir, keys: [{ provider: 'local', keyId: lk.keyId }] });
  // One folder granted for every kind, to show '..' cannot climb out of a grant.
  granted = join(dir, 'granted');
  await mkdir(granted);
  for (const purpose of ['add', 'export', 'create-vault']) {
    platform.answerNext(granted);
    await ok('dialog:pick-folder', { purpose });
  }
  platform.answerNext(join(granted, 'saved.bin'));
  await ok('dialog:save', { suggestedName: 'saved.bin' });
  src = join(granted, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a.txt'), 'alpha');
  await writeFile(join(src, 'b.txt'), 'bravo');
  const { jobId } = await ok('items:add', { sources: [join(src, 'a.txt'), join(src, 'b.txt')], to: '' });
  assert.equal((await waitJob(jobId)).status, 'ok');
});
after(async () => {
  await app.stop();
  await cleanup();
});

// ---------------------------------------------------------------------------------------------

describe('oversized requests', () => {
  test('the schema walk covers the contract: every channel has a valid base request', () => {
    let strings = 0;
    let arrays = 0;
    for (const channel of CHANNEL_NAMES) {
      for (const v of variants(channel)) {
        const base = sample(v);
        assert.ok(CHANNELS[channel].request.safeParse(base).success, `${channel} base ${JSON.stringify(base)}`);
        for (const l of leaves(v, [], [])) {
          if (l.kind === 'string' || l.kind === 'record-key') strings++;
          else arrays++;
        }
      }
    }
    // Some known fields, so a broken walk cannot pass vacuously.
    assert.ok(strings >= 30, `string fields found: ${strings}`);
    assert.ok(arrays >= 10, `array/record fields found: ${arrays}`);
  });

  test('each schema refuses a 10 MB string in every string field, at that field', () => {
    const big = 'a'.repeat(MB10);
    for (const channel of CHANNEL_NAMES) {
      for (const v of variants(channel)) {
        const base = sample(v);
        for (const l of leaves(v, [], []).filter((x) => x.kind === 'string' || x.kind === 'record-key')) {
          const r = CHANNELS[channel].request.safeParse(withLeaf(base, l, big));
          assert.equal(r.success, false, `${channel} ${l.path.join('.')} accepts 10 MB`);
          const at = r.error!.issues[0]!.path.slice(0, l.path.length).map(String);
          assert.deepEqual(at, l.path.map((p) => (p === '*' ? at[l.path.indexOf(p)] : String(p))), `${channel}: refused at the field`);
        }
      }
    }
  });

  test('each schema refuses 1,000,000 elements in every array and record field (contract maxima, no dispatch guard)', () => {
    for (const channel of CHANNEL_NAMES) {
      for (const v of variants(channel)) {
        const base = sample(v);
        for (const l of leaves(v, [], []).filter((x) => x.kind === 'array' || x.kind === 'record')) {
          const one = sample(l.kind === 'array' ? def(l.schema).element : def(l.schema).valueType);
          let value: unknown;
          if (l.kind === 'array') value = new Array(1_000_000).fill(one);
          else {
            // Distinct valid keys: 'k<n>' is a vault path.
            const rec: Record<string, unknown> = {};
            for (let i = 0; i < 1_000_000; i++) rec[`k${i}`] = one;
            value = rec;
          }
          const t0 = performance.now();
          const r = CHANNELS[channel].request.safeParse(withLeaf(base, l, value));
          assert.equal(r.success, false, `${channel} ${l.path.join('.')} accepts 1e6 elements`);
          assert.ok(performance.now() - t0 < 10_000, `${channel} ${l.path.join('.')}: schema refusal is bounded`);
        }
      }
    }
  });

  test('dispatch: every channel, every oversized shape -> bad-request within 2 s; main keeps serving', async () => {
    const big = 'a'.repeat(MB10);
    const million = new Array(1_000_000).fill('a'.repeat(32));
    const nested = deep(10_000);
    const extra: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) extra[`x${i}`] = i;
    let cases = 0;
    for (const channel of CHANNEL_NAMES) {
      for (const v of variants(channel)) {
        const base = sample(v) as Record<string, unknown>;
        const reqs: [string, unknown][] = [];
        const ls = leaves(v, [], []);
        for (const l of ls) {
          if (l.kind === 'string' || l.kind === 'record-key') reqs.push([`${l.path.join('.')}: 10 MB string`, withLeaf(base, l, big)]);
          if (l.kind === 'array' || l.kind === 'record') reqs.push([`${l.path.join('.')}: 1e6 elements`, withLeaf(base, l, million)]);
        }
        for (const k of Object.keys(base)) reqs.push([`${k}: nested 10,000 deep`, { ...base, [k]: nested }]);
        // Channels with no field (or besides them): the same values under a key the schema lacks.
        reqs.push(['extra key: 10 MB string', { ...base, extra: big }]);
        reqs.push(['extra key: 1e6 elements', { ...base, extra: million }]);
        reqs.push(['extra key: nested 10,000 deep', { ...base, extra: nested }]);
        reqs.push(['100,000 extra keys', { ...base, ...extra }]);
        reqs.push(['the request itself: 1e6 elements', million]);
        reqs.push(['the request itself: nested 10,000 deep', nested]);
        for (const [what, req] of reqs) {
          const { error, ms } = await refused(channel, req);
          assert.equal(error.code, 'bad-request', `${channel} ${what}: ${error.code} ${error.message}`);
          assert.equal(error.detail['channel'], channel);
          assert.ok(['invalid-request', 'too-large'].includes(String(error.detail['reason'])), `${channel} ${what}: ${error.detail['reason']}`);
          assert.ok(ms < TIME_LIMIT_MS, `${channel} ${what}: took ${Math.round(ms)} ms`);
          assert.ok(error.message.length < 300, 'the error does not echo the request');
          cases++;
        }
      }
      await stillServing();
    }
    assert.ok(cases > CHANNEL_NAMES.length * 8, `cases: ${cases}`);
    assert.equal(platform.opened.length, 0, 'no handler opened anything');
  });

  test('dispatch guard: refuses before parsing (too deep, too many values, cycles), passes the largest legal requests', async () => {
    assert.equal(oversized(deep(REQUEST_LIMITS.depth + 1)), 'nested too deep');
    assert.equal(oversized(deep(REQUEST_LIMITS.depth - 1)), undefined);
    assert.equal(oversized(new Array(REQUEST_LIMITS.values + 1).fill(0)), 'too many values');
    const cyclic: Record<string, unknown> = { jobId: 'job-1' };
    cyclic['self'] = cyclic;
    assert.equal(oversized(cyclic), 'nested too deep');
    const { error } = await refused('job:cancel', cyclic);
    assert.equal(error.code, 'bad-request');
    assert.equal(error.detail['reason'], 'too-large');
    // The contract's own maxima fit under the guard: 100,000 ids reach the handler.
    const ids = Array.from({ length: 100_000 }, (_, i) => i.toString(16).padStart(32, '0'));
    assert.equal(oversized({ ids }), undefined);
    const r = await ok('items:delete', { ids });
    assert.equal(r.deleted, 0, 'unknown ids are skipped');
    await stillServing();
  });
});

// ---------------------------------------------------------------------------------------------

/** Leaves whose schema is `target` (directly or as an array's element / a record's key). */
function fieldsOf(target: unknown): { channel: Channel; base: unknown; leaf: Leaf; inArray: boolean }[] {
  const out: { channel: Channel; base: unknown; leaf: Leaf; inArray: boolean }[] = [];
  for (const channel of CHANNEL_NAMES) {
    for (const v of variants(channel)) {
      const base = sample(v);
      for (const l of leaves(v, [], [])) {
        if (l.schema === target && (l.kind === 'string' || l.kind === 'record-key')) out.push({ channel, base, leaf: l, inArray: false });
        if (l.kind === 'array' && unwrap(def(l.schema).element) === target) out.push({ channel, base, leaf: l, inArray: true });
      }
    }
  }
  return out;
}

describe('out-of-vault requests', () => {
  test('absolute paths and ".." in every ItemId, VaultPath and VaultDir field -> bad-request', async () => {
    const fields = [...fieldsOf(ItemId), ...fieldsOf(VaultPath), ...fieldsOf(VaultDir)];
    const names = new Set(fields.map((f) => `${f.channel} ${f.leaf.path.join('.')}${f.leaf.kind === 'record-key' ? '{key}' : ''}`));
    // The walk finds the fields we know of (so it cannot pass vacuously).
    for (const known of ['item:rename id', 'item:rename path', 'items:move to', 'items:add to', 'items:add decisions{key}', 'items:plan-add to', 'items:delete ids', 'items:export ids', 'item:preview id', 'vault:rekey ids']) {
      assert.ok(names.has(known), `found ${known}`);
    }
    // Not 'C:/Windows': a drive letter is a legal vault name (SPEC §5; Linux and macOS allow `C:`),
    // refused only where a file is written on Windows (app/vault/paths.ts toFsPath, 'not-portable').
    // Not '/': it is the root for a VaultDir, as for the core (app/vault/path-rules.ts).
    const escapes = ['..', '../evil', 'a/../../b', '/etc/passwd', '//', join(dir, 'outside'), '..\\..\\x', './a', 'a\u0000b'];
    const before = await readdir(join(vaultDir, 'items'));
    for (const f of fields) {
      for (const bad of escapes) {
        const req = withLeaf(f.base, f.leaf, f.inArray ? [bad] : bad);
        const { error } = await refused(f.channel, req);
        assert.equal(error.code, 'bad-request', `${f.channel} ${f.leaf.path.join('.')} = ${bad}: ${error.code}`);
        assert.equal(error.detail['reason'], 'invalid-request');
      }
    }
    assert.deepEqual((await readdir(join(vaultDir, 'items'))).sort(), before.sort(), 'the vault is untouched');
    await stillServing();
  });

  test('FsPath fields outside every grant -> permission-denied (contract header), nothing written', async () => {
    const outside = join(dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
    // A vault location is an FsPath too (or an S3 location, which names nothing on this computer).
    const fields = [...fieldsOf(FsPath), ...fieldsOf(VaultLocation)];
    const names = new Set(fields.map((f) => `${f.channel} ${f.leaf.path.join('.')}`));
    for (const known of ['vault:create path', 'vault:open path', 'items:plan-add sources', 'items:add sources', 'items:export to', 'item:export-as to']) {
      assert.ok(names.has(known), `found ${known}`);
    }
    const escapes = [
      outside,
      join(outside, 'secret.txt'),
      '/etc/passwd',
      `${granted}/../outside`,
      `${granted}/../outside/secret.txt`,
      `${granted}/src/../../outside`,
      'relative/path',
      '../outside',
    ];
    const ids = (await ok('items:list', {})).items.map((i: { id: string }) => i.id);
    for (const f of fields) {
      let base = f.base as Record<string, unknown>;
      // Real ids, so a handler that skipped the path check would have something to write.
      if ('ids' in base) base = { ...base, ids };
      if ('id' in base) base = { ...base, id: ids[0] };
      for (const bad of escapes) {
        const { error } = await refused(f.channel, withLeaf(base, f.leaf, f.inArray ? [bad] : bad));
        assert.equal(error.code, 'permission-denied', `${f.channel} ${f.leaf.path.join('.')} = ${bad}: ${error.code} ${error.message}`);
      }
    }
    assert.deepEqual(await readdir(outside), ['secret.txt'], 'nothing written outside');
    assert.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'secret');
    await stillServing();
  });
});

// ---------------------------------------------------------------------------------------------

describe('symbolic links in and to a vault', () => {
  const fakeId = 'f'.repeat(32);
  let outside: string;
  let items: { id: string; path: string }[];

  before(async () => {
    outside = join(dir, 'elsewhere');
    await mkdir(outside, { recursive: true });
    items = (await ok('items:list', {})).items;
    assert.equal(items.length, 2);
  });

  test('items/<id>.env -> a file outside the vault: not listed, not read, delete/rename/rekey/export leave the target alone', async () => {
    const target = join(outside, 'passwd');
    await writeFile(target, 'root:x:0:0:root:/root:/bin/sh\n');
    const link = join(vaultDir, 'items', `${fakeId}.env`);
    await symlink(target, link);
    try {
      const list = (await ok('items:list', {})).items;
      assert.deepEqual(list.map((i: { id: string }) => i.id).sort(), items.map((i) => i.id).sort(), 'the link is not an item');
      for (const [channel, req] of [
        ['item:preview', { id: fakeId }],
        ['item:rename', { id: fakeId, path: 'renamed.txt' }],
        ['item:open-external', { id: fakeId }],
        ['item:export-as', { id: fakeId, to: join(granted, 'saved.bin') }],
      ] as const) {
        const { error } = await refused(channel, req);
        assert.equal(error.code, 'bad-request', `${channel}: ${error.code} ${error.message}`);
        assert.equal(error.detail['reason'], 'symlink', channel);
      }
      const del = await ok('items:delete', { ids: [fakeId] });
      assert.equal(del.deleted, 0);
      const { jobId } = await ok('items:export', { ids: items.map((i) => i.id), to: granted });
      assert.equal((await waitJob(jobId)).status, 'ok');
      assert.equal(await readFile(target, 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n', 'target untouched');
      assert.ok((await lstat(link)).isSymbolicLink(), 'the link is left for the user to inspect');
      await stillServing();
    } finally {
      await unlink(link);
    }
  });

  test('items/<id>.env -> a valid envelope of this vault kept outside: not read through, not written through', async () => {
    const victim = items[0]!;
    const file = join(vaultDir, 'items', `${victim.id}.env`);
    const moved = join(outside, `${victim.id}.env`);
    await copyFile(file, moved);
    const original = await readFile(moved);
    await unlink(file);
    await symlink(moved, file);
    try {
      const list = (await ok('items:list', {})).items;
      assert.ok(!list.some((i: { id: string }) => i.id === victim.id), 'a linked item is not listed');
      for (const [channel, req] of [
        ['item:preview', { id: victim.id }],
        ['item:rename', { id: victim.id, path: 'renamed.txt' }],
      ] as const) {
        const { error } = await refused(channel, req);
        assert.equal(error.code, 'bad-request', `${channel}: ${error.code}`);
        assert.equal(error.detail['reason'], 'symlink');
      }
      const { error: exportError } = await refused('items:export', { ids: [victim.id], to: granted });
      assert.equal(exportError.code, 'not-found');
      assert.equal((await ok('items:delete', { ids: [victim.id] })).deleted, 0);
      // A re-key of the whole vault must not rewrite the target, and reports the link.
      const keyId = (await ok('app:state', {})).localKey.keyId;
      const { jobId } = await ok('vault:rekey', { keys: [{ provider: 'local', keyId }] });
      const done = await waitJob(jobId);
      assert.ok(done.results.some((r: { ok: boolean; error?: { detail: Record<string, unknown> } }) => !r.ok && r.error?.detail['reason'] === 'symlink'), JSON.stringify(done.results));
      assert.deepEqual(await readFile(moved), original, 'the envelope outside is byte-for-byte unchanged');
      assert.ok((await lstat(file)).isSymbolicLink());
      await stillServing();
    } finally {
      await unlink(file);
      await copyFile(moved, file);
      await rm(moved);
    }
    // Back as a regular file, it is an item again.
    assert.ok((await ok('items:list', {})).items.some((i: { id: string }) => i.id === victim.id));
  });

  test('a vault folder reached through a symbolic link the user chose works: list, preview, export, delete', async () => {
    const linkDir = join(dir, 'vault-link');
    await symlink(vaultDir, linkDir);
    platform.answerNext(linkDir);
    await ok('dialog:pick-folder', { purpose: 'open-vault' });
    const summary = await ok('vault:open', { path: linkDir });
    assert.equal(summary.itemCount, 2);
    const list = (await ok('items:list', {})).items;
    const a = list.find((i: { path: string }) => i.path === 'a.txt');
    assert.ok(a);
    const pv = await ok('item:preview', { id: a.id });
    assert.equal(Buffer.from(pv.data).toString(), 'alpha');
    const exportDir = join(granted, 'out');
    await mkdir(exportDir);
    const { jobId } = await ok('items:export', { ids: [a.id], to: exportDir });
    assert.equal((await waitJob(jobId)).status, 'ok');
    assert.equal(await readFile(join(exportDir, 'a.txt'), 'utf8'), 'alpha');
    assert.equal((await ok('items:delete', { ids: [a.id] })).deleted, 1);
    assert.ok(!(await readdir(join(vaultDir, 'items'))).includes(`${a.id}.env`), 'deleted in the real folder');
    assert.ok((await lstat(linkDir)).isSymbolicLink(), 'the link itself is untouched');
    assert.deepEqual((await ok('items:list', {})).items.map((i: { path: string }) => i.path), ['b.txt']);
  });
});
