// Starts a private moto_server (the AWS emulator) for one test file, on 127.0.0.1 and a free port,
// and hands back the environment a child process or provider needs to reach it. It sets nothing
// in this process's environment (tests pass `env` or `endpoint` on explicitly), and it points the
// shared config/credentials files at empty temp files so the developer's ~/.aws never leaks in.
// It does not reset moto state between tests: each test file gets a fresh server.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';

export interface Moto {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** AWS_* variables that send the SDK (or the AWS CLI) to this server with dummy credentials. */
  readonly env: Record<string, string>;
  /** Kills the server and its process group; safe to call more than once. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const POLL_MS = 100;
const START_ATTEMPTS = 3;

export const MOTO_REGION = 'us-east-1';
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

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

async function startOnce(port: number): Promise<{ child: ChildProcess } | { failed: string }> {
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
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

/** Starts moto_server on a free 127.0.0.1 port and waits (bounded) until it answers. */
export async function startMoto(): Promise<Moto> {
  let lastFailure = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freePort();
    const r = await startOnce(port);
    if ('failed' in r) {
      lastFailure = r.failed; // most likely someone took the port between close and bind
      continue;
    }
    const child = r.child;
    const endpoint = `http://127.0.0.1:${port}`;
    const dir = await mkdtemp(join(tmpdir(), 'cachet-moto-'));
    const configFile = join(dir, 'config');
    const credentialsFile = join(dir, 'credentials');
    await writeFile(configFile, '');
    await writeFile(credentialsFile, '');
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL_KMS: endpoint,
      AWS_ENDPOINT_URL_STS: endpoint,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
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
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    };
    return { endpoint, port, env, stop };
  }
  throw new Error(`could not start moto_server after ${START_ATTEMPTS} attempts: ${lastFailure}`);
}

/** A KMS client aimed at a moto endpoint with moto's dummy credentials (no env, no ~/.aws). */
export function motoKmsClient(endpoint: string, region: string = MOTO_REGION): KMSClient {
  return new KMSClient({ endpoint, region, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
}

/**
 * A new symmetric ENCRYPT_DECRYPT key on the moto server; with `alias` (`alias/NAME` or `NAME`)
 * also an alias for it. Returns the key ARN.
 */
export async function createTestKey(endpoint: string, alias?: string, region: string = MOTO_REGION): Promise<string> {
  const kms = motoKmsClient(endpoint, region);
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
