// The boundary every renderer request crosses before a handler runs: `dispatch` refuses unknown
// channels and senders and oversized requests (REQUEST_LIMITS), validates the request with the
// contract's schema, runs the handler and turns any failure into `{ ok: false, error }` (never
// throws: Electron would pass only `message` across).
// It does not know what a channel does (handlers.ts and handlers/*) nor who our window is: main.ts
// supplies the sender check. No electron import; tests call dispatch directly.

import { badRequest, CachetError, isCachetError } from '../../app/errors.js';
import { CHANNELS, isChannel, type Channel, type Result } from '../../contract/ipc.js';
import type { Handlers } from './handlers.js';
import { toErrorPayload } from '../services/errors.js';

/** Who sent a request, as main.ts reads it from the IPC event. */
export interface SenderInfo {
  webContentsId: number;
  /** URL of the sending frame (event.senderFrame.url). */
  frameUrl: string;
  isMainFrame: boolean;
}

export interface DispatchOptions {
  /** True only for our window's webContents and origin (main.ts decides). */
  isTrustedSender(sender: SenderInfo): boolean;
  log(msg: string): void;
  /** Check each response against the contract (tests and the e2e harness). */
  validateResponses?: boolean;
  /** Called for each accepted request (auto-lock activity). */
  onRequest?(channel: Channel): void;
}

export type Dispatch = (channel: unknown, rawRequest: unknown, sender: SenderInfo) => Promise<Result<unknown>>;

export function createDispatch(handlers: Handlers, opts: DispatchOptions): Dispatch {
  return async (channel, rawRequest, sender) => {
    try {
      if (!isChannel(channel)) {
        return fail(badRequest('unknown-channel', 'unknown request', { channel: typeof channel === 'string' ? channel.slice(0, 64) : typeof channel }));
      }
      let trusted = false;
      try {
        trusted = opts.isTrustedSender(sender);
      } catch {
        trusted = false;
      }
      if (!trusted) {
        opts.log(`refused ${channel} from an unknown sender (webContents ${sender?.webContentsId})`);
        return fail(new CachetError('permission-denied', 'request from an unknown sender', { reason: 'unknown-sender' }));
      }
      const tooLarge = oversized(rawRequest);
      if (tooLarge) {
        return fail(badRequest('too-large', `invalid ${channel} request`, { channel, problem: tooLarge }));
      }
      const schema = CHANNELS[channel].request;
      const parsed = schema.safeParse(rawRequest ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return fail(badRequest('invalid-request', `invalid ${channel} request`, {
          channel,
          field: issue ? issue.path.join('.') : undefined,
          problem: issue?.message.slice(0, 200),
        }));
      }
      opts.onRequest?.(channel);
      const handler = handlers[channel] as (req: unknown) => Promise<unknown>;
      const value = await handler(parsed.data);
      if (opts.validateResponses) {
        const check = CHANNELS[channel].response.safeParse(value);
        if (!check.success) {
          opts.log(`response of ${channel} breaks the contract: ${check.error.message}`);
          return fail(new CachetError('internal', 'bad response'));
        }
      }
      return { ok: true, value };
    } catch (e) {
      if (!isCachetError(e) || e.code === 'internal') {
        opts.log(`internal error in ${typeof channel === 'string' ? channel : '?'}: ${describe(e)}`);
      }
      return fail(e);
    }
  };
}

/**
 * Budget of a raw request, checked before the schema parses it. Electron has already
 * structured-cloned the message by then (that cost is Chromium's and not ours to bound); this
 * keeps zod and the handlers from walking an absurd value: a million-element array, thousands of
 * levels of nesting, a cycle (structured clone keeps them). The contract's own maxima are far
 * below it (the largest legitimate request: 100,000 ids or decisions).
 */
export const REQUEST_LIMITS = { depth: 32, values: 250_000, chars: 64 * 1024 * 1024 } as const;

/** Why `raw` exceeds REQUEST_LIMITS, or undefined. Bounded: stops at the first excess. */
export function oversized(raw: unknown): string | undefined {
  const stack: [unknown, number][] = [[raw, 0]];
  let values = 0;
  let chars = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    values++;
    if (typeof v === 'string') {
      chars += v.length;
      if (chars > REQUEST_LIMITS.chars) return 'too many characters';
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= REQUEST_LIMITS.depth) return 'nested too deep';
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
      chars += v.byteLength;
      if (chars > REQUEST_LIMITS.chars) return 'too many bytes';
      continue;
    }
    const children: unknown[] = Array.isArray(v) ? v : [];
    if (!Array.isArray(v)) {
      const keys = Object.keys(v);
      if (values + stack.length + keys.length > REQUEST_LIMITS.values) return 'too many values';
      for (const k of keys) {
        chars += k.length;
        children.push((v as Record<string, unknown>)[k]);
      }
      if (chars > REQUEST_LIMITS.chars) return 'too many characters';
    }
    if (values + stack.length + children.length > REQUEST_LIMITS.values) return 'too many values';
    for (const c of children) stack.push([c, depth + 1]);
  }
  return undefined;
}

function fail(e: unknown): Result<never> {
  return { ok: false, error: toErrorPayload(e) };
}

/** Name and stack only: messages of foreign errors can echo request data, so keep them short. */
function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.slice(0, 200)}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
  return typeof e;
}
