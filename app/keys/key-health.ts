// Key health: how each of a vault's keys stands today. For an aws-kms key, DescribeKey (state,
// deletion date, spec and usage, multi-Region) and GetKeyRotationStatus when the identity may call
// it; for the local key, whether this machine's key file is that key. A failure to describe is a
// state of its own (`cannot-describe` with the error's code), never a thrown error: a health check
// reports, it does not stop the command that asked.
//
// It does not count items (key-dependencies.ts does, purely) and does not word anything (the CLI
// and the renderer do); it never decrypts or uses a key.

import { DescribeKeyCommand, GetKeyRotationStatusCommand, type KeyMetadata, type KMSClient } from '@aws-sdk/client-kms';
import { CachetError, throwIfAborted } from '../errors.js';

export { standingOf, WARN_CONDITIONS, type KeyCondition, type KeyHealth } from './key-condition.js';
import type { ProviderType } from '../format/limits.js';
import { createKmsClient, type AwsClientOptions } from './aws-config.js';
import { regionOfArn } from './aws-kms.js';
import { blankHealth as blank, localKeyHealth, type KeyCondition, type KeyHealth } from './key-condition.js';
import { fromKmsError, type KmsErrorContext } from './kms-errors.js';

const STATE_CONDITIONS: Readonly<Record<string, KeyCondition>> = {
  Enabled: 'enabled',
  Disabled: 'disabled',
  PendingDeletion: 'pending-deletion',
  PendingReplicaDeletion: 'pending-replica-deletion',
  Unavailable: 'unavailable',
  PendingImport: 'pending-import',
  Creating: 'creating',
  Updating: 'updating',
};

const iso = (d: Date | undefined): string | null => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : null);

/** The condition DescribeKey's metadata says (pure: tested on moto's answers and on made-up states). */
export function conditionOf(m: KeyMetadata): KeyCondition {
  const state = m.KeyState !== undefined ? STATE_CONDITIONS[m.KeyState] : undefined;
  // Deletion and disablement say more than a spec mismatch: they are what the person can still undo.
  if (state !== undefined && state !== 'enabled') return state;
  if ((m.KeyUsage !== undefined && m.KeyUsage !== 'ENCRYPT_DECRYPT') || (m.KeySpec !== undefined && m.KeySpec !== 'SYMMETRIC_DEFAULT')) return 'wrong-usage';
  if (state === undefined) return m.Enabled === false ? 'disabled' : 'enabled';
  return state;
}

export interface KeyHealthOptions extends AwsClientOptions {
  readonly signal?: AbortSignal | undefined;
  /** This machine's local key id (from its key file), if it has one. */
  readonly localKeyId?: string | undefined;
  /** Ask GetKeyRotationStatus of enabled keys (default true; a warning-only check skips the request). */
  readonly rotation?: boolean | undefined;
}


/**
 * The health of each key, in the order given. aws-kms keys are described one after another (a
 * vault has at most a few keys), each with a client in the key's own region. Throws only
 * `cancelled` and configuration errors (no region, a bad profile) that no key check can get past.
 */
export async function checkKeyHealth(keys: readonly { provider: ProviderType; keyId: string }[], opts: KeyHealthOptions = {}): Promise<KeyHealth[]> {
  const clients = new Map<string, Promise<{ client: KMSClient; ctx: KmsErrorContext }>>();
  const clientFor = (region: string | undefined): Promise<{ client: KMSClient; ctx: KmsErrorContext }> => {
    const k = region ?? '';
    let c = clients.get(k);
    if (!c) clients.set(k, (c = createKmsClient(opts, region)));
    return c;
  };
  const out: KeyHealth[] = [];
  try {
    for (const key of keys) {
      throwIfAborted(opts.signal);
      if (key.provider === 'local') {
        out.push(localKeyHealth(key.keyId, opts.localKeyId));
        continue;
      }
      const { client, ctx } = await clientFor(regionOfArn(key.keyId));
      out.push(await describe(client, { ...ctx, keyId: key.keyId }, key.keyId, opts.signal, opts.rotation !== false));
    }
  } finally {
    for (const c of clients.values()) c.then((x) => x.client.destroy(), () => {});
  }
  return out;
}

async function describe(client: KMSClient, ctx: KmsErrorContext, keyId: string, signal: AbortSignal | undefined, askRotation: boolean): Promise<KeyHealth> {
  let m: KeyMetadata | undefined;
  try {
    m = (await client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal: signal })).KeyMetadata;
  } catch (e) {
    const err = fromKmsError(e, { ...ctx, operation: 'DescribeKey' });
    if (err.code === 'cancelled') throw err;
    return blank('aws-kms', keyId, err.code === 'kms-key-not-found' ? 'not-found' : 'cannot-describe', err.code);
  }
  if (!m) throw new CachetError('kms-error', 'KMS DescribeKey returned no key metadata', { keyId });
  const condition = conditionOf(m);
  let rotation: boolean | null = null;
  if (condition === 'enabled' && askRotation) {
    // Only an enabled key answers; a denial leaves rotation unknown (kms:GetKeyRotationStatus is optional).
    try {
      rotation = (await client.send(new GetKeyRotationStatusCommand({ KeyId: m.KeyId ?? keyId }), { abortSignal: signal })).KeyRotationEnabled ?? null;
    } catch (e) {
      const err = fromKmsError(e, { ...ctx, operation: 'GetKeyRotationStatus' });
      if (err.code === 'cancelled') throw err;
    }
  }
  return {
    provider: 'aws-kms',
    keyId,
    condition,
    deletionDate: iso(m.DeletionDate),
    rotation,
    multiRegion: m.MultiRegion === true, // moto leaves it out for a single-Region key
    keySpec: m.KeySpec ?? null,
    keyUsage: m.KeyUsage ?? null,
    validTo: iso(m.ValidTo),
    error: null,
  };
}
