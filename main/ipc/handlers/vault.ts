// Handlers of the vault as a whole: create, open, close, lock, forget a recent one, re-key, verify,
// and the keys' health (issue 14: what depends on what, for the app's banner).
// Opening or creating another vault first cancels running jobs and wipes temp copies.
// A vault folder listed in recent vaults or the locked vault may be opened without a grant (main
// wrote those paths itself); any other must have been granted in this session. An S3 location
// needs no grant (contract/ipc.ts: the IAM identity decides what it reaches).

import { badRequest, CachetError, isCachetError } from '../../../app/errors.js';
import { keyReports, keysAndDependents, vaultStatus } from '../../../app/vault/vault-status.js';
import { isS3Location } from '../../../app/vault/s3-location.js';
import type { Handlers } from '../handlers.js';
import { fromVaultProgress, reportUnits, type HandlerContext } from './context.js';

/** CloudTrail pages the app reads per request (2 per second at most: about 10 s); the CLI reads up to 100. */
const APP_HISTORY_PAGES = 20;

export function vaultHandlers(c: HandlerContext) {
  const { s } = c;

  const opened = async (summary: Awaited<ReturnType<typeof s.session.open>>): Promise<typeof summary> => {
    await s.settings.addRecent(summary.path, s.platform.clock.now());
    s.autoLock.arm();
    c.stateChanged();
    return summary;
  };

  /** The open vault's keys and what depends on them: the computation `cachet status` makes (app/vault/vault-status.ts). */
  const health = (items: Awaited<ReturnType<typeof c.listItems>> | null) =>
    keysAndDependents(c.vault().keys(), items, s.localKey.status().keyId ?? undefined, (keys, local) => s.aws.keyHealth(keys, local));

  const maybeVaultGranted = (path: string): string => {
    if (isS3Location(path)) return path;
    const st = s.settings.get();
    if (st.recentVaults.some((r) => r.path === path) || s.session.lockedVault?.path === path) return path;
    // A vault folder dropped on the window may be opened too (a drop grants 'read').
    return s.grants.has(path, 'read') ? s.grants.check(path, 'read') : s.grants.check(path, 'vault');
  };

  return {
    'vault:create': async (req) => {
      const dir = isS3Location(req.path) ? req.path : s.grants.check(req.path, 'vault');
      c.checkKeysUsable(req.keys);
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
      c.stateChanged();
      return null;
    },
    'vault:lock': async () => {
      await s.lockAll('user');
      return null;
    },
    'vault:forget-recent': async (req) => (await s.settings.removeRecent(req.path)).recentVaults,
    'vault:rekey': async (req) => {
      const v = c.vault();
      c.checkKeysUsable(req.keys);
      const all = await c.listItems();
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
          c.stateChanged();
        }
      });
      return { jobId };
    },
    'vault:health': async () => {
      const items = await c.listItems();
      const h = await health(items);
      return { keys: keyReports(h), atRisk: h.atRisk.map((i) => i.id), uncertain: h.uncertain.length };
    },
    'vault:status': async () => {
      const v = c.vault();
      // A listing that fails still shows the keys, as `cachet status` does.
      const items = await c.listItems().catch((e: unknown) => {
        if (isCachetError(e, 'cancelled')) throw e;
        return null;
      });
      const lk = s.localKey.status();
      return vaultStatus(v, items, await health(items), { path: s.localKey.file, present: lk.keyId !== null });
    },
    'vault:reveal': async () => {
      const v = c.vault();
      if (v.storage !== 'folder') throw badRequest('not-local', 'this vault is not a folder on this computer');
      s.platform.showInFolder(v.dir);
      return null;
    },
    'vault:history': async (req) => {
      const v = c.vault();
      const keys = v.keys();
      if (!keys.some((k) => k.provider === 'aws-kms')) {
        throw badRequest('no-kms-keys', 'this vault has no KMS keys: the local key leaves no record in CloudTrail');
      }
      const paths = new Map<string, string>();
      for (const i of await c.listItems().catch(() => [])) paths.set(i.id, i.path);
      const since = new Date(Date.now() - req.days * 86_400_000);
      const h = await s.aws.accessHistory({ vaultId: v.id, itemId: req.item, since, keys, maxPages: APP_HISTORY_PAGES });
      return {
        since: since.toISOString(),
        events: h.events.map((e) => ({ time: e.time, operation: e.operation, identity: e.identity, sourceIp: e.sourceIp, userAgent: e.userAgent, item: e.item, path: e.item === null ? null : (paths.get(e.item) ?? null) })),
        pages: h.pages,
        truncated: h.truncated,
      };
    },
    'vault:verify': async () => {
      const v = c.vault();
      const items = await c.listItems();
      const jobId = s.jobs.start('verify', async (ctx) => {
        const r = await v.verify({
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(fromVaultProgress(p)),
        });
        // Damaged and could-not-be-checked both fail here; the renderer groups them (checkVerdict).
        reportUnits(ctx, items, [...r.bad, ...r.unchecked]);
      });
      return { jobId };
    },
  } satisfies Partial<Handlers>;
}
