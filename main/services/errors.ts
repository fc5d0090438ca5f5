// The one place main turns a thrown value into the contract's error payload (`Result.error`).
// CachetErrors keep code, message and detail (the core promises detail holds no secrets);
// anything else is a bug: 'internal' with a generic message, the original logged by the caller.

import { isCachetError, type ErrorDetail } from '../../app/errors.js';
import type { ErrorPayload } from '../../contract/ipc.js';

const GENERIC = 'something went wrong inside Cachet';

export function toErrorPayload(e: unknown): ErrorPayload {
  if (isCachetError(e)) {
    if (e.code === 'internal') return { code: 'internal', message: GENERIC, detail: {} };
    return { code: e.code, message: e.message, detail: plainDetail(e.detail) };
  }
  return { code: 'internal', message: GENERIC, detail: {} };
}

/** Only JSON-able scalar values cross IPC. */
function plainDetail(d: ErrorDetail): ErrorDetail {
  const out: ErrorDetail = {};
  for (const [k, v] of Object.entries(d ?? {})) {
    if (v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}
