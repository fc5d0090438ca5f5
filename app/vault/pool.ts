// Bounded concurrency for vault jobs (many small files: the KMS round trip, not the cipher, is the
// cost, so a few calls in flight hide most of it). A job's tasks catch their own errors; the pool
// only limits how many run at once and waits for them all. It does not retry (the SDK does that).

export class Pool {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #inflight = new Set<Promise<void>>();

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
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
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
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
    this.#limit = Math.max(1, Math.floor(limit));
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
