// Adding files and folders: plan (items:plan-add) to find what already exists, ask about each
// conflict (ConflictDialog, via add-flow.ts), then start items:add with the answers and hand the
// job to the jobs tracker for progress, cancel and the summary.

import { useCallback, useState } from 'react';
import type { ConflictDecisionT, ErrorPayload, PlannedAddT } from '../../../contract/ipc.js';
import { call, toErrorPayload } from '../../api.js';
import type { Jobs } from '../jobs/use-jobs.js';
import { currentConflict, decide, isSettled, startQueue, type ConflictQueue } from './add-flow.js';

interface Pending {
  readonly sources: string[];
  readonly to: string;
  readonly entries: readonly PlannedAddT[];
  readonly queue: ConflictQueue;
}

export interface Add {
  readonly planning: boolean;
  readonly error: ErrorPayload | null;
  /** The conflict to ask about now, and how many more follow. */
  readonly conflict: { path: string; remaining: number } | null;
  add(sources: string[], to: string): void;
  answer(decision: ConflictDecisionT, applyToAll: boolean): void;
  cancelConflicts(): void;
  clearError(): void;
  /** What cancelling at a conflict called off (nothing of that add was written), until dismissed. */
  readonly cancelled: string | null;
  clearCancelled(): void;
}

function describeSources(sources: readonly string[], files: number): string {
  if (sources.length === 1) {
    const name = sources[0]!.split(/[\\/]/).filter(Boolean).pop() ?? sources[0]!;
    return files > 1 ? `Adding ${name} (${files} files)` : `Adding ${name}`;
  }
  return `Adding ${files} files`;
}

export function useAdd(jobs: Pick<Jobs, 'started'>): Add {
  const [planning, setPlanning] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [cancelled, setCancelled] = useState<string | null>(null);

  const start = useCallback(
    async (p: Pending) => {
      try {
        const { jobId } = await call('items:add', { sources: p.sources, to: p.to, decisions: p.queue.decisions, onConflict: 'skip' });
        jobs.started(jobId, 'add', describeSources(p.sources, p.entries.length));
      } catch (e) {
        setError(toErrorPayload(e));
      }
    },
    [jobs],
  );

  const add = useCallback(
    (sources: string[], to: string) => {
      if (sources.length === 0) return;
      setPlanning(true);
      setError(null);
      setCancelled(null);
      call('items:plan-add', { sources, to })
        .then(async (plan) => {
          const p: Pending = { sources, to, entries: plan.entries, queue: startQueue(plan.entries) };
          if (isSettled(p.queue)) await start(p);
          else setPending(p);
        })
        .catch((e: unknown) => setError(toErrorPayload(e)))
        .finally(() => setPlanning(false));
    },
    [start],
  );

  const path = pending ? currentConflict(pending.queue) : undefined;
  return {
    planning,
    error,
    conflict: pending && path !== undefined ? { path, remaining: pending.queue.conflicts.length - pending.queue.index - 1 } : null,
    add,
    answer: (decision, applyToAll) => {
      if (!pending) return;
      const next = { ...pending, queue: decide(pending.queue, decision, applyToAll) };
      if (isSettled(next.queue)) {
        setPending(null);
        void start(next);
      } else {
        setPending(next);
      }
    },
    cancelConflicts: () => {
      if (pending) {
        const n = pending.entries.length;
        setCancelled(`Adding cancelled: ${n === 1 ? 'the file was' : `none of the ${n.toLocaleString('en-US')} files was`} added, and the vault is as it was.`);
      }
      setPending(null);
    },
    clearError: () => setError(null),
    cancelled,
    clearCancelled: () => setCancelled(null),
  };
}
