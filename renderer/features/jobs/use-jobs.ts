// Tracks long jobs from their job:progress / job:done events (reducer in job-state.ts) and
// cancels them. Subscriptions end in the effect cleanup.

import { useCallback, useEffect, useReducer } from 'react';
import { call, subscribe } from '../../api.js';
import { jobsReducer, type JobKind, type JobView } from './job-state.js';

export interface Jobs {
  readonly jobs: readonly JobView[];
  started(jobId: string, kind: JobKind, label: string, wrote?: string): void;
  cancel(jobId: string): void;
  dismiss(jobId: string): void;
}

export function useJobs(): Jobs {
  const [jobs, dispatch] = useReducer(jobsReducer, []);

  useEffect(() => {
    const offProgress = subscribe('job:progress', (payload) => dispatch({ type: 'progress', payload }));
    const offDone = subscribe('job:done', (payload) => dispatch({ type: 'done', payload }));
    return () => {
      offProgress();
      offDone();
    };
  }, []);

  const started = useCallback((jobId: string, kind: JobKind, label: string, wrote?: string) => dispatch({ type: 'started', jobId, kind, label, wrote }), []);
  const cancel = useCallback((jobId: string) => {
    dispatch({ type: 'cancelling', jobId });
    call('job:cancel', { jobId }).catch(() => {
      // The job may have just finished; its job:done event tells the outcome either way.
    });
  }, []);
  const dismiss = useCallback((jobId: string) => dispatch({ type: 'dismiss', jobId }), []);

  return { jobs, started, cancel, dismiss };
}
