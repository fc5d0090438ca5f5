// A small stand-in for main's answers, for renderer tests that exercise only the UI (the
// 100,000-item list, component behaviour). The real main is used by test/e2e/app.test.ts; this
// fake answers only the channels the vault view asks for at start, from data the test gives.

import type { AppStateT, ItemT } from '../../contract/ipc.js';

export const FAKE_VAULT = {
  path: '/tmp/fake-vault',
  name: 'Fake vault',
  id: 'f'.repeat(32),
  keys: [{ provider: 'local' as const, keyId: `local:${'a'.repeat(16)}` }],
  itemCount: 0,
};

export function fakeState(items: number): AppStateT {
  return {
    vault: { ...FAKE_VAULT, itemCount: items },
    lockedVault: null,
    recentVaults: [],
    aws: { profile: null, region: null },
    localKey: { exists: true, unlocked: true, keyId: FAKE_VAULT.keys[0]!.keyId, protection: 'passphrase', safeStorageAvailable: false },
    settings: { autoLockMinutes: 10, lockOnSystemLock: true },
    platform: 'linux',
  };
}

/** `n` items spread over 100 folders, ids derived from the index (deterministic). */
export function manyItems(n: number): ItemT[] {
  const out: ItemT[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      id: i.toString(16).padStart(32, '0'),
      path: `folder-${String(i % 100).padStart(3, '0')}/file-${String(i).padStart(6, '0')}.txt`,
      size: (i * 7919) % 100_000,
      mtime: 1_700_000_000_000 + i * 1000,
      keyIds: [FAKE_VAULT.keys[0]!.keyId],
    });
  }
  return out;
}

export type Calls = { channel: string; request: unknown }[];

/** An invoke for openRendererPage: answers app:state and items:list, records every call. */
export function fakeInvoke(items: ItemT[], calls: Calls = []): (channel: string, request: unknown) => Promise<unknown> {
  return async (channel, request) => {
    calls.push({ channel, request });
    switch (channel) {
      case 'app:state':
        return { ok: true, value: fakeState(items.length) };
      case 'items:list':
        return { ok: true, value: { items } };
      case 'app:activity':
        return { ok: true, value: null };
      default:
        return { ok: false, error: { code: 'bad-request', message: `fake main does not answer ${channel}`, detail: {} } };
    }
  };
}
