// renderer/features/jobs/job-state.ts: the jobs reducer over progress/done events, progress
// fractions and the summary sentence.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileFraction, fraction, jobsReducer, summarize, type JobDone, type JobProgress } from '../../renderer/features/jobs/job-state.js';

const progress = (o: Partial<JobProgress> = {}): JobProgress => ({ jobId: 'job-1', kind: 'add', bytesDone: 10, bytesTotal: 100, filesDone: 1, filesTotal: 4, current: 'a.txt', ...o });
const done = (o: Partial<JobDone> = {}): JobDone => ({ jobId: 'job-1', kind: 'add', status: 'ok', results: [], succeeded: 4, failed: 0, ...o });

test('events that arrive before the invoke returned create the job; started then only labels it', () => {
  let s = jobsReducer([], { type: 'progress', payload: progress() });
  assert.equal(s.length, 1);
  assert.equal(s[0]?.label, 'Adding files');
  s = jobsReducer(s, { type: 'started', jobId: 'job-1', kind: 'add', label: 'Adding docs' });
  assert.equal(s.length, 1);
  assert.equal(s[0]?.label, 'Adding docs');
  assert.equal(s[0]?.progress?.bytesDone, 10);
});

test('a late progress event never makes a finished job look running', () => {
  let s = jobsReducer([], { type: 'started', jobId: 'job-1', kind: 'add', label: 'x' });
  s = jobsReducer(s, { type: 'done', payload: done() });
  s = jobsReducer(s, { type: 'progress', payload: progress({ bytesDone: 50 }) });
  assert.equal(s[0]?.done?.status, 'ok');
  assert.equal(s[0]?.progress, null);
});

test('cancelling and dismiss touch only their job', () => {
  let s = jobsReducer([], { type: 'started', jobId: 'job-1', kind: 'add', label: 'a' });
  s = jobsReducer(s, { type: 'started', jobId: 'job-2', kind: 'verify', label: 'v' });
  s = jobsReducer(s, { type: 'cancelling', jobId: 'job-2' });
  assert.deepEqual(s.map((j) => j.cancelling), [false, true]);
  s = jobsReducer(s, { type: 'dismiss', jobId: 'job-1' });
  assert.deepEqual(s.map((j) => j.jobId), ['job-2']);
});

test('fraction: bytes first, else files, else unknown', () => {
  assert.equal(fraction(progress()), 0.1);
  assert.equal(fraction(progress({ bytesTotal: null })), 0.25);
  assert.equal(fraction(progress({ bytesTotal: null, filesTotal: null })), null);
  assert.equal(fraction(progress({ bytesDone: 0, bytesTotal: null, filesTotal: 0, filesDone: 0 })), null, 'still planning');
  assert.equal(fraction(progress({ bytesDone: 0, bytesTotal: 0, filesTotal: 2, filesDone: 1 })), 0.5, 'empty files count by files');
  assert.equal(fraction(progress({ bytesDone: 200 })), 1, 'never above 1');
  assert.equal(fraction(null), null);
});

test('summaries', () => {
  assert.equal(summarize(done()), 'Added 4 files.');
  assert.equal(summarize(done({ succeeded: 1 })), 'Added 1 file.');
  assert.equal(summarize(done({ status: 'partial', succeeded: 3, failed: 1 })), 'Added 3 files. 1 failed.');
  assert.equal(summarize(done({ status: 'cancelled', succeeded: 2 })), 'Cancelled after 2 items.');
  assert.equal(summarize(done({ kind: 'verify', succeeded: 9 })), 'Verified 9 items: all intact.');
  assert.equal(summarize(done({ kind: 'verify', status: 'partial', succeeded: 8, failed: 1 })), 'Verified 9 items: 1 item is damaged.');
  // Issue 11 defect 4: a key refused or out of reach is not damage (the core's checkVerdict decides).
  const failedWith = (ref: string, code: string) => ({ ref, ok: false, error: { code, message: 'x', detail: {} } });
  const denied = [failedWith('a', 'kms-access-denied'), failedWith('b', 'kms-unreachable')];
  assert.equal(summarize(done({ kind: 'verify', status: 'partial', succeeded: 7, failed: 2, results: denied } as never)), 'Verified 9 items: none is damaged; 2 items could not be checked.');
  const mixed = [failedWith('a', 'tampered'), failedWith('b', 'kms-key-disabled'), failedWith('c', 'not-found')];
  assert.equal(summarize(done({ kind: 'verify', status: 'partial', succeeded: 1, failed: 3, results: mixed } as never)), 'Verified 4 items: 2 items are damaged; 1 item could not be checked.');
  assert.equal(summarize(done({ kind: 'export', succeeded: 2 })), 'Exported 2 items.');
  const skip = (ref: string) => ({ ref, ok: true, skipped: true });
  assert.equal(summarize(done({ succeeded: 3, results: [skip('a'), skip('b'), skip('c')] })), 'Nothing added: 3 files skipped.');
  assert.equal(summarize(done({ succeeded: 3, results: [skip('a'), { ref: 'b', ok: true }] })), 'Added 2 files, skipped 1.');
});

test('fileFraction: the per-file share of current, null for an unknown size, undefined without per-file fields', () => {
  assert.equal(fileFraction(progress()), undefined);
  assert.equal(fileFraction(null), undefined);
  assert.equal(fileFraction(progress({ fileBytes: 25, fileTotal: 100 })), 0.25);
  assert.equal(fileFraction(progress({ fileBytes: 25, fileTotal: null })), null);
  assert.equal(fileFraction(progress({ fileBytes: 0, fileTotal: 0 })), 1, 'an empty file');
  assert.equal(fileFraction(progress({ fileBytes: 500, fileTotal: 100 })), 1, 'never above 1');
  assert.equal(fileFraction(progress({ current: null, fileBytes: 5, fileTotal: 10 })), undefined, 'no file named');
});
