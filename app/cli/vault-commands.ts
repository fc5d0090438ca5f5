// The vault commands (init, add, ls, get, mv, rm, rekey, verify, status, forget) on app/vault/vault.ts. Each
// opens the vault with the lazy keyring, runs one Vault call with the Ctrl-C signal and a
// progress bar, prints each per-item failure as its own line, and closes the vault (which zeroes
// the index key). Summaries ("added 3 items") go to stderr on a terminal only.

import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { badRequest, isCachetError } from '../errors.js';
import { isItemId } from '../format/limits.js';
import { knownVaultsFile } from '../vault/known-vaults.js';
import { isS3Location } from '../vault/s3-location.js';
import { Vault, type ItemFailure, type VaultProgress, type VaultItem, type VaultKey } from '../vault/vault.js';
import { DEFAULT_SINCE, parseSince, type OnConflict } from './args.js';
import { EXIT_FAILED, EXIT_OK, EXIT_UNCHECKED, type Context } from './context.js';
import { withOutputFolder } from './file-commands.js';
import { formatList } from './output.js';
import { printable } from './terminal-text.js';
import { formatBytes } from './progress.js';
import { formatKmsUsage, keyReportJson, printKeyWarnings, vaultHealth, type VaultHealth } from './health.js';
import type { KmsUsageReport } from '../keys/kms-usage.js';
import { vaultStatus, type VaultStatus } from '../vault/vault-status.js';

type Values = Record<string, string | boolean | string[] | undefined>;

const STDIO = '-';

/** A vault argument: `s3://bucket/prefix` as given, a folder relative to the working directory. */
function vaultLocation(ctx: Context, where: string): string {
  return isS3Location(where) ? where : resolve(ctx.io.cwd, where);
}

async function withVault<T>(ctx: Context, dir: string, fn: (v: Vault) => Promise<T>): Promise<T> {
  const vault = await Vault.open(vaultLocation(ctx, dir), { keyring: ctx.keys.keyring, known: knownVaultsFile(), aws: ctx.aws });
  try {
    return await fn(vault);
  } finally {
    vault.close();
  }
}

/**
 * The keys' health with what depends on them, and its warnings on stderr (a key disabled or
 * scheduled for deletion). `items` null: the item list could not be read (counts unknown).
 */
async function checkKeys(ctx: Context, vault: Vault, dir: string, items: VaultItem[] | null, opts: { rotation?: boolean } = {}): Promise<{ health: VaultHealth; warned: boolean }> {
  const health = await vaultHealth(ctx, vault.keys(), items, opts);
  return { health, warned: printKeyWarnings(ctx, health, dir) };
}

/** For ls and add: the warnings only, and a check that cannot run (no region, ...) does not fail the command. */
async function warnKeys(ctx: Context, vault: Vault, dir: string, items: VaultItem[] | null): Promise<void> {
  await checkKeys(ctx, vault, dir, items, { rotation: false }).catch((e: unknown) => {
    if (isCachetError(e, 'cancelled')) throw e;
  });
}

/** The job's KMS usage, if it used KMS: for --json (`kms`), and on a terminal one summary line. */
function kmsUsage(ctx: Context): KmsUsageReport | null {
  const r = ctx.aws.kmsUsage?.report();
  if (!r || r.requests === 0) return null;
  summary(ctx, formatKmsUsage(r));
  return r;
}

/** On a terminal only: one line of what was done. */
function summary(ctx: Context, text: string): void {
  if (ctx.io.stderr.isTTY) ctx.note(text);
}

/** The bar for a multi-file job: `[3/10] photos/a.jpg` with the job's bytes. */
function jobProgress(ctx: Context): (p: VaultProgress) => void {
  let started = false;
  return (p) => {
    const label = `${p.filesTotal > 1 ? `[${Math.min(p.filesDone + 1, p.filesTotal)}/${p.filesTotal}] ` : ''}${p.file ?? ''}`;
    if (!started) {
      ctx.progress.start(label, p.total);
      started = true;
    } else {
      ctx.progress.relabel(label);
    }
    ctx.progress.update(p.total === null && p.filesTotal <= 1 ? p.fileBytes : p.bytes, p.total ?? (p.filesTotal <= 1 ? p.fileTotal : null));
  };
}

/** A failure in --json output (documented in usage.ts): the error's code, never its words. */
function failureJson(f: ItemFailure): { item: string | null; path: string | null; source: string | null; error: string } {
  return { item: f.item ?? null, path: f.path ?? null, source: f.source ?? null, error: f.error.code };
}

function failureWhat(verb: string, f: ItemFailure): string {
  const name = f.path ?? f.source ?? f.item ?? '?';
  return f.item && f.path && f.path !== f.item && verb !== 'add' ? `${verb} ${name} (item ${f.item})` : `${verb} ${name}`;
}

export async function initCommand(ctx: Context, [dir]: string[], v: Values): Promise<number> {
  const kms = (v['kms-key'] as string[] | undefined) ?? [];
  const keys: VaultKey[] = kms.map((k) => ({ provider: 'aws-kms', keyId: k }));
  let createdKey = false;
  if (v.local === true) {
    const local = await ctx.keys.ensureLocalKey();
    createdKey = local.created;
    keys.push({ provider: 'local', keyId: local.keyId });
  }
  if (createdKey) ctx.note(`cachet: created the local key file ${ctx.keys.localKeyPath} (keep a backup of it and its passphrase)`);
  const vault = await Vault.create(vaultLocation(ctx, dir!), { keys, keyring: ctx.keys.keyring, known: knownVaultsFile(), aws: ctx.aws });
  try {
    summary(ctx, `cachet: created vault ${vault.dir} with ${vault.keys().map((k) => k.keyId).join(', ')}`);
  } finally {
    vault.close();
  }
  return EXIT_OK;
}

export async function addCommand(ctx: Context, [dir, ...paths]: string[], v: Values): Promise<number> {
  return withVault(ctx, dir!, async (vault) => {
    const r = await vault
      .add(paths.map((p) => resolve(ctx.io.cwd, p)), {
        ...(typeof v.to === 'string' ? { to: v.to } : {}),
        conflict: (v['on-conflict'] as OnConflict | undefined) ?? 'fail',
        signal: ctx.signal,
        onProgress: jobProgress(ctx),
      })
      .finally(() => ctx.progress.end());
    // A path named on the command line that is not added is a failure (#15: a script must be able
    // to tell); what a folder's walk skips (links, special files inside it) stays a note.
    const named = new Set(paths.map((p) => resolve(ctx.io.cwd, p)));
    const failed: ItemFailure[] = [];
    const ignored: ItemFailure[] = [];
    for (const f of r.ignored) {
      if (f.source !== undefined && named.has(f.source)) {
        failed.push(f);
        ctx.fail(failureWhat('add', f), f.error);
      } else {
        ignored.push(f);
        ctx.note(`cachet: note: ${failureWhat('add', f)}: not added (${f.error.code === 'bad-request' ? 'not a regular file or folder' : f.error.code})`);
      }
    }
    for (const f of r.failed) {
      failed.push(f);
      ctx.fail(failureWhat('add', f), f.error);
    }
    await warnKeys(ctx, vault, dir!, await vault.list({ signal: ctx.signal }).catch(() => null));
    const bytes = r.added.reduce((s, i) => s + (i.size ?? 0), 0);
    summary(ctx, `cachet: added ${r.added.length} item${r.added.length === 1 ? '' : 's'} (${formatBytes(bytes)})${r.skipped.length ? `, skipped ${r.skipped.length}` : ''}${r.failed.length ? `, ${r.failed.length} failed` : ''}`);
    const kms = kmsUsage(ctx);
    if (v.json) {
      ctx.json({
        added: r.added.map((i) => ({ id: i.id, path: i.path, size: i.size })),
        skipped: r.skipped,
        failed: failed.map(failureJson),
        ignored: ignored.map(failureJson),
        kms,
      });
    }
    return ctx.exitCode();
  });
}

export async function lsCommand(ctx: Context, [dir]: string[], v: Values): Promise<number> {
  return withVault(ctx, dir!, async (vault) => {
    const items = await vault.list({ signal: ctx.signal });
    if (v.json) {
      const rows = items.map((i) => ({ id: i.id, path: i.path, size: i.size, modified: i.mtime === null ? null : new Date(i.mtime).toISOString(), keys: i.keyIds }));
      ctx.json(rows);
    } else {
      ctx.out(formatList(items));
    }
    for (const f of vault.unreadable()) ctx.fail(`ls: item ${f.item ?? '?'}`, f.error);
    await warnKeys(ctx, vault, dir!, items);
    for (const c of vault.conflicts()) ctx.note(`cachet: note: items/${c.name} is a sync service's conflicted copy of item ${c.item}; it is not listed`);
    return ctx.exitCode();
  });
}

export async function getCommand(ctx: Context, [dir, ref]: string[], v: Values): Promise<number> {
  const out = v.output as string | undefined;
  return withVault(ctx, dir!, async (vault) => {
    if (typeof v['version-id'] === 'string') {
      // An earlier version (S3 vaults with versioning): a deleted item is named by its id.
      const id = isItemId(ref!) ? ref! : (await vault.find(ref!)).id;
      const dest: string | Writable = out === STDIO ? (ctx.io.stdout as Writable) : resolve(ctx.io.cwd, out ?? '.');
      const get = (): Promise<unknown> => vault.getVersion(id, v['version-id'] as string, dest, { signal: ctx.signal });
      await (typeof dest === 'string' && out !== undefined ? withOutputFolder(dest, get) : get());
      return EXIT_OK;
    }
    let item: VaultItem | undefined;
    let notItem: unknown;
    // `<folder>/` names the folder even where an item has the folder's name (SPEC §9 path-clash).
    if (!ref!.endsWith('/')) {
      try {
        item = await vault.find(ref!);
      } catch (e) {
        // Not an item: maybe a folder of the vault (an id never names a folder).
        if (!(isCachetError(e, 'not-found') && !isItemId(ref))) throw e;
        notItem = e;
      }
    }
    if (item) {
      const dest: string | Writable = out === STDIO ? (ctx.io.stdout as Writable) : resolve(ctx.io.cwd, out ?? '.');
      ctx.progress.start(item.path, item.size);
      const get = (): Promise<VaultItem> => vault.get(item.id, dest, { signal: ctx.signal, onProgress: (p) => ctx.progress.update(p.fileBytes, p.fileTotal) });
      await (typeof dest === 'string' && out !== undefined ? withOutputFolder(dest, get) : get()).finally(() => ctx.progress.end());
      return EXIT_OK;
    }
    if (out === STDIO) throw badRequest('folder-to-stdout', `'${ref}' is a folder; -o - takes a single item`, { ref: ref! });
    const r = await vault
      .extract(ref!, resolve(ctx.io.cwd, out ?? '.'), { signal: ctx.signal, onProgress: jobProgress(ctx) })
      .catch((e: unknown) => {
        // Neither an item nor a folder: the item lookup's answer says more when files could not be read.
        throw isCachetError(e, 'not-found') && isCachetError(notItem) && notItem.detail['reason'] === 'unreadable-items' ? notItem : e;
      })
      .finally(() => ctx.progress.end());
    for (const f of r.failed) ctx.fail(failureWhat('get', f), f.error);
    summary(ctx, `cachet: extracted ${r.written.length} item${r.written.length === 1 ? '' : 's'}`);
    return ctx.exitCode();
  });
}

export async function mvCommand(ctx: Context, [dir, ref, to]: string[], v: Values): Promise<number> {
  return withVault(ctx, dir!, async (vault) => {
    const from = v.json ? (await vault.find(ref!)).path : undefined;
    const moved = await vault.move(ref!, to!, { signal: ctx.signal });
    if (v.json) ctx.json({ id: moved.id, from, path: moved.path });
    return EXIT_OK;
  });
}

export async function rmCommand(ctx: Context, [dir, ref]: string[], v: Values): Promise<number> {
  return withVault(ctx, dir!, async (vault) => {
    const { item, copies } = await vault.remove(ref!);
    if (copies.length > 0) ctx.note(`cachet: also removed ${copies.length} sync-conflicted cop${copies.length === 1 ? 'y' : 'ies'} of ${printable(item.path)} (${copies.map(printable).join(', ')}), which would have come back as the item`);
    if (v.json) ctx.json({ removed: { id: item.id, path: item.path }, copies });
    return EXIT_OK;
  });
}

export async function rekeyCommand(ctx: Context, [dir, ...refs]: string[], v: Values): Promise<number> {
  const names = v.to as string[];
  const keys: VaultKey[] = [];
  for (const n of names) keys.push(await ctx.keys.ref(n, { signal: ctx.signal }));
  return withVault(ctx, dir!, async (vault) => {
    const r = await vault
      .rekey(keys, { ...(refs.length > 0 ? { refs } : {}), signal: ctx.signal, onProgress: jobProgress(ctx) })
      .finally(() => ctx.progress.end());
    for (const f of r.failed) ctx.fail(failureWhat('rekey', f), f.error);
    summary(ctx, `cachet: re-keyed ${r.done} item${r.done === 1 ? '' : 's'}${r.failed.length ? `, ${r.failed.length} failed` : ''}`);
    const kms = kmsUsage(ctx);
    if (v.json) ctx.json({ done: r.done, keys: keys.map((k) => k.keyId), failed: r.failed.map(failureJson), kms });
    return ctx.exitCode();
  });
}

export async function verifyCommand(ctx: Context, [dir]: string[], v: Values): Promise<number> {
  return withVault(ctx, dir!, async (vault) => {
    // Listing first names the items (verify reports a bad one by path when it knows it).
    const items = await vault.list({ signal: ctx.signal }).catch((e: unknown) => {
      if (isCachetError(e, 'cancelled')) throw e;
      return null;
    });
    const r = await vault.verify({ signal: ctx.signal, onProgress: jobProgress(ctx) }).finally(() => ctx.progress.end());
    // Damaged (proven bad, or its file gone) fails; could not be checked (a key refused, disabled or
    // out of reach) is told the same way but is not called damage: app/errors.ts checkVerdict decides.
    for (const f of r.bad) ctx.fail(failureWhat('verify', f), f.error);
    for (const f of r.unchecked) ctx.report(`${failureWhat('verify', f)} (could not be checked)`, f.error);
    // A key disabled or scheduled for deletion fails verify too: the items verify today and are lost (or closed) tomorrow.
    const { health, warned } = await checkKeys(ctx, vault, dir!, items);
    summary(ctx, `cachet: ${r.ok} item${r.ok === 1 ? '' : 's'} verified${r.bad.length ? `, ${r.bad.length} damaged` : ''}${r.unchecked.length ? `, ${r.unchecked.length} could not be checked` : ''}`);
    const kms = kmsUsage(ctx);
    if (v.json) ctx.json({ ok: r.ok, bad: r.bad.map(failureJson), unchecked: r.unchecked.map(failureJson), keys: keyReportJson(health), kms });
    if (warned || ctx.exitCode() !== EXIT_OK) return EXIT_FAILED;
    return r.unchecked.length > 0 ? EXIT_UNCHECKED : EXIT_OK;
  });
}

export async function statusCommand(ctx: Context, [dir]: string[], v: Values): Promise<number> {
  return withVault(ctx, dir!, async (vault) => {
    let items: VaultItem[] | null = null;
    try {
      items = await vault.list({ signal: ctx.signal });
    } catch (e) {
      if (isCachetError(e, 'cancelled')) throw e;
      ctx.fail(`status ${dir}: list the items`, e); // the keys are still reported
    }
    const { health } = await checkKeys(ctx, vault, dir!, items);
    const localKeyFile = { path: ctx.keys.localKeyPath, present: (await ctx.keys.localKeyId().catch(() => undefined)) !== undefined };
    const status = vaultStatus(vault, items, health, localKeyFile);
    if (v.json) {
      ctx.json({ ...status, kms: ctx.aws.kmsUsage?.report() ?? null });
      return ctx.exitCode();
    }
    ctx.out(formatStatus(status, health));
    return ctx.exitCode();
  });
}

function formatStatus(st: VaultStatus, health: VaultHealth): string {
  const { items, unreadable, localKeyFile: local } = st;
  const yesNo = (b: boolean | null): string => (b === null ? '-' : b ? 'yes' : 'no');
  const rows = st.keys.map((k) => [
    k.keyId, k.state + (k.deletionDate ? ` (${k.deletionDate.slice(0, 10)})` : '') + (k.error ? ` (${k.error})` : ''),
    k.items === null ? '-' : String(k.items), k.alone === null ? '-' : String(k.alone), yesNo(k.rotation), yesNo(k.multiRegion),
  ]);
  const head = ['KEY', 'STATE', 'ITEMS', 'ALONE', 'ROTATION', 'MULTI-REGION'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `${r.map((c, i) => printable(i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  let out = `vault ${st.vault} at ${printable(st.location)}: ${items === null ? 'items could not be listed' : `${items} item${items === 1 ? '' : 's'}`}${unreadable ? `, ${unreadable} unreadable` : ''}\n\n`;
  out += line(head) + rows.map(line).join('');
  const names = (l: readonly VaultItem[]): string => l.slice(0, 10).map((i) => printable(i.path)).join(', ') + (l.length > 10 ? `, ... (${l.length - 10} more)` : '');
  out += `\nat risk (no healthy key opens them): ${health.atRisk.length === 0 ? 'none' : `${health.atRisk.length}: ${names(health.atRisk)}`}\n`;
  if (health.uncertain.length > 0) out += `uncertain (a key's state could not be read): ${health.uncertain.length}: ${names(health.uncertain)}\n`;
  if (st.indexFresh === false) out += 'index: stale (index.env does not match the items; the next change rewrites it)\n';
  out += `local key file: ${printable(local.path)}${local.present ? ' (keep a backup of it and its passphrase)' : ' (none on this machine)'}\n`;
  return out;
}

export async function historyCommand(ctx: Context, [dir, ref]: string[], v: Values): Promise<number> {
  const since = parseSince(typeof v.since === 'string' ? v.since : DEFAULT_SINCE)!;
  return withVault(ctx, dir!, async (vault) => {
    // Item ids to vault paths, for the people reading it (best effort: the ids are the record).
    const paths = new Map<string, string>();
    let item: VaultItem | undefined;
    if (ref !== undefined) {
      item = await vault.find(ref);
      paths.set(item.id, item.path);
    } else {
      const items = await vault.list({ signal: ctx.signal }).catch((e: unknown) => {
        if (isCachetError(e, 'cancelled')) throw e;
        return [];
      });
      for (const i of items) paths.set(i.id, i.path);
    }
    const { historyRegion, lookupAccessHistory } = await import('../keys/access-history.js');
    const region = historyRegion(vault.keys(), ctx.aws.region);
    ctx.progress.start('reading CloudTrail', null);
    const h = await lookupAccessHistory({
      ...ctx.aws, ...(region ? { region } : {}), vaultId: vault.id, itemId: item?.id, since, signal: ctx.signal,
      onPage: (pages, matched) => ctx.progress.relabel(`reading CloudTrail: ${pages} page${pages === 1 ? '' : 's'}, ${matched} use${matched === 1 ? '' : 's'}`),
    }).finally(() => ctx.progress.end());
    const rows = h.events.map((e) => ({ ...e, path: e.item === null ? null : paths.get(e.item) ?? null }));
    if (v.json) {
      ctx.json({ vault: vault.id, item: item?.id ?? null, since: since.toISOString(), events: rows, pages: h.pages, truncated: h.truncated });
    } else {
      const head = ['TIME', 'OPERATION', 'IDENTITY', 'SOURCE-IP', 'ITEM', 'USER-AGENT'];
      const cells = rows.map((r) => [r.time, r.operation, r.identity ?? '-', r.sourceIp ?? '-', r.item === null ? '(vault)' : r.path ?? r.item, r.userAgent ?? '-']);
      const widths = head.map((x, i) => Math.max(x.length, ...cells.map((c) => c[i]!.length)));
      const line = (c: string[]): string => `${c.map((x, i) => printable(i === c.length - 1 ? x : x.padEnd(widths[i]!))).join('  ')}\n`;
      ctx.out(line(head) + cells.map(line).join(''));
    }
    if (h.truncated) ctx.note(`cachet: note: stopped after ${h.pages} pages of CloudTrail events; narrow the window with --since for the rest`);
    summary(ctx, `cachet: ${rows.length} use${rows.length === 1 ? '' : 's'} since ${since.toISOString()}`);
    return EXIT_OK;
  });
}

export async function forgetCommand(ctx: Context, [dir]: string[], v: Values): Promise<number> {
  // Opening reads vault.json for its id only (no key is used, nothing is checked or written).
  return withVault(ctx, dir!, async (vault) => {
    const forgotten = await knownVaultsFile().forget(vault.id);
    if (v.json) ctx.json({ vault: vault.id, forgotten });
    else ctx.note(forgotten
      ? `cachet: forgot the keys this machine accepted for vault ${vault.id}; its next open accepts its vault.json as new`
      : `cachet: nothing was remembered of vault ${vault.id}`);
    return EXIT_OK;
  });
}

/** Said once when the bucket keeps no versions (or no longer makes new ones), with how to turn it on. */
async function versioningNote(ctx: Context, vault: Vault): Promise<string> {
  const state = await vault.versioning();
  if (state !== 'enabled') {
    const bucket = /^s3:\/\/([^/]+)/.exec(vault.dir)?.[1] ?? '<bucket>';
    ctx.note(`cachet: note: versioning is ${state === 'off' ? 'off' : 'suspended'} for bucket ${bucket}, so ${state === 'off' ? 'no earlier versions are kept' : 'new changes keep no earlier version'}; turn it on with: aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled`);
  }
  return state;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export async function versionsCommand(ctx: Context, [dir, ref]: string[], v: Values): Promise<number> {
  return withVault(ctx, dir!, async (vault) => {
    const versioning = await versioningNote(ctx, vault);
    if (v.deleted === true) {
      const gone = await vault.deleted({ signal: ctx.signal });
      if (v.json) {
        ctx.json({ versioning, deleted: gone.map((d) => ({ id: d.id, path: d.path, deletedAt: iso(d.deletedAt), versionId: d.versionId, size: d.size, error: d.error?.code ?? null })) });
      } else {
        const rows = gone.map((d) => `${iso(d.deletedAt)}  ${d.id}  ${d.versionId}  ${d.path === null ? '?' : printable(d.path)}`);
        ctx.out(rows.length === 0 ? '' : `${['DELETED                   ', 'ITEM                            ', 'VERSION', 'PATH'].join('  ')}\n${rows.join('\n')}\n`);
      }
      for (const d of gone) if (d.error) ctx.fail(`versions: deleted item ${d.id}`, d.error);
      return ctx.exitCode();
    }
    const { item, versions } = await vault.versions(ref!, { signal: ctx.signal });
    if (v.json) {
      ctx.json({ item, versioning, versions: versions.map((x) => ({ versionId: x.versionId, current: x.current, deleted: x.deleted, size: x.size, modified: iso(x.modified) })) });
    } else {
      const rows = versions.map((x) => `${iso(x.modified)}  ${(x.deleted ? 'deleted' : x.current ? 'current' : 'earlier').padEnd(7)}  ${String(x.deleted ? '-' : x.size).padStart(12)}  ${x.versionId}`);
      ctx.out(`${['MODIFIED                ', 'STATE  ', '        SIZE', 'VERSION'].join('  ')}\n${rows.join('\n')}\n`);
    }
    return EXIT_OK;
  });
}

export async function restoreCommand(ctx: Context, [dir, ref, versionId]: string[], v: Values): Promise<number> {
  return withVault(ctx, dir!, async (vault) => {
    const id = isItemId(ref!) ? ref! : (await vault.find(ref!)).id;
    const item = await vault.restore(id, versionId!, { signal: ctx.signal });
    if (v.json) ctx.json({ id: item.id, path: item.path, versionId });
    summary(ctx, `cachet: restored ${item.path} (item ${item.id}) from version ${versionId}`);
    return EXIT_OK;
  });
}
