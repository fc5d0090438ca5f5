// Bounded concurrency for vault jobs (many small files: the KMS round trip, not the cipher, is the
// cost, so a few calls in flight hide most of it). A job's tasks catch their own errors; the pool
// only limits how many run at once and waits for them all. `runBatch` is the one loop every job
// (add, extract, re-key, verify) runs its items through: the clamp, the cancel check, the drain.
// It does not retry (the SDK does that) and does not report progress (each job's totals differ).

import { isCachetError } from '../errors.js';

export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 64;
/** Store metadata calls (lstat, HEAD) in flight at once when a job needs one per item. */
export const STAT_CONCURRENCY = 64;

/**
 * A job's concurrency option as a usable limit: default when absent or not a number (NaN
 * included: a NaN limit would let a pool run everything at once), at least 1, at most
 * MAX_CONCURRENCY, whole.
 */
export function clampConcurrency(n: number | undefined): number {
  if (typeof n !== 'number' || Number.isNaN(n)) return DEFAULT_CONCURRENCY;
  return Math.min(Math.max(1, Math.floor(n)), MAX_CONCURRENCY);
}

/** A limit for Pool and Gate: a finite whole number >= 1 (NaN and Infinity are refused, not run unbounded). */
function checkLimit(limit: number): number {
  if (!Number.isFinite(limit)) throw new RangeError(`a pool limit must be a finite number, not ${limit}`);
  return Math.max(1, Math.floor(limit));
}

export class Pool {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #inflight = new Set<Promise<void>>();

  constructor(limit: number) {
    this.#limit = checkLimit(limit);
  }

  /** Wait for a free slot, then start `task` (without waiting for it to finish). */
  async start(task: () => Promise<void>): Promise<void> {
    while (this.#running >= this.#limit) {
      await new Promise<void>((res) => this.#waiting.push(res));
    }
    this.#running++;
    const p = (async () => {
      try {
        await task();
      } catch {
        // tasks report their own failures; a throw here must not stop the others
      } finally {
        this.#running--;
        this.#waiting.shift()?.();
      }
    })();
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }

  /** Resolves when every started task has finished. */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }
}

/** Run `fn` over `items` with at most `limit` at once; results keep the order of `items`. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { e: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined) {
      const i = next++;
      if (i >= items.length) return;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        failure ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(checkLimit(limit), items.length) }, worker));
  if (failure) throw failure.e;
  return out;
}

/**
 * At most `limit` holders at once, FIFO. `add` uses two: one around the data-key request and one
 * around sealing and writing, so a file's fsync and rename no longer hold a KMS slot (the KMS
 * round trips keep `concurrency` calls in flight while earlier files finish on disk).
 */
export class Gate {
  readonly #limit: number;
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = checkLimit(limit);
  }

  /** Run `fn` once a place is free; the place is given back however `fn` ends. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#held >= this.#limit) await new Promise<void>((res) => this.#waiting.push(res));
    this.#held++;
    try {
      return await fn();
    } finally {
      this.#held--;
      this.#waiting.shift()?.();
    }
  }
}

/** The part of an item's work that may overlap other items'. */
export type BatchTask = () => Promise<void>;

/**
 * Run a job's items with at most `limit` tasks at once. `each` runs in item order (a job decides
 * there what needs the order: add resolves conflicts there) and returns the item's concurrent
 * task, or undefined when there is nothing to run. A task reports its own failures; one that
 * throws 'cancelled' marks the batch cancelled. No item starts once `signal` has fired or a task
 * was cancelled; every started task is waited for. Returns whether the batch was cancelled.
 */
export async function runBatch<T>(
  items: Iterable<T>,
  opts: { limit: number; signal?: AbortSignal | undefined },
  each: (item: T) => BatchTask | undefined | Promise<BatchTask | undefined>,
): Promise<{ cancelled: boolean }> {
  const pool = new Pool(opts.limit);
  let cancelled = false;
  for (const item of items) {
    if (cancelled || opts.signal?.aborted) {
      cancelled = true;
      break;
    }
    const task = await each(item);
    if (!task) continue;
    await pool.start(async () => {
      try {
        await task();
      } catch (e) {
        if (isCachetError(e, 'cancelled')) cancelled = true;
        else throw e;
      }
    });
  }
  await pool.drain();
  return { cancelled: cancelled || opts.signal?.aborted === true };
}
