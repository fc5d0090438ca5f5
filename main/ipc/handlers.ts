// One handler per IPC channel (contract/ipc.ts), given the main-process services, and the
// `dispatch` every renderer request goes through: it refuses unknown channels and senders and
// oversized requests (REQUEST_LIMITS), validates the request with the contract's schema, runs
// the handler and turns any failure into `{ ok: false, error }` (never throws: Electron would
// pass only `message` across).
// No electron import: main.ts supplies the sender check and the Platform; tests call dispatch.
//
// Paths from the renderer are never trusted:
// - vault paths (item names) are re-normalized with app/vault/paths.ts (no '..', no absolute, no
//   '\\', no escape) on top of the contract's schema;
// - filesystem paths must have been granted in this session (PathGrants: main dialogs and drops),
//   except a vault folder listed in recent vaults or the locked vault (main wrote those itself);
// - export destinations are joined from a granted folder and a normalized vault path, and checked
//   to stay inside it.

import { createReadStream } from 'node:fs';
import { mkdir, lstat, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, isAbsolute, sep } from 'node:path';
import { CachetError, isCachetError } from '../../app/errors.js';
import { normalizeFolderPath, normalizeVaultPath, joinVaultPath } from '../../app/vault/paths.js';
import { guessMediaType } from '../../app/vault/media-type.js';
import {
  CHANNELS,
  isChannel,
  type AppStateT,
  type Channel,
  type EventName,
  type EventPayload,
  type ItemT,
  type ParsedReq,
  type Res,
  type Result,
  type SettingsT,
} from '../../contract/ipc.js';
import type { MainServices } from '../services/main-services.js';
import { planAdd } from '../services/add-plan.js';
import { toErrorPayload } from '../services/errors.js';
import type { VaultItem, VaultPort } from '../services/vault-port.js';
import type { JobContext, JobProgress } from '../services/jobs.js';
import type { ItemFailure, JobProgress as VaultJobProgress } from '../../app/vault/vault.js';

export type Handler<C extends Channel> = (req: ParsedReq<C>) => Promise<Res<C>>;
export type Handlers = { [C in Channel]: Handler<C> };

/** Who sent a request, as main.ts reads it from the IPC event. */
export interface SenderInfo {
  webContentsId: number;
  /** URL of the sending frame (event.senderFrame.url). */
  frameUrl: string;
  isMainFrame: boolean;
}

const TEXT_PREVIEW_BYTES = 1024 * 1024;
const OTHER_PREVIEW_BYTES = 32 * 1024 * 1024;
const BINARY_PREVIEW_BYTES = 64 * 1024;
const HARD_PREVIEW_BYTES = 64 * 1024 * 1024;

export function createHandlers(s: MainServices): Handlers {
  const vault = (): VaultPort => s.session.require();

  const appState = (): AppStateT => {
    const st = s.settings.get();
    return {
      vault: s.session.summaryNow(),
      lockedVault: s.session.lockedVault,
      recentVaults: st.recentVaults,
      aws: s.aws.target,
      localKey: s.localKey.status(),
      settings: { autoLockMinutes: st.autoLockMinutes },
      platform: s.platform.os,
    };
  };
  const stateChanged = (): void => s.emit('app:state-changed', appState());

  const listItems = async (): Promise<VaultItem[]> => {
    const items = await vault().list();
    s.session.noteItemCount(items.length);
    return items;
  };
  /** One item by id (the vault's cached entry, re-checked against its file; no full listing). */
  const findItem = async (id: string): Promise<VaultItem> => vault().find(id);
  const toItem = (i: VaultItem): ItemT => ({ id: i.id, path: i.path, size: i.size, mtime: i.mtime, keyIds: [...i.keys] });

  const opened = async (summary: Awaited<ReturnType<typeof s.session.open>>): Promise<typeof summary> => {
    await s.settings.addRecent(summary.path, s.platform.clock.now());
    s.autoLock.arm();
    stateChanged();
    return summary;
  };

  const checkKeysUsable = (keys: readonly { provider: string; keyId: string }[]): void => {
    for (const k of keys) {
      if (k.provider === 'local') {
        const st = s.localKey.status();
        if (!st.exists) throw new CachetError('local-key-missing', 'create the local key first');
        if (st.keyId && k.keyId !== st.keyId) throw new CachetError('bad-request', 'that is not this computer\'s local key', { keyId: k.keyId });
      }
    }
  };

  const maybeVaultGranted = (path: string): string => {
    const st = s.settings.get();
    if (st.recentVaults.some((r) => r.path === path) || s.session.lockedVault?.path === path) return path;
    // A vault folder dropped on the window may be opened too (a drop grants 'read').
    return s.grants.has(path, 'read') ? s.grants.check(path, 'read') : s.grants.check(path, 'vault');
  };

  return {
    'app:state': async () => appState(),
    'app:activity': async () => {
      s.autoLock.touch();
      return null;
    },
    'settings:get': async () => ({ autoLockMinutes: s.settings.get().autoLockMinutes }),
    'settings:set': async (req) => {
      const next = await s.settings.update((st) => {
        if (req.autoLockMinutes !== undefined) st.autoLockMinutes = req.autoLockMinutes;
      });
      s.autoLock.setMinutes(next.autoLockMinutes);
      stateChanged();
      return { autoLockMinutes: next.autoLockMinutes } satisfies SettingsT;
    },

    'vault:create': async (req) => {
      const dir = s.grants.check(req.path, 'vault');
      checkKeysUsable(req.keys);
      await s.jobs.cancelAll();
      await s.temps.wipeAll();
      return opened(await s.session.create(dir, req.keys));
    },
    'vault:open': async (req) => {
      const dir = maybeVaultGranted(req.path);
      await s.jobs.cancelAll();
      await s.temps.wipeAll();
      return opened(await s.session.open(dir));
    },
    'vault:close': async () => {
      await s.jobs.cancelAll();
      await s.temps.wipeAll();
      await s.session.close();
      s.session.forgetLocked();
      s.autoLock.disarm();
      stateChanged();
      return null;
    },
    'vault:lock': async () => {
      await s.lockAll('user');
      return null;
    },
    'vault:forget-recent': async (req) => (await s.settings.removeRecent(req.path)).recentVaults,
    'vault:rekey': async (req) => {
      const v = vault();
      checkKeysUsable(req.keys);
      const all = await listItems();
      const wanted = req.ids ? new Set(req.ids) : undefined;
      const targets = wanted ? all.filter((i) => wanted.has(i.id)) : all;
      if (wanted && targets.length !== wanted.size) throw new CachetError('not-found', 'some items are not in this vault', { missing: wanted.size - targets.length });
      const keys = req.keys.map((k) => ({ provider: k.provider, keyId: k.keyId }));
      const jobId = s.jobs.start('rekey', async (ctx) => {
        try {
          const r = await v.rekey(keys, {
            signal: ctx.signal,
            ...(req.ids ? { refs: [...req.ids] } : {}),
            // Re-keying rewrites headers only: no byte counts, so no per-file bar either.
            onProgress: (p) => ctx.progress({ bytesDone: 0, bytesTotal: null, filesDone: p.filesDone, filesTotal: p.filesTotal, current: p.file ?? null }),
          });
          reportUnits(ctx, targets, r.failed);
        } finally {
          s.emit('vault:changed', {});
          stateChanged();
        }
      });
      return { jobId };
    },
    'vault:verify': async () => {
      const v = vault();
      const items = await listItems();
      const jobId = s.jobs.start('verify', async (ctx) => {
        const r = await v.verify({
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(fromVaultProgress(p)),
        });
        reportUnits(ctx, items, r.bad);
      });
      return { jobId };
    },

    'dialog:pick-folder': async (req) => {
      const [path] = await s.platform.showOpenDialog({ kind: 'folder', title: req.title, createFolder: req.purpose === 'create-vault' || req.purpose === 'export' });
      if (!path) return { path: null };
      const kind = req.purpose === 'export' ? 'write' : req.purpose === 'add' ? 'read' : 'vault';
      return { path: s.grants.grant(path, [kind]) };
    },
    'dialog:pick-files': async (req) => {
      const paths = await s.platform.showOpenDialog({ kind: 'files', title: req.title });
      return { paths: paths.map((p) => s.grants.grant(p, ['read'])) };
    },
    'dialog:save': async (req) => {
      const suggested = basename(req.suggestedName.replaceAll('\\', '/')) || 'item';
      const path = await s.platform.showSaveDialog({ suggestedName: suggested, title: req.title });
      return { path: path ? s.grants.grant(path, ['save']) : null };
    },

    'items:list': async () => ({ items: (await listItems()).map(toItem) }),
    'items:plan-add': async (req) => {
      const to = normalizeFolderPath(req.to);
      const sources = await Promise.all(req.sources.map((p) => s.grants.checkOnDisk(p, 'read')));
      const planned = await planAdd(sources, to);
      const byPath = new Map((await listItems()).map((i) => [i.path, i.id]));
      let totalBytes = 0;
      const entries = planned.map((p) => {
        totalBytes += p.size;
        return { source: p.source, vaultPath: p.vaultPath, size: p.size, existingId: byPath.get(p.vaultPath) ?? null };
      });
      return { entries, totalBytes };
    },
    'items:add': async (req) => {
      const v = vault();
      const to = normalizeFolderPath(req.to);
      const sources = await Promise.all(req.sources.map((p) => s.grants.checkOnDisk(p, 'read')));
      const decisions = new Map<string, 'replace' | 'keep-both' | 'skip'>();
      for (const [k, d] of Object.entries(req.decisions ?? {})) decisions.set(normalizeVaultPath(k), d);
      const jobId = s.jobs.start('add', async (ctx) => {
        try {
          const r = await v.add(sources, {
            to,
            signal: ctx.signal,
            conflict: (path) => decisions.get(path) ?? req.onConflict,
            onProgress: (p) => ctx.progress(fromVaultProgress(p)),
          });
          for (const it of r.added) ctx.result({ ref: it.path, ok: true });
          for (const path of r.skipped) ctx.result({ ref: path, ok: true, skipped: true });
          for (const f of [...r.failed, ...r.ignored]) ctx.result({ ref: f.path ?? f.source ?? '', ok: false, error: toErrorPayload(f.error) });
        } finally {
          s.emit('vault:changed', {});
        }
      });
      return { jobId };
    },
    'job:cancel': async (req) => ({ cancelled: s.jobs.cancel(req.jobId) }),

    'item:preview': async (req) => {
      const v = vault();
      const it = await findItem(req.id);
      const guess = previewKind(it.type, it.path);
      const defaultCap = guess === 'text' ? TEXT_PREVIEW_BYTES : guess === 'binary' ? BINARY_PREVIEW_BYTES : OTHER_PREVIEW_BYTES;
      const cap = Math.min(req.maxBytes ?? defaultCap, HARD_PREVIEW_BYTES);
      const r = await v.preview(req.id, cap);
      const data = Uint8Array.from(r.data);
      r.data.fill(0);
      return {
        id: req.id,
        kind: guess,
        mediaType: it.type ?? mediaFromKind(guess),
        data,
        size: it.size,
        truncated: r.truncated,
      };
    },
    'item:open-external': async (req) => {
      const v = vault();
      const it = await findItem(req.id);
      if (isRunnable(it.path)) {
        // The OS "default app" of these is running them: a vault item must not become a program.
        throw new CachetError('bad-request', 'Cachet does not open programs or scripts; export the file instead', { reason: 'runnable', path: it.path });
      }
      const entry = await s.temps.create({ itemId: it.id, vaultPath: it.path }, async (dest) => void (await v.get(it.id, dest)), { watchEdits: true });
      const err = await s.platform.openPath(entry.path).catch((e: unknown) => String((e as Error)?.message ?? e));
      if (err) {
        await s.temps.discard(entry.tempId);
        throw new CachetError('io', `the system could not open the file: ${err.slice(0, 200)}`, { what: 'open-with-default-app' });
      }
      return { tempId: entry.tempId, name: basename(entry.path) };
    },
    'temp:save-back': async (req) => {
      const v = vault();
      const entry = s.temps.get(req.tempId);
      const current = await findItem(entry.itemId);
      const st = await stat(entry.path);
      // A new envelope under a new id replaces the item at its path (written first, then the old
      // one removed: SPEC §9 atomic writes); the temp copy now follows the new id.
      const saved = await v.addStream(createReadStream(entry.path), current.path, { conflict: 'replace', size: st.size, mtime: Math.floor(st.mtimeMs) });
      await s.temps.markSaved(req.tempId, saved.id);
      s.emit('vault:changed', {});
      return toItem(saved);
    },
    'temp:discard': async (req) => {
      await s.temps.discard(req.tempId);
      return null;
    },
    'items:export': async (req) => {
      const v = vault();
      const root = await s.grants.checkOnDisk(req.to, 'write', { self: true });
      const all = new Map((await listItems()).map((i) => [i.id, i]));
      const items = req.ids.map((id) => {
        const it = all.get(id);
        if (!it) throw new CachetError('not-found', 'no such item in this vault', { id });
        return it;
      });
      const total = items.reduce((n, i) => n + (i.size ?? 0), 0);
      const jobId = s.jobs.start('export', async (ctx) => {
        let bytes = 0;
        let done = 0;
        for (const it of items) {
          if (ctx.signal.aborted) throw new CachetError('cancelled', 'cancelled');
          const base = bytes;
          try {
            const rel = req.keepFolders ? normalizeVaultPath(it.path) : basename(normalizeVaultPath(it.path));
            // Folders kept from the vault path must not lead through a link placed in the chosen
            // folder: checked before mkdir (which would create folders through it) and after.
            await s.grants.checkOnDisk(dirname(inside(root, rel)), 'write', { self: true });
            const dest = await freeFsPath(inside(root, rel));
            await mkdir(dirname(dest), { recursive: true });
            await s.grants.checkOnDisk(dirname(dest), 'write', { self: true });
            await v.get(it.id, dest, {
              signal: ctx.signal,
              overwrite: false,
              onProgress: (p) => ctx.progress({ bytesDone: base + p.bytes, bytesTotal: total, filesDone: done, filesTotal: items.length, current: it.path, fileBytes: p.fileBytes, fileTotal: it.size }),
            });
            ctx.result({ ref: it.path, ok: true });
          } catch (e) {
            if (isCachetError(e, 'cancelled') || ctx.signal.aborted) throw e;
            ctx.result({ ref: it.path, ok: false, error: toErrorPayload(e) });
          }
          bytes = base + (it.size ?? 0);
          done++;
          ctx.progress({ bytesDone: bytes, bytesTotal: total, filesDone: done, filesTotal: items.length, current: null });
        }
      });
      return { jobId };
    },
    'item:export-as': async (req) => {
      const v = vault();
      // Only the file confirmed in dialog:save may be overwritten ('save' is exact); a folder
      // chosen for export grants 'write', which never overwrites.
      const dest = await s.grants.checkOnDisk(req.to, 'save');
      await findItem(req.id);
      await v.get(req.id, dest, { overwrite: true });
      return null;
    },
    'items:drag-out': async (req) => {
      const v = vault();
      const files: string[] = [];
      for (const id of req.ids) {
        const it = await findItem(id);
        const e = await s.temps.create({ itemId: it.id, vaultPath: it.path }, async (dest) => void (await v.get(it.id, dest)), { watchEdits: false });
        files.push(e.path);
      }
      s.platform.startDrag(files);
      return null;
    },
    'item:rename': async (req) => {
      const v = vault();
      const path = normalizeVaultPath(req.path);
      await findItem(req.id);
      const r = await v.move(req.id, path);
      s.emit('vault:changed', {});
      return toItem(r);
    },
    'items:move': async (req) => {
      const v = vault();
      const to = normalizeFolderPath(req.to);
      const items = await listItems();
      const byId = new Map(items.map((i) => [i.id, i]));
      const taken = new Set(items.map((i) => i.path));
      const plan = req.ids.map((id) => {
        const it = byId.get(id);
        if (!it) throw new CachetError('not-found', 'no such item in this vault', { id });
        return { it, dest: joinVaultPath(to, basename(it.path)) };
      });
      for (const p of plan) {
        if (p.dest !== p.it.path && taken.has(p.dest)) throw new CachetError('exists', 'an item of that name exists in the destination', { path: p.dest });
      }
      const out: ItemT[] = [];
      try {
        for (const p of plan) out.push(toItem(p.dest === p.it.path ? p.it : await v.move(p.it.id, p.dest)));
      } finally {
        s.emit('vault:changed', {});
      }
      return { items: out };
    },
    'items:delete': async (req) => {
      const v = vault();
      const known = new Set((await listItems()).map((i) => i.id));
      let deleted = 0;
      try {
        for (const id of req.ids) {
          if (!known.has(id)) continue;
          await v.remove(id);
          deleted++;
        }
      } finally {
        s.session.noteItemCount(known.size - deleted);
        s.emit('vault:changed', {});
      }
      return { deleted };
    },

    'aws:profiles': async () => ({ profiles: await s.aws.listProfiles() }),
    'aws:set-profile': async (req) => {
      // Select before the first await: requests apply in the order they arrive, so a slower
      // settings write of an earlier choice cannot win over a later one.
      s.aws.select(req);
      await s.settings.update((st) => {
        st.aws = { profile: req.profile, region: req.region };
      });
      stateChanged();
      return s.aws.target;
    },
    'aws:identity': async (req) => s.aws.whoAmI(req.profile, req.region),
    'aws:keys': async () => ({ keys: await s.aws.listKeys() }),
    'aws:create-key': async (req) => s.aws.createKey(req.alias, req.description),

    'local-key:create': async (req) => {
      const st = await s.localKey.create(req);
      stateChanged();
      return st;
    },
    'local-key:unlock': async (req) => {
      const st = await s.localKey.unlock(req);
      stateChanged();
      return st;
    },
  };
}

const RUNNABLE = new Set([
  'exe', 'com', 'bat', 'cmd', 'msi', 'msp', 'scr', 'pif', 'cpl', 'ps1', 'psm1', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'hta',
  'lnk', 'url', 'reg', 'jar', 'sh', 'bash', 'zsh', 'command', 'tool', 'app', 'pkg', 'desktop', 'appimage', 'run', 'deb', 'rpm',
  'py', 'pyw', 'pl', 'rb', 'scpt', 'applescript', 'workflow', 'action', 'terminal', 'inf', 'settingcontent-ms', 'library-ms', 'appref-ms',
]);

/** Whether the default app of this name would execute it. */
export function isRunnable(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot >= 0 && RUNNABLE.has(name.slice(dot + 1));
}

/** One ok result per unit not in `failed`, one error result per failure. */
/** The core's progress as a job:progress payload; per-file fields only while a file is named. */
function fromVaultProgress(p: VaultJobProgress): JobProgress {
  const out: JobProgress = { bytesDone: p.bytes, bytesTotal: p.total, filesDone: p.filesDone, filesTotal: p.filesTotal, current: p.file ?? null };
  if (p.file !== undefined) {
    out.fileBytes = p.fileBytes;
    out.fileTotal = p.fileTotal;
  }
  return out;
}

function reportUnits(ctx: JobContext, units: readonly VaultItem[], failed: readonly ItemFailure[]): void {
  const bad = new Set(failed.map((f) => f.item));
  for (const u of units) if (!bad.has(u.id)) ctx.result({ ref: u.path, ok: true });
  for (const f of failed) ctx.result({ ref: f.path ?? f.item ?? '', ok: false, error: toErrorPayload(f.error) });
}

function previewKind(mediaType: string | undefined, path: string): 'text' | 'image' | 'pdf' | 'binary' {
  const mt = mediaType ?? guessMediaType(path);
  if (!mt) return 'binary';
  if (mt === 'application/pdf') return 'pdf';
  if (mt.startsWith('image/')) return 'image';
  if (mt.startsWith('text/') || /^application\/(json|xml|yaml|toml)$/.test(mt)) return 'text';
  return 'binary';
}

function mediaFromKind(k: string): string {
  return k === 'text' ? 'text/plain' : 'application/octet-stream';
}

/** `root/rel`, refused unless it stays inside root (rel is a normalized vault path already). */
function inside(root: string, rel: string): string {
  const dest = join(root, ...rel.split('/'));
  const r = relative(root, dest);
  if (r === '' || r.startsWith('..') || isAbsolute(r) || r.split(sep).includes('..')) {
    throw new CachetError('bad-request', 'that item would be written outside the chosen folder', { reason: 'escape' });
  }
  return dest;
}

/** `dest`, or `name (2).ext`... if something is there already: export never overwrites. */
async function freeFsPath(dest: string): Promise<string> {
  const exists = async (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);
  if (!(await exists(dest))) return dest;
  const dir = dirname(dest);
  const name = basename(dest);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 2; i < 10_000; i++) {
    const p = join(dir, `${stem} (${i})${ext}`);
    if (!(await exists(p))) return p;
  }
  throw new CachetError('exists', 'too many files of the same name', { path: name });
}

// ---------------------------------------------------------------------------------------------
// dispatch

export interface DispatchOptions {
  /** True only for our window's webContents and origin (main.ts decides). */
  isTrustedSender(sender: SenderInfo): boolean;
  log(msg: string): void;
  /** Check each response against the contract (tests and the e2e harness). */
  validateResponses?: boolean;
  /** Called for each accepted request (auto-lock activity). */
  onRequest?(channel: Channel): void;
}

export type Dispatch = (channel: unknown, rawRequest: unknown, sender: SenderInfo) => Promise<Result<unknown>>;

export function createDispatch(handlers: Handlers, opts: DispatchOptions): Dispatch {
  return async (channel, rawRequest, sender) => {
    try {
      if (!isChannel(channel)) {
        return fail(new CachetError('bad-request', 'unknown request', { reason: 'unknown-channel', channel: typeof channel === 'string' ? channel.slice(0, 64) : typeof channel }));
      }
      let trusted = false;
      try {
        trusted = opts.isTrustedSender(sender);
      } catch {
        trusted = false;
      }
      if (!trusted) {
        opts.log(`refused ${channel} from an unknown sender (webContents ${sender?.webContentsId})`);
        return fail(new CachetError('permission-denied', 'request from an unknown sender', { reason: 'unknown-sender' }));
      }
      const tooLarge = oversized(rawRequest);
      if (tooLarge) {
        return fail(new CachetError('bad-request', `invalid ${channel} request`, { reason: 'too-large', channel, problem: tooLarge }));
      }
      const schema = CHANNELS[channel].request;
      const parsed = schema.safeParse(rawRequest ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return fail(new CachetError('bad-request', `invalid ${channel} request`, {
          reason: 'invalid-request',
          channel,
          field: issue ? issue.path.join('.') : undefined,
          problem: issue?.message.slice(0, 200),
        }));
      }
      opts.onRequest?.(channel);
      const handler = handlers[channel] as (req: unknown) => Promise<unknown>;
      const value = await handler(parsed.data);
      if (opts.validateResponses) {
        const check = CHANNELS[channel].response.safeParse(value);
        if (!check.success) {
          opts.log(`response of ${channel} breaks the contract: ${check.error.message}`);
          return fail(new CachetError('internal', 'bad response'));
        }
      }
      return { ok: true, value };
    } catch (e) {
      if (!isCachetError(e) || e.code === 'internal') {
        opts.log(`internal error in ${typeof channel === 'string' ? channel : '?'}: ${describe(e)}`);
      }
      return fail(e);
    }
  };
}

/**
 * Budget of a raw request, checked before the schema parses it. Electron has already
 * structured-cloned the message by then (that cost is Chromium's and not ours to bound); this
 * keeps zod and the handlers from walking an absurd value: a million-element array, thousands of
 * levels of nesting, a cycle (structured clone keeps them). The contract's own maxima are far
 * below it (the largest legitimate request: 100,000 ids or decisions).
 */
export const REQUEST_LIMITS = { depth: 32, values: 250_000, chars: 64 * 1024 * 1024 } as const;

/** Why `raw` exceeds REQUEST_LIMITS, or undefined. Bounded: stops at the first excess. */
export function oversized(raw: unknown): string | undefined {
  const stack: [unknown, number][] = [[raw, 0]];
  let values = 0;
  let chars = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    values++;
    if (typeof v === 'string') {
      chars += v.length;
      if (chars > REQUEST_LIMITS.chars) return 'too many characters';
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= REQUEST_LIMITS.depth) return 'nested too deep';
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
      chars += v.byteLength;
      if (chars > REQUEST_LIMITS.chars) return 'too many bytes';
      continue;
    }
    const children: unknown[] = Array.isArray(v) ? v : [];
    if (!Array.isArray(v)) {
      const keys = Object.keys(v);
      if (values + stack.length + keys.length > REQUEST_LIMITS.values) return 'too many values';
      for (const k of keys) {
        chars += k.length;
        children.push((v as Record<string, unknown>)[k]);
      }
      if (chars > REQUEST_LIMITS.chars) return 'too many characters';
    }
    if (values + stack.length + children.length > REQUEST_LIMITS.values) return 'too many values';
    for (const c of children) stack.push([c, depth + 1]);
  }
  return undefined;
}

function fail(e: unknown): Result<never> {
  return { ok: false, error: toErrorPayload(e) };
}

/** Name and stack only: messages of foreign errors can echo request data, so keep them short. */
function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.slice(0, 200)}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
  return typeof e;
}

export type { EventName, EventPayload };
