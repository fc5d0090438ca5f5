// @pure — imports nothing Node-only, so the renderer can bundle the same rule for the app's banner (test/layering.test.ts checks the tag).
// What a key's health means: the conditions a key can be in (key-health.ts finds them), which of
// them open items today (healthy), which Cachet cannot judge (unknown), and which a person must act
// on (the CLI's warning, the app's banner). One home for those three lists. No KMS call here.

import type { ErrorCode } from '../errors.js';
import type { ProviderType } from '../format/limits.js';
import { keyDependencies, type DependentItem, type Dependencies, type KeyDependents, type KeyStanding } from './key-dependencies.js';

/**
 * A key's condition. The KMS key states (enabled, disabled, pending-deletion,
 * pending-replica-deletion, unavailable: its custom key store is disconnected, pending-import: no
 * key material or it expired, creating, updating), `wrong-usage` (not a symmetric
 * ENCRYPT_DECRYPT key), `not-found`, `cannot-describe` (see `error`), and for the local key `local`
 * (this machine's key file is that key) or `local-elsewhere` (it is not here).
 */
export const KEY_CONDITIONS = [
  'enabled', 'disabled', 'pending-deletion', 'pending-replica-deletion', 'unavailable', 'pending-import',
  'creating', 'updating', 'wrong-usage', 'not-found', 'cannot-describe', 'local', 'local-elsewhere',
] as const;
export type KeyCondition = (typeof KEY_CONDITIONS)[number];

/** Each condition in a person's words (the app's Status panel; the CLI prints the condition itself). */
export const CONDITION_LABELS: Readonly<Record<KeyCondition, string>> = {
  enabled: 'Enabled',
  disabled: 'Disabled',
  'pending-deletion': 'Scheduled for deletion',
  'pending-replica-deletion': 'This Region\'s replica is scheduled for deletion',
  unavailable: 'Unavailable: its custom key store is disconnected',
  'pending-import': 'No key material (import it again)',
  creating: 'Being created',
  updating: 'Being updated',
  'wrong-usage': 'Not a symmetric encryption key',
  'not-found': 'Not found in this account and Region',
  'cannot-describe': 'Could not be checked',
  local: 'Local key on this machine',
  'local-elsewhere': 'Local key of another machine',
};

export interface KeyHealth {
  readonly provider: ProviderType;
  readonly keyId: string;
  readonly condition: KeyCondition;
  /** ISO date when KMS deletes the key (pending-deletion, pending-replica-deletion). */
  readonly deletionDate: string | null;
  /** Whether automatic rotation is on; null when not asked or not allowed. */
  readonly rotation: boolean | null;
  /** Whether the key is a multi-Region key (primary or replica); null when it could not be described. */
  readonly multiRegion: boolean | null;
  /** The key spec and usage KMS reported (wrong-usage says which). */
  readonly keySpec: string | null;
  readonly keyUsage: string | null;
  /** ISO date imported key material expires, if it does. */
  readonly validTo: string | null;
  /** cannot-describe / not-found: the code of what KMS answered (e.g. kms-access-denied). */
  readonly error: ErrorCode | null;
}

/** Conditions in which a key opens items today. */
const HEALTHY: ReadonlySet<KeyCondition> = new Set<KeyCondition>(['enabled', 'local']);
/** Conditions where Cachet cannot tell: the key may be fine. */
const UNKNOWN: ReadonlySet<KeyCondition> = new Set<KeyCondition>(['cannot-describe', 'local-elsewhere', 'creating', 'updating']);
/** Conditions a person must act on before items are lost or stay closed (the CLI's warning, the app's banner). */
export const WARN_CONDITIONS: ReadonlySet<KeyCondition> = new Set<KeyCondition>(['pending-deletion', 'pending-replica-deletion', 'disabled']);

export function standingOf(h: Pick<KeyHealth, 'condition'>): KeyStanding {
  return HEALTHY.has(h.condition) ? 'healthy' : UNKNOWN.has(h.condition) ? 'unknown' : 'failing';
}


export function isWarning(h: Pick<KeyHealth, 'condition'>): boolean {
  return WARN_CONDITIONS.has(h.condition);
}

/** A health with nothing known but the condition (and the error code that explains it). */
export function blankHealth(provider: ProviderType, keyId: string, condition: KeyCondition, error: ErrorCode | null = null): KeyHealth {
  return { provider, keyId, condition, deletionDate: null, rotation: null, multiRegion: null, keySpec: null, keyUsage: null, validTo: null, error };
}

/** The local key: healthy when this machine's key file is that key (`localKeyId`), else not here. */
export function localKeyHealth(keyId: string, localKeyId: string | undefined): KeyHealth {
  return blankHealth('local', keyId, localKeyId === keyId ? 'local' : 'local-elsewhere');
}

/**
 * What the CLI (`status`, `verify --json`) and the app report per key; stable (README, usage.ts,
 * contract/ipc.ts KeyReport).
 */
export interface KeyReport {
  provider: ProviderType;
  keyId: string;
  state: KeyCondition;
  /** Whether the key opens items today (null: Cachet cannot tell). */
  healthy: boolean | null;
  deletionDate: string | null;
  rotation: boolean | null;
  multiRegion: boolean | null;
  /** Items sealed under the key, and those no other healthy key opens (null: the items could not be listed). */
  items: number | null;
  alone: number | null;
  /** The error code when the key could not be described (e.g. kms-access-denied). */
  error: ErrorCode | null;
}

export function keyReport(h: KeyHealth, deps: KeyDependents | undefined): KeyReport {
  const s = standingOf(h);
  return {
    provider: h.provider,
    keyId: h.keyId,
    state: h.condition,
    healthy: s === 'unknown' ? null : s === 'healthy',
    deletionDate: h.deletionDate,
    rotation: h.rotation,
    multiRegion: h.multiRegion,
    items: deps?.items ?? null,
    alone: deps?.alone ?? null,
    error: h.error,
  };
}

/** What depends on what, given the keys' health: the one place health turns into standings. */
export function dependenciesOf<I extends DependentItem>(health: readonly KeyHealth[], items: readonly I[]): Dependencies<I> {
  return keyDependencies(new Map(health.map((h) => [h.keyId, standingOf(h)])), items);
}
