// Two KMS calls that creating a key with an alias needs around `createKey` (aws-config.ts):
// whether an alias is already taken (DescribeKey on the alias: one call, no paging), and
// scheduling a key's deletion, for a key left without its alias when CreateAlias failed. Errors
// come back as CachetError through fromKmsError, like every other KMS call.
// It does not create keys or aliases (aws-config.ts does).

import { DescribeKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { createKmsClient, type AwsClientOptions } from './aws-config.js';
import { fromKmsError } from './kms-errors.js';

/** KMS's shortest waiting period, in days: a key made by mistake goes soonest, still undoable. */
export const MIN_PENDING_DELETION_DAYS = 7;

/** The ARN of the key `alias` (`alias/NAME`) names, or null when no such alias exists. */
export async function aliasTarget(opts: AwsClientOptions, alias: string): Promise<string | null> {
  const { client, ctx } = await createKmsClient(opts);
  try {
    const r = await client.send(new DescribeKeyCommand({ KeyId: alias }));
    return r.KeyMetadata?.Arn ?? r.KeyMetadata?.KeyId ?? alias;
  } catch (e) {
    const err = fromKmsError(e, { ...ctx, keyId: alias, operation: 'DescribeKey' });
    if (err.code === 'kms-key-not-found') return null;
    throw err;
  } finally {
    client.destroy();
  }
}

/**
 * Schedule `keyId` (a key id or key ARN, in the client's region) for deletion after the shortest
 * waiting period; returns that period in days. An ARN is sent as its key id: KMS takes either,
 * and moto (the tests' KMS) fails on an ARN here.
 */
export async function scheduleKeyDeletion(opts: AwsClientOptions, keyId: string): Promise<number> {
  const { client, ctx } = await createKmsClient(opts);
  try {
    const id = keyId.startsWith('arn:') && keyId.includes(':key/') ? keyId.slice(keyId.lastIndexOf('/') + 1) : keyId;
    const r = await client.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: MIN_PENDING_DELETION_DAYS }));
    return r.PendingWindowInDays ?? MIN_PENDING_DELETION_DAYS;
  } catch (e) {
    throw fromKmsError(e, { ...ctx, keyId, operation: 'ScheduleKeyDeletion' });
  } finally {
    client.destroy();
  }
}
