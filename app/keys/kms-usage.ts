// Counting what a job asks of KMS: calls and HTTP requests per operation, the throttling answers
// and the retries they cost, through one middleware put on each KMS client (`countKmsUsage`), and
// the estimated price of those requests. It does not retry or slow anything down (the SDK's retry
// strategy does), and it never reads a request or response body: only the operation's name and
// whether an attempt failed with a throttling error.

import type { KMSClient } from '@aws-sdk/client-kms';
import type { FinalizeRequestMiddleware, MetadataBearer } from '@smithy/types';
import { isThrottlingName } from './kms-errors.js';

/**
 * AWS KMS's published price for symmetric-key requests: USD 0.03 per 10,000 requests
 * (https://aws.amazon.com/kms/pricing/, checked 2026-12). The free tier and the monthly key fee
 * are left out: the figure is an estimate of what this job's requests add.
 */
export const KMS_USD_PER_REQUEST = 0.03 / 10_000;

export interface KmsUsageReport {
  /** HTTP requests sent, retries included (what KMS bills). */
  readonly requests: number;
  /** Requests per operation (`Decrypt`, `GenerateDataKey`, ...), retries included. */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Attempts KMS answered with a throttling error. */
  readonly throttled: number;
  /** Attempts beyond the first of each call. */
  readonly retries: number;
  /** Milliseconds spent waiting to retry after a throttling answer: how much KMS slowed the job down (summed over calls, which may overlap). */
  readonly throttledMs: number;
  /** requests x KMS_USD_PER_REQUEST: an estimate, not a bill. */
  readonly estimatedCostUsd: number;
}

/** The counters of one job; shared by every KMS client the job makes. */
export class KmsUsage {
  readonly #byOperation = new Map<string, number>();
  #calls = 0;
  #requests = 0;
  #throttled = 0;
  #throttledMs = 0;

  /** A call entered the client (once, however many attempts it takes). */
  call(): void {
    this.#calls++;
  }

  /** One HTTP attempt of `operation`; `throttled` when KMS answered it with a throttling error. */
  attempt(operation: string, throttled: boolean): void {
    this.#requests++;
    this.#byOperation.set(operation, (this.#byOperation.get(operation) ?? 0) + 1);
    if (throttled) this.#throttled++;
  }

  /** Time a call waited between a throttled attempt and its next one. */
  waited(ms: number): void {
    this.#throttledMs += Math.max(0, ms);
  }

  report(): KmsUsageReport {
    const byOperation: Record<string, number> = {};
    for (const [op, n] of [...this.#byOperation].sort(([a], [b]) => (a < b ? -1 : 1))) byOperation[op] = n;
    return {
      requests: this.#requests,
      byOperation,
      throttled: this.#throttled,
      retries: Math.max(0, this.#requests - this.#calls),
      throttledMs: Math.round(this.#throttledMs),
      estimatedCostUsd: this.#requests * KMS_USD_PER_REQUEST,
    };
  }
}

const CALL_MIDDLEWARE = 'cachetKmsUsageCall';
const ATTEMPT_MIDDLEWARE = 'cachetKmsUsageAttempt';

/** `DecryptCommand` -> `Decrypt`. */
function operationOf(context: { commandName?: unknown }): string {
  const name = typeof context.commandName === 'string' ? context.commandName : 'Unknown';
  return name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
}

function isThrottle(e: unknown): boolean {
  const err = e as { name?: unknown; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } } | null;
  if (!err || typeof err !== 'object') return false;
  return (typeof err.name === 'string' && isThrottlingName(err.name)) || err.$retryable?.throttling === true || err.$metadata?.httpStatusCode === 429;
}

/**
 * Count `client`'s calls and attempts into `usage`: one middleware at `initialize` (a call), one
 * just inside the SDK's retry middleware (each attempt). Adding it twice to a client is a no-op.
 */
export function countKmsUsage(client: KMSClient, usage: KmsUsage): void {
  const stack = client.middlewareStack;
  if (stack.identify().some((m) => m.startsWith(CALL_MIDDLEWARE))) return;
  stack.add((next) => async (args) => {
    usage.call();
    return next(args);
  }, { step: 'initialize', name: CALL_MIDDLEWARE, priority: 'high' });
  // Made once per call (the SDK resolves the stack per send), so `throttledAt` belongs to one call.
  const perAttempt: FinalizeRequestMiddleware<object, MetadataBearer> = (next, context) => {
    let throttledAt: number | undefined;
    return async (args) => {
      const op = operationOf(context);
      if (throttledAt !== undefined) usage.waited(performance.now() - throttledAt);
      throttledAt = undefined;
      try {
        const out = await next(args);
        usage.attempt(op, false);
        return out;
      } catch (e) {
        const throttled = isThrottle(e);
        usage.attempt(op, throttled);
        if (throttled) throttledAt = performance.now();
        throw e;
      }
    };
  };
  stack.addRelativeTo(perAttempt as unknown as Parameters<typeof stack.addRelativeTo>[0], { relation: 'after', toMiddleware: 'retryMiddleware', name: ATTEMPT_MIDDLEWARE });
}
