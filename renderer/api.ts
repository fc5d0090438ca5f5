// The only module that touches `window.cachet`, the bridge the preload exposes (main/preload.ts).
// Every type comes from contract/ipc.ts, so a channel or schema change there fails the
// renderer's typecheck instead of drifting. It does not validate responses (main is trusted
// here; main validates requests), and it does not turn errors into words (errors/messages.ts).

import type { CachetBridge, Channel, ErrorPayload, EventName, EventPayload, Req, Res, Result } from '../contract/ipc.js';

function bridge(): CachetBridge {
  const b = (globalThis as { cachet?: CachetBridge }).cachet;
  if (!b) throw new Error('window.cachet is missing: the preload did not run');
  return b;
}

/** A failed call: the contract's ErrorPayload, thrown by `call` so hooks can use try/catch. */
export class CallError extends Error {
  readonly payload: ErrorPayload;
  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'CallError';
    this.payload = payload;
  }
}

/** Any thrown value as an ErrorPayload; a bridge failure (not a CallError) becomes `internal`. */
export function toErrorPayload(e: unknown): ErrorPayload {
  if (e instanceof CallError) return e.payload;
  return { code: 'internal', message: e instanceof Error ? e.message : String(e), detail: {} };
}

export function invoke<C extends Channel>(channel: C, request: Req<C>): Promise<Result<Res<C>>> {
  return bridge().invoke(channel, request);
}

/** `invoke`, unwrapped: resolves to the value or throws a CallError. */
export async function call<C extends Channel>(channel: C, request: Req<C>): Promise<Res<C>> {
  const r = await bridge().invoke(channel, request);
  if (!r.ok) throw new CallError(r.error);
  return r.value;
}

/** Subscribe to a main -> renderer event; returns the unsubscribe function (for effect cleanups). */
export function subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return bridge().on(event, listener);
}

/** The absolute path of a dropped File ('' if none); the preload also grants it to main. */
export function pathForFile(file: File): string {
  return bridge().pathForFile(file);
}

export type { ErrorPayload, EventPayload, Res, Req };
