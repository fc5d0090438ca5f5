// Test helpers shared by the AWS tests: run code under a patched environment (the SDK reads
// AWS_* variables and caches credentials per process), and expect a CachetError by code.

import assert from 'node:assert/strict';
import { isCachetError, type ErrorCode } from '../../app/errors.js';
import { resetAwsCredentialCache } from '../../app/keys/aws-config.js';

/** Runs `fn` with env changes (undefined deletes), restoring the variables afterwards. */
export async function withEnv<T>(patch: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(patch).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetAwsCredentialCache();
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetAwsCredentialCache();
  }
}

/** Awaits `p`, which must reject with a CachetError of `code`; returns that error. */
export async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<Error & { detail: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    assert.ok(isCachetError(e), `expected a CachetError, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return e as Error & { detail: Record<string, unknown> };
  }
  assert.fail(`expected a ${code} rejection`);
}
