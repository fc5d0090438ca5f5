// Access history (issue 14): who used a vault's data keys, and when, from CloudTrail. Every KMS call
// Cachet makes carries the encryption context {cachet:vault, cachet:item, cachet:purpose} (SPEC §3),
// which CloudTrail records in requestParameters, so LookupEvents for EventSource kms.amazonaws.com
// matched on those ids tells the identity, time, source IP, user agent and operation of each use,
// and never a file name (the context holds opaque ids only).
//
// LookupEvents allows 2 requests per second per account and region: pages are fetched one after
// another at least 500 ms apart, at most MAX_PAGES of them (`truncated` says more were left), and
// the signal cancels between pages and during the wait. It does not read the vault (the caller
// gives the ids) and does not word anything; a missing cloudtrail:LookupEvents permission is its
// own code (cloudtrail-access-denied) so the CLI and the app can name the policy line.

import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { CachetError, sleep, throwIfAborted } from '../errors.js';
import { resolveAwsClient, type AwsClientOptions } from './aws-config.js';
import { fromKmsError } from './kms-errors.js';
import { recordCalledEndpoint } from './called-endpoint.js';
import { regionOfArn } from './aws-kms.js';

/** The KMS operations that use a vault's data keys. */
export const HISTORY_OPERATIONS: ReadonlySet<string> = new Set(['Decrypt', 'GenerateDataKey', 'ReEncrypt', 'Encrypt']);
/** LookupEvents: 2 requests per second per account and region (AWS CloudTrail quotas). */
export const MIN_REQUEST_INTERVAL_MS = 500;
/** Pages per lookup (50 events each): a bound on time (~50 s) and memory. */
export const MAX_PAGES = 100;
const PAGE_SIZE = 50;
const KMS_EVENT_SOURCE = 'kms.amazonaws.com';

export interface AccessEvent {
  readonly time: string;
  readonly operation: string;
  /** The caller's ARN (userIdentity.arn), or null for a service principal without one. */
  readonly identity: string | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  /** The item id of the context (null for the vault's own keys: index, vault.json). */
  readonly item: string | null;
  readonly eventId: string | null;
}

export interface AccessHistory {
  readonly events: AccessEvent[];
  /** LookupEvents requests sent (pages; the SDK's retries not counted). */
  readonly pages: number;
  /** Whether MAX_PAGES was reached with more events left. */
  readonly truncated: boolean;
}

export interface AccessHistoryOptions extends AwsClientOptions {
  readonly vaultId: string;
  /** Only this item's events. */
  readonly itemId?: string | undefined;
  readonly since: Date;
  readonly until?: Date | undefined;
  readonly signal?: AbortSignal | undefined;
  /** After each page: pages so far and matching events so far. */
  readonly onPage?: ((pages: number, matched: number) => void) | undefined;
  /** Test seam: the wait between requests (default MIN_REQUEST_INTERVAL_MS). Never below it outside tests. */
  readonly intervalMs?: number | undefined;
  readonly maxPages?: number | undefined;
}

type Context = Record<string, unknown>;

/** The encryption context(s) a KMS CloudTrail record holds: ReEncrypt has a source and a destination one. */
function contextsOf(params: Record<string, unknown> | undefined): Context[] {
  if (!params) return [];
  return ['encryptionContext', 'sourceEncryptionContext', 'destinationEncryptionContext']
    .map((k) => params[k])
    .filter((c): c is Context => c !== null && typeof c === 'object');
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The event as an AccessEvent when it is a use of this vault's (or this item's) keys; pure. */
export function matchEvent(e: Event, vaultId: string, itemId?: string): AccessEvent | undefined {
  if (!e.CloudTrailEvent || !HISTORY_OPERATIONS.has(e.EventName ?? '')) return undefined;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(e.CloudTrailEvent) as Record<string, unknown>;
  } catch {
    return undefined; // not a record we can read: not ours to show
  }
  const ctx = contextsOf(record.requestParameters as Record<string, unknown> | undefined).find((c) => c['cachet:vault'] === vaultId);
  if (!ctx) return undefined;
  const item = str(ctx['cachet:item']);
  if (itemId !== undefined && item !== itemId) return undefined;
  const who = record.userIdentity as Record<string, unknown> | undefined;
  return {
    time: str(record.eventTime) ?? (e.EventTime ? e.EventTime.toISOString() : ''),
    operation: e.EventName!,
    identity: str(who?.arn),
    sourceIp: str(record.sourceIPAddress),
    userAgent: str(record.userAgent),
    item,
    eventId: str(record.eventID) ?? e.EventId ?? null,
  };
}


/** The vault's (or one item's) access history, newest first as CloudTrail returns it. */
/**
 * Where to look: CloudTrail records a KMS call in the key's Region, so without a Region chosen,
 * the first KMS key's (the CLI's `history` and the app's history view).
 */
export function historyRegion(keys: readonly { provider: string; keyId: string }[], region: string | undefined): string | undefined {
  if (region) return region;
  const kms = keys.find((k) => k.provider === 'aws-kms');
  return kms ? regionOfArn(kms.keyId) : undefined;
}

export async function lookupAccessHistory(opts: AccessHistoryOptions): Promise<AccessHistory> {
  const r = await resolveAwsClient(opts, 'CLOUDTRAIL');
  const client = recordCalledEndpoint(new CloudTrailClient(r.config));
  const ctx = { profile: r.profile, region: r.region, endpoint: r.endpoint, operation: 'LookupEvents', service: 'CloudTrail' };
  const interval = opts.intervalMs ?? MIN_REQUEST_INTERVAL_MS;
  const maxPages = opts.maxPages ?? MAX_PAGES;
  const events: AccessEvent[] = [];
  let token: string | undefined;
  let pages = 0;
  let last = 0;
  try {
    do {
      throwIfAborted(opts.signal);
      const wait = last + interval - Date.now();
      if (pages > 0 && wait > 0) await sleep(wait, opts.signal);
      let out;
      try {
        out = await client.send(new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: KMS_EVENT_SOURCE }],
          StartTime: opts.since,
          ...(opts.until ? { EndTime: opts.until } : {}),
          MaxResults: PAGE_SIZE,
          ...(token ? { NextToken: token } : {}),
        }), { abortSignal: opts.signal });
      } catch (e) {
        throw fromCloudTrailError(e, ctx);
      }
      // Timed from the answer: the next request then reaches CloudTrail at least `interval` after this one did.
      last = Date.now();
      pages++;
      for (const ev of out.Events ?? []) {
        const m = matchEvent(ev, opts.vaultId, opts.itemId);
        if (m) events.push(m);
      }
      token = out.NextToken || undefined;
      opts.onPage?.(pages, events.length);
    } while (token && pages < maxPages);
  } finally {
    client.destroy();
  }
  return { events, pages, truncated: token !== undefined };
}

/** CloudTrail's errors: a denial is `cloudtrail-access-denied` (naming the action), the rest as KMS's. */
function fromCloudTrailError(e: unknown, ctx: Parameters<typeof fromKmsError>[1]): CachetError {
  const err = fromKmsError(e, ctx);
  if (err.code !== 'kms-access-denied') return err;
  return new CachetError('cloudtrail-access-denied', `access to CloudTrail LookupEvents was denied${err.detail.identity ? ` to ${err.detail.identity}` : ''}`, {
    identity: err.detail.identity, region: err.detail.region, profile: err.detail.profile, action: 'cloudtrail:LookupEvents', operation: 'LookupEvents',
  }, { cause: err.cause });
}
