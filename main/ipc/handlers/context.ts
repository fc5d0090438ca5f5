// What more than one handler area needs: the open vault, the app state and its change event,
// the listing (which also tells the session the item count), the check that a vault's keys can
// be used here, and the mapping of the core's job progress and per-item failures to job events.
// It handles no channel itself (the areas in this folder do).

import { badRequest, CachetError } from '../../../app/errors.js';
import type { ItemFailure, VaultProgress, Vault, VaultItem } from '../../../app/vault/vault.js';
import type { AppStateT, ItemT } from '../../../contract/ipc.js';
import type { MainServices } from '../../services/main-services.js';
import { publicSettings } from '../../services/settings.js';
import { toErrorPayload } from '../../services/errors.js';
import type { JobContext, JobProgressReport } from '../../services/jobs.js';

export interface HandlerContext {
  readonly s: MainServices;
  /** The open vault, or `locked`/`no-vault` (VaultSession.require). */
  vault(): Vault;
  appState(): AppStateT;
  /** Send app:state-changed with the current state. */
  stateChanged(): void;
  listItems(): Promise<VaultItem[]>;
  /** One item by id (the vault's cached entry, re-checked against its file; no full listing). */
  findItem(id: string): Promise<VaultItem>;
  /** Refuses a local key that is missing or is not this computer's. */
  checkKeysUsable(keys: readonly { provider: string; keyId: string }[]): void;
}

export function createHandlerContext(s: MainServices): HandlerContext {
  const vault = (): Vault => s.session.require();
  const appState = (): AppStateT => {
    const st = s.settings.get();
    return {
      vault: s.session.summaryNow(),
      lockedVault: s.session.lockedVault,
      recentVaults: st.recentVaults,
      aws: s.aws.target,
      localKey: s.localKey.status(),
      settings: publicSettings(st),
      platform: s.platform.os,
    };
  };
  return {
    s,
    vault,
    appState,
    stateChanged: () => s.emit('app:state-changed', appState()),
    listItems: async () => {
      const items = await vault().list();
      s.session.noteItemCount(items.length);
      return items;
    },
    findItem: async (id) => vault().find(id),
    checkKeysUsable: (keys) => {
      for (const k of keys) {
        if (k.provider === 'local') {
          const st = s.localKey.status();
          if (!st.exists) throw new CachetError('local-key-missing', 'create the local key first');
          if (st.keyId && k.keyId !== st.keyId) throw badRequest('other-local-key', 'that is not this computer\'s local key', { keyId: k.keyId });
        }
      }
    },
  };
}

/** A core item as the contract's item. */
export const toItemT = (i: VaultItem): ItemT => ({ id: i.id, path: i.path, size: i.size, mtime: i.mtime, keyIds: [...i.keyIds] });

/** The core's progress as a job:progress payload; per-file fields only while a file is named. */
export function fromVaultProgress(p: VaultProgress): JobProgressReport {
  const out: JobProgressReport = { bytesDone: p.bytes, bytesTotal: p.total, filesDone: p.filesDone, filesTotal: p.filesTotal, current: p.file ?? null };
  if (p.file !== undefined) {
    out.fileBytes = p.fileBytes;
    out.fileTotal = p.fileTotal;
  }
  return out;
}

/** One ok result per unit not in `failed`, one error result per failure. */
export function reportUnits(ctx: JobContext, units: readonly VaultItem[], failed: readonly ItemFailure[]): void {
  const bad = new Set(failed.map((f) => f.item));
  for (const u of units) if (!bad.has(u.id)) ctx.result({ ref: u.path, ok: true });
  for (const f of failed) ctx.result({ ref: f.path ?? f.item ?? '', ok: false, error: toErrorPayload(f.error) });
}
