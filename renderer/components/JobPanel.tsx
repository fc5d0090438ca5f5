// Long jobs at the bottom of the window: an overall progress bar (bytes, else files), the file
// being worked on with its own bar when main reports per-file bytes, Cancel; when done, a summary and what failed and why (title + hint per failure).
// Props only. Uses <progress>, so no computed inline styles are needed.

import { describeError } from '../errors/messages.js';
import { fileFraction, fraction, summarize, verifyGroups, type JobDone, type JobView } from '../features/jobs/job-state.js';
import { formatSize } from '../features/browse/browse-logic.js';

export interface JobPanelProps {
  readonly jobs: readonly JobView[];
  readonly onCancel: (jobId: string) => void;
  readonly onDismiss: (jobId: string) => void;
  /** Turns a result's ref (item id or path) into something readable. */
  readonly nameOf?: (ref: string) => string;
  /** Show a folder Cachet wrote into (an export's) in the system's file manager. */
  readonly onShowInFolder?: (path: string) => void;
}

const MAX_FAILURES_SHOWN = 200;

export function JobPanel({ jobs, onCancel, onDismiss, nameOf, onShowInFolder }: JobPanelProps) {
  if (jobs.length === 0) return null;
  return (
    <section className="jobs" aria-label="Activity">
      {jobs.map((job) => {
        const f = fraction(job.progress);
        const ff = fileFraction(job.progress);
        const p = job.progress;
        if (job.done) {
          const failures = job.done.results.filter((r) => !r.ok);
          const groups = job.kind === 'verify' ? verifyGroups(job.done.results) : undefined;
          const bad = job.done.status !== 'ok';
          return (
            <div key={job.jobId} className={`job job-done ${bad ? 'job-bad' : 'job-ok'}`} data-job-kind={job.kind} data-status={job.done.status}>
              <div className="job-head">
                <strong role="status">{summarize(job.done)}</strong>
                {job.wrote && job.done.succeeded > 0 && onShowInFolder && (
                  <button type="button" className="button button-quiet" onClick={() => onShowInFolder(job.wrote!)}>
                    Show in folder
                  </button>
                )}
                <button type="button" className="button button-quiet" onClick={() => onDismiss(job.jobId)}>
                  Dismiss
                </button>
              </div>
              {job.wrote && job.done.succeeded > 0 && (
                <p className="job-wrote">
                  Written into <span className="path">{job.wrote}</span>
                </p>
              )}
              {job.done.error && <p className="job-error">{describeError(job.done.error).title}: {describeError(job.done.error).hint}</p>}
              {groups ? (
                <>
                  <FailureList label="Damaged items" failures={groups.damaged} nameOf={nameOf} />
                  <FailureList label="Items that could not be checked" failures={groups.unchecked} nameOf={nameOf} />
                </>
              ) : (
                <FailureList label="What failed" failures={failures} nameOf={nameOf} />
              )}
            </div>
          );
        }
        return (
          <div key={job.jobId} className="job job-running" data-job-kind={job.kind}>
            <div className="job-head">
              <strong>{job.label}</strong>
              <span className="job-counts" aria-live="polite">
                {!p || (!p.filesTotal && p.filesDone === 0) ? 'Preparing…' : p.filesTotal ? `${p.filesDone} of ${p.filesTotal} files` : `${p.filesDone} files`}
                {p && p.bytesTotal ? ` · ${formatSize(p.bytesDone)} of ${formatSize(p.bytesTotal)}` : ''}
              </span>
              <button type="button" className="button" onClick={() => onCancel(job.jobId)} disabled={job.cancelling}>
                {job.cancelling ? 'Cancelling…' : 'Cancel'}
              </button>
            </div>
            {f === null ? (
              <progress key="indeterminate" className="progress" aria-label={`${job.label} progress`} />
            ) : (
              <progress key="determinate" className="progress" aria-label={`${job.label} progress`} max={1000} value={Math.round(f * 1000)} />
            )}
            {p?.current && (
              <div className="job-file">
                <p className="job-current" title={p.current}>
                  {nameOf ? nameOf(p.current) : p.current}
                  {p.fileTotal ? <span className="job-file-size"> · {formatSize(p.fileBytes ?? 0)} of {formatSize(p.fileTotal)}</span> : null}
                </p>
                {ff === null ? (
                  <progress key="file-indeterminate" className="progress progress-file" aria-label="Current file progress" />
                ) : ff !== undefined ? (
                  <progress key="file-determinate" className="progress progress-file" aria-label="Current file progress" max={1000} value={Math.round(ff * 1000)} />
                ) : null}
              </div>
            )}
          </div>
        );
      })}
    </section>
  );
}

/** Failures with their reason and what to do; a verify job shows two of these, titled. */
function FailureList({ label, failures, nameOf }: { label: string; failures: readonly JobDone['results'][number][]; nameOf?: ((ref: string) => string) | undefined }) {
  if (failures.length === 0) return null;
  const titled = label !== 'What failed';
  return (
    <>
      {titled && <h2 className="failures-title">{label} ({failures.length})</h2>}
      <ul className="failures" aria-label={label}>
        {failures.slice(0, MAX_FAILURES_SHOWN).map((r, i) => {
          const m = r.error ? describeError(r.error) : { title: 'Failed', hint: '' };
          return (
            <li key={`${r.ref}:${i}`} className="failure" data-code={r.error?.code}>
              <span className="failure-ref">{nameOf ? nameOf(r.ref) : r.ref}</span>
              <span className="failure-title">{m.title}</span>
              <span className="failure-hint">{m.hint}</span>
            </li>
          );
        })}
        {failures.length > MAX_FAILURES_SHOWN && <li>…and {failures.length - MAX_FAILURES_SHOWN} more</li>}
      </ul>
    </>
  );
}
