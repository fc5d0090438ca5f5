// A fault-injecting HTTP proxy on 127.0.0.1 for KMS tests: it sits in front of a moto_server
// (test/helpers/moto.ts) and, per request, from a seeded PRNG, either forwards the request or
// injects one fault: a KMS ThrottlingException, a 500/503, a connection reset in the middle of
// the response, a slow response, or no response at all (a timeout: the SDK client must have a
// request timeout, AwsKmsProvider's `requestTimeoutMs`). It counts what it did.
//
// Why the throttling reply looks as it does: KMS speaks AWS JSON 1.1. The SDK reads the error
// code from the `x-amzn-ErrorType` header or the body's `__type`, names the thrown error after
// it, and classes `ThrottlingException` as THROTTLING (@smithy/core retry
// service-error-classification: THROTTLING_ERROR_CODES), which is retried with the longer
// throttling backoff and the cheaper retry-quota cost. 500/503 are TRANSIENT (retried), and so
// are ECONNRESET and the SDK's TimeoutError.
//
// `rateLimit` throttles like real KMS instead: a token bucket of requests per second, so a client
// that slows down stops being throttled (the SDK's adaptive mode relies on that).
//
// Retries of one SDK call share the `amz-sdk-invocation-id` header, so `doom` can pick a
// fraction of calls (not of attempts) and throttle every attempt of them: retries run out for
// exactly those calls, which is how a test gets "some files fail, the rest complete".
//
// It does not parse or change request bodies, speak TLS, or reset moto's state. Everything it
// starts (sockets, timers) is ended by stop().

import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

export type Fault = 'pass' | 'throttle' | 'server-error' | 'reset' | 'slow' | 'timeout';

/** Probability of each fault per request (each 0..1, their sum at most 1); the rest pass. */
export interface FaultRates {
  throttle?: number;
  serverError?: number;
  reset?: number;
  slow?: number;
  timeout?: number;
}

/** What the proxy knows of a request when it decides. */
export interface RequestInfo {
  /** KMS operation from X-Amz-Target (`GenerateDataKey`), or '' for other requests. */
  operation: string;
  /** The SDK's id of one logical call, the same on each retry ('' when absent). */
  invocationId: string;
  /** The SDK's attempt number (1 = first), from `amz-sdk-request: attempt=N; max=M`. */
  attempt: number;
  /** 0-based arrival number at the proxy. */
  seq: number;
}

export interface FaultProxyOptions {
  /** The upstream, e.g. moto's `http://127.0.0.1:<port>`. */
  target: string;
  /** PRNG seed: the same seed gives the same sequence of decisions. */
  seed: number;
  rates?: FaultRates;
  /** Faults apply only to these operations (default: every request). */
  operations?: readonly string[];
  /** Delay of a 'slow' response in ms (default 300). */
  slowMs?: number;
  /**
   * Throttle every attempt of this fraction of calls (by invocation id) of `operations`: their
   * retries run out. Drawn once per new invocation id from the same PRNG.
   */
  doom?: number;
  /**
   * At most this many rate-drawn throttles per call (by invocation id; default unlimited). The
   * SDK's throttling backoff doubles from 1 s up to 20 s, so one call drawing 5-6 throttles in a
   * row makes a 30-60 s tail; a cap keeps a test's time bound without changing the rate much.
   */
  maxThrottlesPerCall?: number;
  /**
   * Throttle like real KMS: a token bucket of `perSecond` requests (up to `burst` at once) over
   * the requests of `operations`; a request that finds no token is throttled. Applied after the
   * rates and doom (a request they pass may still be throttled here).
   */
  rateLimit?: { perSecond: number; burst: number };
  /** Decide yourself; return undefined to fall back to the rates. Runs before `doom`. */
  decide?: (req: RequestInfo) => Fault | undefined;
}

export interface FaultCounts {
  requests: number;
  pass: number;
  throttle: number;
  serverError: number;
  reset: number;
  slow: number;
  timeout: number;
  /** Distinct calls chosen by `doom`. */
  doomedCalls: number;
  /** Most requests open at once (a bound on the client's concurrency). */
  maxInFlight: number;
  /** Requests per KMS operation. */
  byOperation: Record<string, number>;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the SDK (AWS_ENDPOINT_URL_KMS or the provider's endpoint). */
  readonly endpoint: string;
  readonly counts: Readonly<FaultCounts>;
  /** Invocation ids chosen by `doom`, with their operation. */
  readonly doomed: ReadonlyMap<string, string>;
  /** Change the rates (and doom fraction) for requests from now on. */
  setRates(rates: FaultRates, doom?: number): void;
  /** Close the server, destroy every socket (held 'timeout' ones too), clear every timer. */
  stop(): Promise<void>;
}

/** mulberry32: a small, fast, seedable PRNG; good enough to spread faults, not for crypto. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRates(r: FaultRates): void {
  const vals = [r.throttle, r.serverError, r.reset, r.slow, r.timeout].map((v) => v ?? 0);
  if (vals.some((v) => !(v >= 0 && v <= 1)) || vals.reduce((a, b) => a + b, 0) > 1 + 1e-9) {
    throw new Error(`fault rates must each be 0..1 and sum to at most 1: ${JSON.stringify(r)}`);
  }
}

const THROTTLE_BODY = JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' });

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  if (target.protocol !== 'http:') throw new Error('the fault proxy forwards to http:// only');
  let rates: FaultRates = opts.rates ?? {};
  let doom = opts.doom ?? 0;
  checkRates(rates);
  const rand = seededRandom(opts.seed);
  const slowMs = opts.slowMs ?? 300;
  const counts: FaultCounts = { requests: 0, pass: 0, throttle: 0, serverError: 0, reset: 0, slow: 0, timeout: 0, doomedCalls: 0, maxInFlight: 0, byOperation: {} };
  let inFlight = 0;
  const doomed = new Map<string, string>();
  const judged = new Set<string>();
  const throttlesOf = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  let tokens = opts.rateLimit?.burst ?? 0;
  let refilled = Date.now();
  const overRate = (): boolean => {
    const rl = opts.rateLimit;
    if (!rl) return false;
    const now = Date.now();
    tokens = Math.min(rl.burst, tokens + ((now - refilled) / 1000) * rl.perSecond);
    refilled = now;
    if (tokens < 1) return true;
    tokens -= 1;
    return false;
  };

  const choose = (info: RequestInfo): Fault => {
    const f = chooseDrawn(info);
    if (f === 'pass' && (!opts.operations || opts.operations.includes(info.operation)) && overRate()) return 'throttle';
    return f;
  };

  const chooseDrawn = (info: RequestInfo): Fault => {
    const own = opts.decide?.(info);
    if (own !== undefined) return own;
    const inScope = !opts.operations || opts.operations.includes(info.operation);
    if (!inScope) return 'pass';
    if (doom > 0 && info.invocationId !== '') {
      if (!judged.has(info.invocationId)) {
        judged.add(info.invocationId);
        if (rand() < doom) {
          doomed.set(info.invocationId, info.operation);
          counts.doomedCalls++;
        }
      }
      if (doomed.has(info.invocationId)) return 'throttle';
    }
    let r = rand();
    for (const [fault, p] of [['throttle', rates.throttle], ['server-error', rates.serverError], ['reset', rates.reset], ['slow', rates.slow], ['timeout', rates.timeout]] as const) {
      r -= p ?? 0;
      if (r >= 0) continue;
      if (fault === 'throttle' && opts.maxThrottlesPerCall !== undefined && info.invocationId !== '') {
        const n = throttlesOf.get(info.invocationId) ?? 0;
        if (n >= opts.maxThrottlesPerCall) return 'pass';
        throttlesOf.set(info.invocationId, n + 1);
      }
      return fault;
    }
    return 'pass';
  };

  /** Forward to the upstream; `onResponse` gets the upstream's status, headers and whole body. */
  const forward = (req: IncomingMessage, body: Buffer, onResponse: (status: number, headers: IncomingMessage['headers'], body: Buffer) => void, onError: (e: Error) => void): void => {
    const up = httpRequest({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => onResponse(res.statusCode ?? 502, res.headers, Buffer.concat(parts)));
      res.on('error', onError);
    });
    up.on('error', onError);
    up.end(body);
  };

  const sendError = (res: ServerResponse, status: number, type: string, message: string): void => {
    const body = JSON.stringify({ __type: type, message });
    res.writeHead(status, {
      'Content-Type': 'application/x-amz-json-1.1',
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': randomUUID(),
      'x-amzn-ErrorType': type,
    });
    res.end(body);
  };

  const server: Server = createServer((req, res) => {
    const info: RequestInfo = {
      operation: header(req, 'x-amz-target').replace(/^TrentService\./, ''),
      invocationId: header(req, 'amz-sdk-invocation-id'),
      attempt: Number(/attempt=(\d+)/.exec(header(req, 'amz-sdk-request'))?.[1] ?? 1),
      seq: counts.requests,
    };
    counts.requests++;
    inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    counts.byOperation[info.operation] = (counts.byOperation[info.operation] ?? 0) + 1;
    const fault = choose(info);
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (stopped) {
        res.destroy();
        return;
      }
      const body = Buffer.concat(parts);
      const pass = (): void => forward(req, body, (status, headers, out) => {
        if (res.destroyed) return;
        res.writeHead(status, headers);
        res.end(out);
      }, () => res.destroy());
      switch (fault) {
        case 'pass':
          counts.pass++;
          pass();
          return;
        case 'throttle':
          counts.throttle++;
          res.setHeader('Content-Type', 'application/x-amz-json-1.1');
          res.writeHead(400, {
            'Content-Length': Buffer.byteLength(THROTTLE_BODY),
            'x-amzn-RequestId': randomUUID(),
            'x-amzn-ErrorType': 'ThrottlingException',
          });
          res.end(THROTTLE_BODY);
          return;
        case 'server-error':
          counts.serverError++;
          if (info.seq % 2 === 0) sendError(res, 500, 'KMSInternalException', 'We encountered an internal error. Please try again.');
          else sendError(res, 503, 'ServiceUnavailableException', 'Service unavailable');
          return;
        case 'reset':
          // Let moto do the work, then cut the connection halfway through the answer: the client
          // has the status line and half a body, and sees ECONNRESET / "aborted".
          counts.reset++;
          forward(req, body, (status, headers, out) => {
            if (res.destroyed) return;
            res.writeHead(status, headers);
            res.write(out.subarray(0, out.length >> 1), () => res.socket?.destroy());
          }, () => res.destroy());
          return;
        case 'slow':
          counts.slow++;
          later(slowMs, () => {
            if (!res.destroyed) pass();
          });
          return;
        case 'timeout':
          // Never answer; the socket stays open until the client gives up (or stop()).
          counts.timeout++;
          return;
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    doomed,
    setRates(r, d) {
      checkRates(r);
      rates = r;
      if (d !== undefined) doom = d;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        stopped = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return stopping;
    },
  };
}
