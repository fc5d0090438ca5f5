// Starts a private moto_server (the AWS emulator) for one test file, on 127.0.0.1 and a free port,
// and hands back the environment a child process or provider needs to reach it. It sets nothing
// in this process's environment (tests pass `env` or `endpoint` on explicitly), and it points the
// shared config/credentials files at empty temp files so the developer's ~/.aws never leaks in.
// It does not reset moto state between tests: each test file gets a fresh server.
//
// With `startMoto({ iamAuth: true })` moto checks every request against IAM (its access control,
// moto/iam/access_control.py, switched on through POST /moto-api/reset-auth): the caller must be
// an IAM user moto knows, and a request its policies do not allow is refused. The server then
// gets an IAM user allowed everything (`credentials`, also in `env`), and `createLimitedUser`
// makes users with a narrower policy through moto's IAM Query API, signed here with SigV4 (no
// IAM SDK client in the project; the AWS CLI works too but costs ~0.5 s of Python start-up per
// call). What moto 5.2 checks and what it does not:
// - The action only, against Resource "*": KmsResponse has no `_determine_resource`, so
//   moto/core/responses.py (BaseResponse.call_action) authorizes every KMS call for resource
//   "*". A policy statement naming a key ARN never matches; createLimitedUser writes "*".
// - No key policies for Decrypt/Encrypt/GenerateDataKey (moto/kms/policy_validator.py applies a
//   Deny statement to kms:DescribeKey only), and no DisableKey effect on them.
// - The refusal is a Query-protocol XML body (moto/core/authorization.py raises IAM's
//   AccessDeniedError, an XML _RESTError, and call_action sends its description as is) with
//   status 403 and no x-amzn-ErrorType header. KMS speaks AWS JSON 1.1: real KMS sends
//   {"__type": ..., "message": ...}, and the JS SDK cannot read moto's XML (it throws a
//   SyntaxError). So in this mode `endpoint` is a small proxy in front of moto that rewrites
//   exactly those error replies, for JSON-protocol requests (X-Amz-Target) only, into the JSON
//   shape with moto's own code and message ("User: arn:aws:iam::…:user/NAME is not authorized to
//   perform: kms:Decrypt"). Moto decides; the proxy only re-encodes. Everything else passes as is.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';

export interface Moto {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** AWS_* variables that send the SDK (or the AWS CLI) to this server with `credentials`. */
  readonly env: Record<string, string>;
  /**
   * Credentials allowed everything: MOTO_CREDENTIALS, or with `iamAuth` an IAM user whose
   * policy allows "*" (moto refuses MOTO_CREDENTIALS then: no IAM user has that key).
   */
  readonly credentials: MotoCredentials;
  /** Whether moto checks every request against IAM (startMoto({ iamAuth: true })). */
  readonly iamAuth: boolean;
  /** Kills the server and its process group; safe to call more than once. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const POLL_MS = 100;
const START_ATTEMPTS = 3;

export const MOTO_REGION = 'us-east-1';
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface MotoCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface StartMotoOptions {
  /** Authenticate and authorize every request against IAM (see the module comment). Default false. */
  readonly iamAuth?: boolean;
}

/** A moto endpoint URL, or a Moto (its endpoint and its all-powerful credentials). */
export type MotoTarget = string | Pick<Moto, 'endpoint' | 'credentials'>;

const IAM_CALL_TIMEOUT_MS = 10_000;

/** A port nobody listens on right now (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: the pyenv shim and the python under it
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const c of live) killGroup(c, 'SIGKILL');
  };
  process.on('exit', killAll);
  // 'exit' does not run when a signal ends the process (a runner timeout, Ctrl-C), and moto is in
  // its own process group so the signal does not reach it: kill it, then die of the same signal.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

// moto 5's IAM check re-computes the SigV4 signature from the request URL as werkzeug re-quotes
// it, which leaves '/' unescaped in query values, while SigV4 (and the SDK) sign it as %2F: every
// S3 ListObjectsV2 with a Prefix or Delimiter holding '/' fails with SignatureDoesNotMatch, on
// moto only. With `iamAuth` the server starts with this patch, which re-encodes the query the
// SigV4 way (RFC 3986 unreserved characters only) before moto signs it. It changes nothing about
// what moto authorizes; without IAM checks no signature is checked and moto runs as shipped.
const SIGV4_QUERY_PATCH = `
import sys
from urllib.parse import quote, unquote
from moto.iam import access_control as ac
_init = ac.IAMRequestBase.__init__
def _sigv4_query(self, *a, **kw):
    _init(self, *a, **kw)
    path, sep, query = self._path.partition('?')
    if sep:
        enc = lambda t: quote(unquote(t), safe='-_.~')
        self._path = path + '?' + '&'.join(enc(k) + eq + enc(v) for k, eq, v in (p.partition('=') for p in query.split('&')))
ac.IAMRequestBase.__init__ = _sigv4_query
from moto.server import main
sys.argv = ['moto_server'] + sys.argv[1:]
main()
`;

async function startOnce(port: number, iamAuth = false): Promise<{ child: ChildProcess } | { failed: string }> {
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const child = spawn(iamAuth ? 'python3' : 'moto_server', iamAuth ? ['-c', SIGV4_QUERY_PATCH, ...args] : args, {
    detached: true, // own process group, so stop() can kill the shim and python together
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  installExitHook();
  child.unref(); // a test that forgets stop() must not hang the runner; the exit hook kills it
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  let exited = false;
  let spawnError: Error | undefined;
  child.once('exit', () => {
    exited = true;
    live.delete(child);
  });
  child.once('error', (e) => {
    spawnError = e;
    exited = true;
    live.delete(child);
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) return { failed: spawnError ? spawnError.message : `moto_server exited: ${stderr.trim()}` };
    if (await answers(endpoint)) return { child };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  killGroup(child, 'SIGKILL');
  return { failed: `moto_server did not answer within ${START_TIMEOUT_MS} ms: ${stderr.trim()}` };
}

/**
 * Starts moto_server on a free 127.0.0.1 port and waits (bounded) until it answers. With
 * `iamAuth`, also makes an IAM user allowed everything, puts the JSON error proxy in front and
 * turns moto's IAM checks on before returning.
 */
export async function startMoto(opts: StartMotoOptions = {}): Promise<Moto> {
  let lastFailure = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freePort();
    const r = await startOnce(port, opts.iamAuth === true);
    if ('failed' in r) {
      lastFailure = r.failed; // most likely someone took the port between close and bind
      continue;
    }
    const child = r.child;
    const motoEndpoint = `http://127.0.0.1:${port}`;
    const dir = await mkdtemp(join(tmpdir(), 'cachet-moto-'));
    const configFile = join(dir, 'config');
    const credentialsFile = join(dir, 'credentials');
    await writeFile(configFile, '');
    await writeFile(credentialsFile, '');
    let endpoint = motoEndpoint;
    let credentials: MotoCredentials = MOTO_CREDENTIALS;
    let proxy: HttpServer | undefined;
    if (opts.iamAuth) {
      try {
        // While the checks are still off, MOTO_CREDENTIALS may create the admin user.
        const admin = await createIamUser(motoEndpoint, MOTO_CREDENTIALS, 'cachet-admin', { allow: ['*'] });
        credentials = { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey };
        proxy = await startJsonErrorProxy(motoEndpoint);
        const addr = proxy.address();
        endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
        await enableMotoAuth(motoEndpoint);
      } catch (e) {
        proxy?.close();
        killGroup(child, 'SIGKILL');
        live.delete(child);
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
    }
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL_KMS: endpoint,
      AWS_ENDPOINT_URL_STS: endpoint,
      // S3 speaks REST-XML, which the JSON error proxy leaves alone; and moto's S3 checks the SigV4
      // signature, which covers the Host header the proxy rewrites: S3 goes to moto directly.
      AWS_ENDPOINT_URL_S3: motoEndpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: MOTO_REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    };
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise<void>((res) => child.once('exit', () => res()));
          killGroup(child, 'SIGTERM');
          const kill = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
          let giveUp: NodeJS.Timeout | undefined;
          await Promise.race([gone, new Promise((res) => (giveUp = setTimeout(res, 5000)))]);
          clearTimeout(kill);
          clearTimeout(giveUp);
        }
        live.delete(child);
        if (proxy) {
          const p = proxy;
          p.closeAllConnections();
          await new Promise<void>((res) => p.close(() => res()));
        }
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    };
    return { endpoint, port, env, credentials, iamAuth: opts.iamAuth === true, stop };
  }
  throw new Error(`could not start moto_server after ${START_ATTEMPTS} attempts: ${lastFailure}`);
}

function targetOf(target: MotoTarget): { endpoint: string; credentials: MotoCredentials } {
  return typeof target === 'string' ? { endpoint: target, credentials: MOTO_CREDENTIALS } : target;
}

/** An S3 client aimed at a moto server (path-style: the bucket is not a host name on loopback). */
export function motoS3Client(target: MotoTarget, region: string = MOTO_REGION): S3Client {
  const { endpoint, credentials } = targetOf(target);
  return new S3Client({ endpoint, region, credentials, forcePathStyle: true, maxAttempts: 1 });
}

/** A new bucket with a unique name (`cachet-test-<hex>`), versioned if asked. */
export async function createTestBucket(target: MotoTarget, opts: { versioning?: boolean } = {}): Promise<string> {
  const s3 = motoS3Client(target);
  const bucket = `cachet-test-${randomBytes(6).toString('hex')}`;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    if (opts.versioning) await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  } finally {
    s3.destroy();
  }
  return bucket;
}

/**
 * A KMS client aimed at a moto server: an endpoint (moto's dummy credentials) or a Moto (its
 * `credentials`, which an `iamAuth` server needs). No env, no ~/.aws.
 */
export function motoKmsClient(target: MotoTarget, region: string = MOTO_REGION): KMSClient {
  const { endpoint, credentials } = targetOf(target);
  return new KMSClient({ endpoint, region, credentials, maxAttempts: 1 });
}

/**
 * A new symmetric ENCRYPT_DECRYPT key on the moto server; with `alias` (`alias/NAME` or `NAME`)
 * also an alias for it. Returns the key ARN.
 */
export async function createTestKey(target: MotoTarget, alias?: string, region: string = MOTO_REGION): Promise<string> {
  const kms = motoKmsClient(target, region);
  try {
    const out = await kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Description: 'cachet test key' }));
    const arn = out.KeyMetadata?.Arn;
    if (!arn) throw new Error('moto CreateKey returned no ARN');
    if (alias) {
      const AliasName = alias.startsWith('alias/') ? alias : `alias/${alias}`;
      await kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: arn }));
    }
    return arn;
  } finally {
    kms.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// IAM access control (startMoto({ iamAuth: true }))

export interface LimitedUser extends MotoCredentials {
  readonly userName: string;
  /** `arn:aws:iam::123456789012:user/NAME`, the identity moto names when it refuses. */
  readonly arn: string;
}

export interface UserPolicy {
  /** Actions allowed on every resource, e.g. `kms:GenerateDataKey`. */
  readonly allow: readonly string[];
  /** Actions denied on every resource (an explicit Deny wins over any Allow). */
  readonly deny?: readonly string[] | undefined;
}

/**
 * One IAM Query API call to moto, signed with SigV4 (region us-east-1, as IAM signs): the whole
 * signer is these few lines, so no IAM SDK client and no AWS CLI process (about 0.5 s each) is
 * needed. Returns the XML reply; throws on an error status.
 */
async function iamCall(endpoint: string, as: MotoCredentials, params: Record<string, string>): Promise<string> {
  const url = new URL(endpoint);
  // Encoded as Python's urlencode does: moto re-encodes the parsed form that way when it checks
  // the signature, so URLSearchParams (which leaves `*` bare) would not match.
  const enc = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
  const body = Object.entries({ ...params, Version: '2010-05-08' }).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${MOTO_REGION}/iam/aws4_request`;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    host: url.host,
    'x-amz-date': amzDate,
  };
  const signed = Object.keys(headers).sort();
  const sha256 = (x: string) => createHash('sha256').update(x).digest('hex');
  const canonical = ['POST', '/', '', ...signed.map((h) => `${h}:${headers[h]}`), '', signed.join(';'), sha256(body)].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let k: Buffer = createHmac('sha256', `AWS4${as.secretAccessKey}`).update(day).digest();
  for (const part of [MOTO_REGION, 'iam', 'aws4_request']) k = createHmac('sha256', k).update(part).digest();
  const signature = createHmac('sha256', k).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${as.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  const res = await fetch(`${url.origin}/`, { method: 'POST', headers, body, signal: AbortSignal.timeout(IAM_CALL_TIMEOUT_MS) });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto IAM ${params.Action} failed (${res.status}): ${xmlText(text, 'Code') ?? ''} ${xmlText(text, 'Message') ?? text.slice(0, 200)}`);
  return text;
}

/** An IAM user with an inline policy and an access key. */
async function createIamUser(endpoint: string, as: MotoCredentials, prefix: string, policy: UserPolicy): Promise<LimitedUser> {
  const userName = `${prefix}-${randomBytes(4).toString('hex')}`;
  const statements: object[] = [];
  if (policy.allow.length > 0) statements.push({ Effect: 'Allow', Action: [...policy.allow], Resource: '*' });
  if (policy.deny && policy.deny.length > 0) statements.push({ Effect: 'Deny', Action: [...policy.deny], Resource: '*' });
  const arn = xmlText(await iamCall(endpoint, as, { Action: 'CreateUser', UserName: userName }), 'Arn');
  if (!arn) throw new Error('moto CreateUser returned no ARN');
  if (statements.length > 0) {
    const PolicyDocument = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    await iamCall(endpoint, as, { Action: 'PutUserPolicy', UserName: userName, PolicyName: 'cachet-test', PolicyDocument });
  }
  const key = await iamCall(endpoint, as, { Action: 'CreateAccessKey', UserName: userName });
  const accessKeyId = xmlText(key, 'AccessKeyId');
  const secretAccessKey = xmlText(key, 'SecretAccessKey');
  if (!accessKeyId || !secretAccessKey) throw new Error('moto CreateAccessKey returned no key');
  return { userName, arn, accessKeyId, secretAccessKey };
}

/**
 * A new IAM user on an `iamAuth` moto whose only policy allows `allow` and denies `deny` (on
 * Resource "*": moto checks no resource for KMS), with an access key. A call outside the policy
 * is refused by moto with AccessDenied naming the user's ARN.
 */
export async function createLimitedUser(moto: Moto, policy: UserPolicy): Promise<LimitedUser> {
  if (!moto.iamAuth) throw new Error('createLimitedUser needs startMoto({ iamAuth: true }): without it moto allows everything');
  return createIamUser(moto.endpoint, moto.credentials, 'cachet-user', policy);
}

/** An IAM user with an access key and no policy (whoever it is: STS GetCallerIdentity names it). */
export async function createTestUser(moto: Moto, prefix = 'cachet-id'): Promise<LimitedUser> {
  return createIamUser(moto.endpoint, moto.credentials, prefix, { allow: [] });
}

/** Turns moto's IAM checks on for every request from now on, through its control API. */
async function enableMotoAuth(motoEndpoint: string): Promise<void> {
  // moto reads the request body as the new INITIAL_NO_AUTH_ACTION_COUNT; a form content type
  // would make Flask swallow it, hence text/plain.
  const res = await fetch(`${motoEndpoint}/moto-api/reset-auth`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '0', // INITIAL_NO_AUTH_ACTION_COUNT: no more unchecked requests
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto reset-auth failed (${res.status}): ${text.slice(0, 200)}`);
}

function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m?.[1]?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/**
 * A 127.0.0.1 proxy to moto that passes every request and reply through unchanged, except an
 * XML error reply to a JSON-protocol request (X-Amz-Target), which it re-encodes as the AWS JSON
 * 1.1 error real KMS sends: x-amzn-ErrorType and {"__type", "message"}, moto's code and message.
 */
async function startJsonErrorProxy(target: string): Promise<HttpServer> {
  const upstream = new URL(target);
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const up = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, timeout: 30_000 },
        (ur) => {
          const parts: Buffer[] = [];
          ur.on('data', (c: Buffer) => parts.push(c));
          ur.on('end', () => {
            const reply = Buffer.concat(parts);
            const status = ur.statusCode ?? 502;
            const text = status >= 400 && req.headers['x-amz-target'] ? reply.toString('utf8') : '';
            const code = text.trimStart().startsWith('<') ? xmlText(text, 'Code') : undefined;
            if (code) {
              const json = JSON.stringify({ __type: code, message: xmlText(text, 'Message') ?? '' });
              res.writeHead(status, {
                'content-type': 'application/x-amz-json-1.1',
                'x-amzn-errortype': code,
                'x-amzn-requestid': String(ur.headers['x-amzn-requestid'] ?? randomBytes(8).toString('hex')),
                'content-length': Buffer.byteLength(json),
              });
              res.end(json);
              return;
            }
            const headers = { ...ur.headers };
            delete headers['transfer-encoding'];
            headers['content-length'] = String(reply.length);
            res.writeHead(status, headers);
            res.end(reply);
          });
          ur.on('error', () => res.destroy());
        },
      );
      up.on('timeout', () => up.destroy(new Error('moto did not answer')));
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref(); // like moto itself: a test that forgets stop() must not hang the runner
  return server;
}
