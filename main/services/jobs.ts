// Long-running operations (add, export, rekey, verify) as jobs: an id, an AbortController for
// cancel, progress events throttled per job (~10/s, the last one always sent before `job:done`),
// and exactly one `job:done` with a per-unit result list. It does not know what a job does: the
// handler passes a `run` function that reports progress and returns its unit results.

import { randomBytes } from 'node:crypto';
import { CachetError, isCachetError } from '../../app/errors.js';
import type { EventPayload, JobResultT } from '../../contract/ipc.js';
import type { Clock, Timer } from '../platform.js';
import { toErrorPayload } from './errors.js';

export type JobKind = EventPayload<'job:progress'>['kind'];
/** A job:progress event (the contract's payload; the renderer's JobProgress is the same type). */
export type JobProgress = EventPayload<'job:progress'>;
/** What a job's run reports; Jobs adds the job's id and kind. */
export type JobProgressReport = Omit<JobProgress, 'jobId' | 'kind'>;
export type JobDone = EventPayload<'job:done'>;

export interface JobContext {
  readonly signal: AbortSignal;
  /** Report progress; sent at most every `intervalMs` (the latest value wins). */
  progress(p: JobProgressReport): void;
  /** Record the result of one unit of work. */
  result(r: JobResultT): void;
}

export interface JobsOptions {
  clock: Clock;
  emitProgress(p: JobProgress): void;
  emitDone(d: JobDone): void;
  /** Minimum ms between two progress events of one job (default 100: ~10/s). */
  intervalMs?: number;
  log?: (msg: string) => void;
}

const MAX_OK_RESULTS = 1000;

interface Running {
  controller: AbortController;
  done: Promise<JobDone>;
}

export class Jobs {
  readonly #opts: JobsOptions;
  readonly #running = new Map<string, Running>();
  /** The last finished jobs, so `wait` works after the end too (bounded). */
  readonly #finished = new Map<string, JobDone>();

  constructor(opts: JobsOptions) {
    this.#opts = opts;
  }

  /** Start `run` as a job; returns its id at once. */
  start(kind: JobKind, run: (ctx: JobContext) => Promise<void>): string {
    const jobId = `job-${randomBytes(8).toString('hex')}`;
    const controller = new AbortController();
    const interval = this.#opts.intervalMs ?? 100;
    const clock = this.#opts.clock;
    let lastSent = -Infinity;
    let pending: JobProgressReport | undefined;
    let timer: Timer | undefined;
    const send = (): void => {
      timer = undefined;
      if (!pending) return;
      lastSent = clock.now();
      this.#opts.emitProgress({ jobId, kind, ...pending });
      pending = undefined;
    };
    const results: JobResultT[] = [];
    let succeeded = 0;
    let failed = 0;
    const ctx: JobContext = {
      signal: controller.signal,
      progress(p) {
        pending = p;
        const wait = lastSent + interval - clock.now();
        if (wait <= 0) {
          timer?.cancel();
          send();
        } else if (!timer) {
          timer = clock.setTimeout(send, wait);
        }
      },
      result(r) {
        if (r.ok) {
          succeeded++;
          // succeeded counts every kept ok result until the cap: no rescan per result (100,000 units).
          if (succeeded <= MAX_OK_RESULTS) results.push(r);
        } else {
          failed++;
          results.push(r);
        }
      },
    };
    const done = (async (): Promise<JobDone> => {
      let error: CachetError | undefined;
      try {
        await Promise.resolve().then(() => {
          if (controller.signal.aborted) throw new CachetError('cancelled', 'cancelled');
          return run(ctx);
        });
      } catch (e) {
        error = isCachetError(e) ? e : new CachetError('internal', 'the job failed unexpectedly', {}, { cause: e });
        if (!isCachetError(e)) this.#opts.log?.(`job ${kind} failed: ${(e as Error)?.stack ?? String(e)}`);
      }
      timer?.cancel();
      send();
      const cancelled = controller.signal.aborted || error?.code === 'cancelled';
      const status: JobDone['status'] = cancelled
        ? 'cancelled'
        : error
          ? 'failed'
          : failed === 0
            ? 'ok'
            : succeeded === 0
              ? 'failed'
              : 'partial';
      const d: JobDone = { jobId, kind, status, results, succeeded, failed };
      if (error && !cancelled) d.error = toErrorPayload(error);
      this.#running.delete(jobId);
      this.#finished.set(jobId, d);
      if (this.#finished.size > 100) this.#finished.delete(this.#finished.keys().next().value!);
      this.#opts.emitDone(d);
      return d;
    })();
    this.#running.set(jobId, { controller, done });
    return jobId;
  }

  /** Abort a running job; false if it is not running (finished or unknown). */
  cancel(jobId: string): boolean {
    const j = this.#running.get(jobId);
    if (!j) return false;
    j.controller.abort();
    return true;
  }

  /** Abort every job and wait until all have finished (lock, quit). */
  async cancelAll(): Promise<void> {
    const all = [...this.#running.values()];
    for (const j of all) j.controller.abort();
    await Promise.allSettled(all.map((j) => j.done));
  }

  /** The job's `job:done` payload once it ends (tests, harnesses). */
  wait(jobId: string): Promise<JobDone> | undefined {
    const f = this.#finished.get(jobId);
    return f ? Promise.resolve(f) : this.#running.get(jobId)?.done;
  }

  get runningCount(): number {
    return this.#running.size;
  }
}
