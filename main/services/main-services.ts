// Builds everything `dispatch` needs from a Platform: settings, path grants, jobs, temp files,
// auto-lock, the local key, AWS and the vault session, plus the handlers and a dispatcher.
// main.ts calls it with the Electron platform; node tests and the renderer's browser e2e harness
// call it with `createHeadlessPlatform` (main/platform.ts) and get the real handlers.
// No electron import.

import { join } from 'node:path';
import type { EventName, EventPayload, Result } from '../../contract/ipc.js';
import { createDispatch, type Dispatch, type SenderInfo } from '../ipc/dispatch.js';
import { createHandlers, type Handlers } from '../ipc/handlers.js';
import type { Platform } from '../platform.js';
import { AwsService, type AwsBackend } from '../aws/aws-service.js';
import { AutoLock } from './auto-lock.js';
import { PathGrants } from './grants.js';
import { Jobs } from './jobs.js';
import { LocalKeyService, type LocalKeyBackend } from './local-key.js';
import { SettingsStore } from './settings.js';
import { TempFiles } from './temp-files.js';
import { VaultSession } from './vault-session.js';
import { toErrorPayload } from './errors.js';
import type { VaultBackend } from './vault-backend.js';
import { KNOWN_VAULTS_FILE } from '../../app/vault/known-vaults.js';
import { sweepHome } from '../../app/fs/in-flight.js';
import { awsBackend, localKeyBackend, vaultBackend } from './core-adapters.js';

export type LockReason = EventPayload<'vault:locked'>['reason'];

export interface MainServices {
  readonly platform: Platform;
  readonly grants: PathGrants;
  readonly settings: SettingsStore;
  readonly jobs: Jobs;
  readonly temps: TempFiles;
  readonly autoLock: AutoLock;
  readonly localKey: LocalKeyService;
  readonly aws: AwsService;
  readonly session: VaultSession;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  log(msg: string): void;
  /** Cancel jobs, wipe temp copies, close the vault, zero keys; sends vault:locked. */
  lockAll(reason: LockReason): Promise<void>;
  /**
   * The computer is going to sleep or its screen locked (powerMonitor 'suspend', 'lock-screen'):
   * lockAll('system') unless the setting `lockOnSystemLock` is off. A system lock keeps edited
   * copies, like an auto-lock. Resolves true when it locked.
   */
  systemLock(): Promise<boolean>;
}

export interface MainServicesOptions {
  /** Where events go (main.ts: the window's webContents.send; harness: the page). */
  emit?: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  log?: (msg: string) => void;
  /** The core adapters; default: app/ (core-adapters.ts). Tests may pass small fakes for one error mapping. */
  vaultBackend?: VaultBackend;
  localKeyBackend?: LocalKeyBackend;
  awsBackend?: AwsBackend;
  /** KMS/STS endpoint override (moto in tests), passed to the default AWS backend. */
  awsEndpoint?: string;
  /** Fixed AWS credentials (tests against moto); default: the SDK chain for the profile. */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * AWS_* variables for harnesses (e.g. moto's `env`): AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN ->
   * credentials, AWS_REGION -> region when none is chosen, AWS_ENDPOINT_URL_KMS/_STS/_S3 ->
   * endpoints. AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are copied into process.env (the
   * SDK and the profile list read them only from there): a harness-only global effect.
   */
  awsEnv?: Record<string, string | undefined>;
  /** scrypt N for new local key files (tests use 2^14 for speed; default SPEC §8 writer's). */
  localScryptN?: number;
  /** The private temp folder (default: <userData>/temp). */
  tempRoot?: string;
  /** Check responses against the contract (tests, harness). */
  validateResponses?: boolean;
  /** Sender check for dispatch (default: trust everyone: only for node harnesses without a window). */
  isTrustedSender?: (s: SenderInfo) => boolean;
}

export interface MainApp {
  services: MainServices;
  handlers: Handlers;
  dispatch: Dispatch;
  /** dispatch as the trusted window (harness convenience). */
  invoke(channel: string, request: unknown): Promise<Result<unknown>>;
  /** A dropped file's path, as the preload reports it (GRANT_DROP_CHANNEL). */
  grantDrop(path: string): void;
  /** Load settings, wipe temp leftovers of a crashed run, look for the local key. */
  start(): Promise<void>;
  /**
   * Whether quitting may go on (main.ts asks before the window closes or the app quits): with
   * edited copies not saved back, the person chooses (main/services/quit-guard.ts) to save them
   * back first, discard them, or stay. A failed save-back quits nothing and asks again.
   */
  confirmQuit(): Promise<boolean>;
  /** Lock and wipe (quit). */
  stop(): Promise<void>;
}

function awsOptions(opts: MainServicesOptions): Parameters<typeof awsBackend>[0] {
  const env = opts.awsEnv ?? {};
  for (const k of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) if (env[k]) process.env[k] = env[k];
  const fromEnv = env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']
    ? { accessKeyId: env['AWS_ACCESS_KEY_ID'], secretAccessKey: env['AWS_SECRET_ACCESS_KEY'], ...(env['AWS_SESSION_TOKEN'] ? { sessionToken: env['AWS_SESSION_TOKEN'] } : {}) }
    : undefined;
  const credentials = opts.awsCredentials ?? fromEnv;
  return {
    endpoint: opts.awsEndpoint ?? env['AWS_ENDPOINT_URL_KMS'] ?? env['AWS_ENDPOINT_URL'],
    stsEndpoint: env['AWS_ENDPOINT_URL_STS'] ?? opts.awsEndpoint ?? env['AWS_ENDPOINT_URL'],
    s3Endpoint: env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL'],
    cloudtrailEndpoint: env['AWS_ENDPOINT_URL_CLOUDTRAIL'] ?? env['AWS_ENDPOINT_URL'],
    defaultRegion: env['AWS_REGION'],
    ...(credentials ? { credentials } : {}),
  };
}

export const HARNESS_SENDER: SenderInfo = { webContentsId: 1, frameUrl: 'app://cachet/index.html', isMainFrame: true };

export async function createMainServices(platform: Platform, opts: MainServicesOptions = {}): Promise<MainApp> {
  const log = opts.log ?? ((m: string) => console.error(`[cachet main] ${m}`));
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => opts.emit?.(event, payload);

  const settings = new SettingsStore(platform.userDataDir);
  await settings.load();
  const grants = new PathGrants();
  const jobs = new Jobs({ clock: platform.clock, emitProgress: (p) => emit('job:progress', p), emitDone: (d) => emit('job:done', d), log });
  const temps = new TempFiles({ root: opts.tempRoot ?? join(platform.userDataDir, 'temp'), clock: platform.clock, onEdited: (e) => emit('temp:edited', e) });
  const localKey = new LocalKeyService({ userDataDir: platform.userDataDir, backend: opts.localKeyBackend ?? localKeyBackend(opts.localScryptN ? { scryptN: opts.localScryptN } : {}), safeStorage: platform.safeStorage, settings });
  const aws = new AwsService(opts.awsBackend ?? awsBackend(awsOptions(opts)), settings.get().aws);
  const session = new VaultSession({ backend: opts.vaultBackend ?? vaultBackend(join(platform.userDataDir, KNOWN_VAULTS_FILE)), localKey, aws });

  let locking: Promise<void> | undefined;
  const autoLock = new AutoLock({
    clock: platform.clock,
    minutes: settings.get().autoLockMinutes,
    onIdle: () => void lockAll('idle').catch((e: unknown) => log(`auto-lock failed: ${(e as Error)?.message}`)),
  });
  const lockAll = (reason: LockReason): Promise<void> => {
    locking ??= (async () => {
      try {
        autoLock.disarm();
        await jobs.cancelAll();
        // An edited copy is the person's unsaved work: a lock the person asked for ('user') or
        // confirmed ('quit') wipes it (the renderer and main.ts ask first); an auto-lock or a
        // system lock has nobody to ask, so it keeps edited copies, and the list of pending edits
        // (vault:locked `kept`) offers save-back or discard after unlocking.
        const keep = reason === 'idle' || reason === 'system' ? new Set((await temps.edited().catch(() => [])).map((e) => e.tempId)) : new Set<string>();
        await temps.wipeAll({ keep }).catch((e: unknown) => log(`temp wipe failed: ${(e as Error)?.message}`));
        await session.lock();
        localKey.lock();
        aws.reset();
        emit('vault:locked', { reason, kept: [...keep] });
        emit('app:state-changed', await handlers['app:state']({}));
      } finally {
        locking = undefined;
      }
    })();
    return locking;
  };
  const systemLock = async (): Promise<boolean> => {
    if (!settings.get().lockOnSystemLock) return false;
    await lockAll('system');
    return true;
  };
  const services: MainServices = { platform, grants, settings, jobs, temps, autoLock, localKey, aws, session, emit, log, lockAll, systemLock };

  const handlers = createHandlers(services);
  const dispatch = createDispatch(handlers, {
    isTrustedSender: opts.isTrustedSender ?? (() => true),
    log,
    validateResponses: opts.validateResponses ?? false,
    onRequest: (c) => {
      if (c !== 'app:state') services.autoLock.touch();
    },
  });

  return {
    services,
    handlers,
    dispatch,
    invoke: (channel, request) => dispatch(channel, request, HARNESS_SENDER),
    grantDrop: (path) => {
      try {
        grants.grant(path, ['read']);
      } catch {
        // not absolute: ignore, like a drop of nothing
      }
    },
    async start() {
      const n = await temps.wipeAll();
      if (n > 0) log(`wiped ${n} temporary file(s) left by an earlier run`);
      // Plaintext outputs (export, get) and home temps of a Cachet process killed hard (issue 16 #8).
      const left = await sweepHome();
      if (left.length > 0) log(`removed ${left.length} unfinished file(s) left by a killed Cachet process`);
      await localKey.refresh();
    },
    async confirmQuit() {
      let failure: string | undefined;
      // Bounded: the second question has no save choice, so it ends in discard or cancel.
      for (let round = 0; round < 2; round++) {
        const edited = await temps.edited().catch(() => []);
        if (edited.length === 0) return true;
        const canSave = session.vault !== undefined && failure === undefined;
        const answer = await platform.askBeforeQuit({ pending: edited.map((e) => e.vaultPath), canSave, failure });
        if (answer === 'cancel') return false;
        if (answer === 'discard' || !canSave) return true;
        const failed: string[] = [];
        for (const e of edited) {
          try {
            await handlers['temp:save-back']({ tempId: e.tempId });
          } catch (err) {
            const p = toErrorPayload(err);
            log(`save back before quit failed: ${p.code}`);
            failed.push(`${e.vaultPath}: ${p.message}`);
          }
        }
        if (failed.length === 0) return true;
        failure = failed.join('; ');
      }
      return false;
    },
    async stop() {
      await services.lockAll('quit');
    },
  };
}
