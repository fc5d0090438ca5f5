// The state of long jobs (add, export, re-key, verify) as the renderer tracks them, built from
// the contract's job:progress and job:done events by a pure reducer (unit-tested in node).
// Events can arrive before the invoke that started the job has returned its jobId, so an event
// for an unknown job creates its entry, and `started` later only adds the label.

import { checkVerdict } from '../../../app/errors.js';
import type { EventPayload } from '../../../contract/ipc.js';

export type JobProgress = EventPayload<'job:progress'>;
export type JobDone = EventPayload<'job:done'>;
export type JobKind = JobProgress['kind'];

export interface JobView {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly label: string;
  readonly progress: JobProgress | null;
  readonly done: JobDone | null;
  readonly cancelling: boolean;
  /** Where an export writes (the folder chosen), for "Show in folder" when it is done. */
  readonly wrote?: string | undefined;
}

export type JobAction =
  | { readonly type: 'started'; readonly jobId: string; readonly kind: JobKind; readonly label: string; readonly wrote?: string | undefined }
  | { readonly type: 'progress'; readonly payload: JobProgress }
  | { readonly type: 'done'; readonly payload: JobDone }
  | { readonly type: 'cancelling'; readonly jobId: string }
  | { readonly type: 'dismiss'; readonly jobId: string };

const DEFAULT_LABEL: Record<JobKind, string> = {
  add: 'Adding files',
  export: 'Exporting',
  rekey: 'Re-keying',
  verify: 'Verifying the vault',
};

function upsert(jobs: readonly JobView[], jobId: string, kind: JobKind, change: (j: JobView) => JobView): JobView[] {
  const i = jobs.findIndex((j) => j.jobId === jobId);
  if (i < 0) return [...jobs, change({ jobId, kind, label: DEFAULT_LABEL[kind], progress: null, done: null, cancelling: false })];
  const next = [...jobs];
  next[i] = change(jobs[i]!);
  return next;
}

export function jobsReducer(jobs: readonly JobView[], action: JobAction): JobView[] {
  switch (action.type) {
    case 'started':
      return upsert(jobs, action.jobId, action.kind, (j) => ({ ...j, label: action.label, wrote: action.wrote }));
    case 'progress':
      // A late progress event after done must not make a finished job look running again.
      return upsert(jobs, action.payload.jobId, action.payload.kind, (j) => (j.done ? j : { ...j, progress: action.payload }));
    case 'done':
      return upsert(jobs, action.payload.jobId, action.payload.kind, (j) => ({ ...j, done: action.payload }));
    case 'cancelling':
      return jobs.map((j) => (j.jobId === action.jobId ? { ...j, cancelling: true } : j));
    case 'dismiss':
      return jobs.filter((j) => j.jobId !== action.jobId);
  }
}

/** 0..1 for a <progress> bar, or null while the total is unknown (an indeterminate bar). */
export function fraction(p: JobProgress | null): number | null {
  if (!p) return null;
  if (p.bytesTotal !== null && p.bytesTotal > 0) return Math.min(1, p.bytesDone / p.bytesTotal);
  if (p.filesTotal !== null && p.filesTotal > 0) return Math.min(1, p.filesDone / p.filesTotal);
  // Totals of 0 or unknown: still counting what to do (e.g. walking folders). Done shows as done.
  return null;
}

/**
 * 0..1 for the per-file bar (contract v1.3 fileBytes/fileTotal of `current`); null while the
 * file's size is unknown; undefined when the event carries no per-file progress (no bar).
 */
export function fileFraction(p: JobProgress | null): number | null | undefined {
  if (!p || p.current === null || p.fileBytes === undefined) return undefined;
  if (p.fileTotal === undefined || p.fileTotal === null) return null;
  // An empty file is done as soon as it is named with its size.
  if (p.fileTotal === 0) return 1;
  return Math.min(1, p.fileBytes / p.fileTotal);
}

type JobResultT = JobDone['results'][number];

/**
 * A verify job's failures in two groups: damaged (proven bad, or gone) and could not be checked
 * (a key refused or out of reach). The rule is the core's (app/errors.ts checkVerdict), as in the CLI.
 */
export function verifyGroups(results: readonly JobResultT[]): { damaged: JobResultT[]; unchecked: JobResultT[] } {
  const failed = results.filter((r) => !r.ok);
  const isUnchecked = (r: JobResultT): boolean => r.error !== undefined && checkVerdict(r.error) === 'unchecked';
  return { damaged: failed.filter((r) => !isUnchecked(r)), unchecked: failed.filter(isUnchecked) };
}

/** One sentence for a finished job, e.g. "Added 8 files. 2 failed." */
export function summarize(done: JobDone): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const verb: Record<JobKind, string> = { add: 'Added', export: 'Exported', rekey: 'Re-keyed', verify: 'Verified' };
  if (done.status === 'cancelled') return `Cancelled after ${n(done.succeeded, 'item', 'items')}.`;
  if (done.kind === 'verify') {
    const all = `Verified ${n(done.succeeded + done.failed, 'item', 'items')}`;
    if (done.failed === 0) return `${all}: all intact.`;
    const unchecked = verifyGroups(done.results).unchecked.length;
    const damaged = done.failed - unchecked;
    if (unchecked === 0) return `${all}: ${n(damaged, 'item is', 'items are')} damaged.`;
    if (damaged === 0) return `${all}: none is damaged; ${n(unchecked, 'item', 'items')} could not be checked.`;
    return `${all}: ${n(damaged, 'item is', 'items are')} damaged; ${n(unchecked, 'item', 'items')} could not be checked.`;
  }
  // A skipped conflict counts as succeeded in main (ok, nothing done): say it apart.
  const skipped = done.results.filter((r) => r.ok && r.skipped === true).length;
  const unit = done.kind === 'add' ? ['file', 'files'] as const : ['item', 'items'] as const;
  const did = done.succeeded - skipped;
  const ok =
    skipped === 0
      ? `${verb[done.kind]} ${n(did, unit[0], unit[1])}.`
      : did === 0
        ? `Nothing ${verb[done.kind].toLowerCase()}: ${n(skipped, unit[0], unit[1])} skipped.`
        : `${verb[done.kind]} ${n(did, unit[0], unit[1])}, skipped ${skipped}.`;
  return done.failed > 0 ? `${ok} ${done.failed} failed.` : ok;
}
