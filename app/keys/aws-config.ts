// AWS set-up for the aws-kms provider and for the screens that pick a key: how a client finds its
// profile, region, endpoint and credentials (`resolveAwsClient`), which profiles the shared files
// define (`listProfiles`), which KMS keys can wrap data keys (`listKeys`), making a key with an
// alias (`createKey`) and who the credentials belong to (`whoAmI`).
//
// Credentials come from the SDK's standard chain (`fromNodeProviderChain`): environment, SSO,
// assume-role, credential_process, web identity, container and instance roles. Region, retries and
// the profile follow the AWS CLI v1 (botocore) where it and the JS SDK differ, through the SDK's
// own loaders (`loadConfig`) on the merged profile; see resolveAwsClient for the precedence. The
// shared files are checked first (aws-shared-files.ts): what the SDK would read differently from
// the CLI is refused, naming the file and line. The profile is always passed to the SDK by name,
// and its configured endpoint (AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, `services`, `endpoint_url`)
// is read here, because the SDK (v3.11xx) reads it only for a profile given through AWS_PROFILE.
//
// It never returns or logs a secret: profiles are listed by name, region and kind only.

import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand, type KeyMetadata, type ListAliasesCommandOutput, type ListKeysCommandOutput, type KMSClientConfig } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { fromEnv, fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { loadConfig } from '@smithy/core/config';
import { NODE_MAX_ATTEMPT_CONFIG_OPTIONS, NODE_RETRY_MODE_CONFIG_OPTIONS } from '@smithy/core/retry';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { badRequest, CachetError, throwIfAborted } from '../errors.js';
import { checkSharedFiles } from './aws-shared-files.js';
import { fromKmsError, type KmsErrorContext } from './kms-errors.js';
import { isValidAlias } from './alias-rules.js';
import { recordCalledEndpoint } from './called-endpoint.js';
import { countKmsUsage, type KmsUsage } from './kms-usage.js';

/** How to reach AWS. Every field is optional: the SDK's standard resolution fills the rest. */
export interface AwsClientOptions {
  /** A profile of the shared config/credentials files; default: AWS_PROFILE, AWS_DEFAULT_PROFILE, `default`. */
  readonly profile?: string | undefined;
  /** Default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region (resolveAwsClient). */
  readonly region?: string | undefined;
  /** A KMS endpoint URL (an emulator, a VPC endpoint); default: the SDK's configured endpoints. */
  readonly endpoint?: string | undefined;
  /** An STS endpoint URL for `whoAmI`; default: the SDK's configured endpoints. */
  readonly stsEndpoint?: string | undefined;
  /** An S3 endpoint URL for S3 vaults (an emulator); default: the SDK's configured endpoints. */
  readonly s3Endpoint?: string | undefined;
  /** A CloudTrail endpoint URL for access history; default: the SDK's configured endpoints. */
  readonly cloudtrailEndpoint?: string | undefined;
  /** Fixed credentials or a provider; default: the SDK's node provider chain for `profile`. */
  readonly credentials?: KMSClientConfig['credentials'];
  /** Attempts per call, first included; default AWS_MAX_ATTEMPTS, the profile's max_attempts, then 8. */
  readonly maxAttempts?: number | undefined;
  /** SDK retry mode; default AWS_RETRY_MODE, the profile's retry_mode, then `standard` (DEFAULT_RETRY_MODE). */
  readonly retryMode?: 'standard' | 'adaptive' | undefined;
  /** TCP connect timeout in ms (default 5000), so an unreachable endpoint fails in seconds. */
  readonly connectTimeoutMs?: number | undefined;
  /** Per-request timeout in ms (default 30000). */
  readonly requestTimeoutMs?: number | undefined;
  /** Where every KMS client made for these options counts its requests (kms-usage.ts). */
  readonly kmsUsage?: KmsUsage | undefined;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
// 'standard' (the SDK's default): exponential backoff with jitter on throttling and 5xx. Not
// 'adaptive': under steady throttling its client-side rate limiter fell to 1-2 calls/s in
// test/hardening/kms-faults.test.ts, which turns a bulk add into many minutes.
export const DEFAULT_RETRY_MODE = 'standard';
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

type IniSection = Record<string, string | undefined>;
interface SharedFiles {
  configFile: Record<string, IniSection>;
  credentialsFile: Record<string, IniSection>;
}

/** Both shared files, parsed. `fresh` re-reads them (and refreshes the SDK's own cache of them). */
async function loadShared(fresh = false): Promise<SharedFiles> {
  const files = await loadSharedConfigFiles({ ignoreCache: fresh });
  return { configFile: files.configFile as SharedFiles['configFile'], credentialsFile: files.credentialsFile as SharedFiles['credentialsFile'] };
}

function envValue(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && v.trim().toLowerCase() === 'true';
}

/**
 * The endpoint the SDK's "configured endpoints" rules give `service` for `profile`: the
 * service's env var, AWS_ENDPOINT_URL, the profile's `services` section, the profile's
 * `endpoint_url`; nothing when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile says so.
 */
export function configuredEndpoint(service: AwsService, profileName: string, files: SharedFiles): string | undefined {
  const profile = files.configFile[profileName] ?? {};
  if (isTrue(envValue('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS')) || isTrue(profile.ignore_configured_endpoint_urls)) return undefined;
  const fromEnv = envValue(`AWS_ENDPOINT_URL_${service}`) ?? envValue('AWS_ENDPOINT_URL');
  if (fromEnv) return fromEnv;
  if (profile.services) {
    const section = files.configFile[`services.${profile.services}`];
    const url = section?.[`${service.toLowerCase()}.endpoint_url`];
    if (url) return url;
  }
  return profile.endpoint_url || undefined;
}

/** The services Cachet calls: KMS for keys, STS for "who am I", S3 for S3 vaults, CloudTrail for access history. */
export type AwsService = 'KMS' | 'STS' | 'S3' | 'CLOUDTRAIL';

/** Everything a client for one service in one region needs, and what an error detail names. */
export interface ResolvedAwsClient {
  readonly config: KMSClientConfig;
  /** The profile in play (explicit, AWS_PROFILE), if any. */
  readonly profile: string | undefined;
  readonly region: string;
  /** The endpoint requests go to, for error details: configured, or the public regional one. */
  readonly endpoint: string;
}

// One provider chain per profile, so SSO, assume-role and credential_process results are cached
// (and refreshed before expiry) across every client of the process rather than per client.
const credentialChains = new Map<string, NonNullable<KMSClientConfig['credentials']>>();

const NO_PROVIDER_RE = /could not load credentials from any providers/i;

/**
 * The SDK's chain for `profile`. When the whole chain fails for a named profile, the profile's own
 * provider (`fromIni`: assume-role, source_profile, credential_process, SSO) is asked once more so
 * its real reason surfaces ("Detected a cycle ...", the process's failure, expired credentials)
 * instead of the chain's "Could not load credentials from any providers".
 */
function credentialChain(profile: string | undefined, explicit: boolean): NonNullable<KMSClientConfig['credentials']> {
  const k = `${explicit ? 'explicit' : 'env'}:${profile ?? ''}`;
  let chain = credentialChains.get(k);
  if (!chain) {
    const sdk = fromNodeProviderChain(profile ? { profile } : {});
    const named: NonNullable<KMSClientConfig['credentials']> = profile === undefined ? sdk : async (identityProperties?: Record<string, unknown>) => {
      try {
        return await sdk(identityProperties);
      } catch (e) {
        if (!(e instanceof Error && NO_PROVIDER_RE.test(e.message))) throw e;
        return fromIni({ profile })(identityProperties);
      }
    };
    // A profile named by AWS_PROFILE / AWS_DEFAULT_PROFILE (not --profile): the AWS CLI still takes
    // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY first (botocore drops its environment provider only
    // for an explicit profile), where the JS SDK skips them whenever AWS_PROFILE is set. Cachet does
    // what the CLI does, so one shell gives one identity (test/app/keys/aws-parity.test.ts).
    const env = explicit || profile === undefined ? undefined : fromEnv();
    chain = env === undefined ? named : async (identityProperties?: Record<string, unknown>) =>
      (envValue('AWS_ACCESS_KEY_ID') !== undefined && envValue('AWS_SECRET_ACCESS_KEY') !== undefined ? env() : named(identityProperties));
    credentialChains.set(k, chain);
  }
  return chain;
}

/** Forget cached credential chains (after `aws sso login`, or when the shared files change). */
export function resetAwsCredentialCache(): void {
  credentialChains.clear();
}

/**
 * The profile in play: the explicit one, else AWS_PROFILE or AWS_DEFAULT_PROFILE (the AWS CLI v1's
 * variable, which the JS SDK ignores); undefined means `default`. The CLI v1 lets
 * AWS_DEFAULT_PROFILE win, the SDK and the CLI v2 AWS_PROFILE: when both are set and differ the
 * identity would depend on the tool, so that is refused.
 */
export function profileInPlay(explicit: string | undefined): string | undefined {
  if (explicit !== undefined) return explicit;
  const sdk = envValue('AWS_PROFILE');
  const cli = envValue('AWS_DEFAULT_PROFILE');
  if (sdk !== undefined && cli !== undefined && sdk !== cli) {
    throw new CachetError('aws-config-invalid', `AWS_PROFILE (${sdk}) and AWS_DEFAULT_PROFILE (${cli}) name different profiles: unset one, or pass --profile`, { profile: sdk, reason: 'profile-variables' });
  }
  return sdk ?? cli;
}

/** A setting of the merged profile through the SDK's own loader (env first, then the files). */
async function loadSetting<T>(
  options: { environmentVariableSelector: (env: Record<string, string | undefined>) => T | undefined; configFileSelector: (p: IniSection) => T | undefined; default: T | (() => T | undefined) },
  profile: string,
): Promise<T | undefined> {
  try {
    return await loadConfig(options as Parameters<typeof loadConfig<T>>[0], { profile })();
  } catch (e) {
    throw new CachetError('aws-config-invalid', e instanceof Error ? e.message.split('\n', 1)[0]! : String(e), { profile, reason: 'bad-value' }, { cause: e });
  }
}

// Region: AWS_REGION (the JS SDK's variable) before AWS_DEFAULT_REGION (the AWS CLI's), then the
// profile merged from both files (a region only in the credentials file counts, as for the CLI).
const REGION_OPTIONS = {
  environmentVariableSelector: (env: Record<string, string | undefined>) => env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  configFileSelector: (p: IniSection) => p.region || undefined,
  default: () => undefined,
};

/**
 * The CA bundle to trust instead of the built-in roots, as for the AWS CLI: AWS_CA_BUNDLE, then the
 * profile's `ca_bundle` (a PEM file; behind TLS inspection, the inspecting proxy's CA).
 */
async function caBundle(profile: string): Promise<Buffer | undefined> {
  const path = await loadSetting({
    environmentVariableSelector: (env) => env.AWS_CA_BUNDLE || undefined,
    configFileSelector: (p: IniSection) => p.ca_bundle || undefined,
    default: () => undefined,
  }, profile);
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (e) {
    throw new CachetError('aws-config-invalid', `the CA bundle ${path} cannot be read`, { profile, path, reason: 'ca-bundle' }, { cause: e });
  }
}

/**
 * What the AWS CLI refuses in a profile and the SDK would silently pass over: a `services`
 * section or an `sso_session` that the config file does not define.
 */
function checkProfileReferences(name: string, files: SharedFiles): void {
  const merged: IniSection = { ...(files.credentialsFile[name] ?? {}), ...(files.configFile[name] ?? {}) };
  if (merged.services && !files.configFile[`services.${merged.services}`]) {
    throw new CachetError('aws-config-invalid', `profile ${name} names services = ${merged.services}, and there is no [services ${merged.services}] section`, { profile: name, reason: 'missing-services' });
  }
  if (merged.sso_session && !files.configFile[`sso-session.${merged.sso_session}`]) {
    throw new CachetError('aws-config-invalid', `profile ${name} names sso_session = ${merged.sso_session}, and there is no [sso-session ${merged.sso_session}] section`, { profile: name, reason: 'missing-sso-session' });
  }
}

/**
 * Resolve profile, region, endpoint, retries and credentials for `service`. `region` overrides
 * the options' (a stanza's key ARN names its region). The shared files are checked first
 * (aws-shared-files.ts). Precedence follows the AWS CLI v1 (botocore), except that AWS_REGION, the
 * JS SDK's variable, counts too and comes before AWS_DEFAULT_REGION:
 * - profile: explicit, AWS_PROFILE, AWS_DEFAULT_PROFILE, `default`;
 * - region: explicit, AWS_REGION, AWS_DEFAULT_REGION, the merged profile's `region`;
 * - attempts / retry mode: explicit, AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, the profile's
 *   `max_attempts` / `retry_mode`, then Cachet's defaults (8, standard).
 * Throws `profile-not-found` for a named profile that neither shared file defines,
 * `aws-config-invalid` for a file or profile the CLI refuses, and `bad-request` with no region.
 */
export async function resolveAwsClient(opts: AwsClientOptions, service: AwsService = 'KMS', region?: string): Promise<ResolvedAwsClient> {
  await checkSharedFiles();
  const files = await loadShared();
  const profile = profileInPlay(opts.profile);
  const name = profile ?? 'default';
  if (profile !== undefined && opts.credentials === undefined && !files.configFile[profile] && !files.credentialsFile[profile]) {
    throw new CachetError('profile-not-found', `AWS profile ${profile} is not defined in the shared config or credentials file`, { profile });
  }
  checkProfileReferences(name, files);
  const resolvedRegion = region ?? opts.region ?? (await loadSetting(REGION_OPTIONS, name));
  if (!resolvedRegion) {
    throw badRequest('no-region', `no AWS region: set one for profile ${name}, or set AWS_REGION`, { profile });
  }
  // The SDK's loader passes over a malformed AWS_MAX_ATTEMPTS to the profile's value; botocore refuses it.
  const envAttempts = envValue('AWS_MAX_ATTEMPTS');
  if (opts.maxAttempts === undefined && envAttempts !== undefined && !/^\d+$/.test(envAttempts.trim())) {
    throw new CachetError('aws-config-invalid', `AWS_MAX_ATTEMPTS must be a whole number from 1 (got ${envAttempts})`, { profile: name, reason: 'bad-value' });
  }
  const maxAttempts = opts.maxAttempts ?? (await loadSetting({ ...NODE_MAX_ATTEMPT_CONFIG_OPTIONS, default: DEFAULT_MAX_ATTEMPTS }, name)) ?? DEFAULT_MAX_ATTEMPTS;
  const retryMode = opts.retryMode ?? (await loadSetting({ ...NODE_RETRY_MODE_CONFIG_OPTIONS, default: DEFAULT_RETRY_MODE }, name)) ?? DEFAULT_RETRY_MODE;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new CachetError('aws-config-invalid', `max_attempts must be a whole number from 1 (got ${maxAttempts})`, { profile: name, reason: 'bad-value' });
  }
  if (retryMode !== 'standard' && retryMode !== 'adaptive' && retryMode !== 'legacy') {
    throw new CachetError('aws-config-invalid', `retry_mode must be standard, adaptive or legacy (got ${retryMode})`, { profile: name, reason: 'bad-value' });
  }
  const explicitEndpoint = service === 'KMS' ? opts.endpoint : service === 'STS' ? opts.stsEndpoint : service === 'S3' ? opts.s3Endpoint : opts.cloudtrailEndpoint;
  // The profile is always passed to the SDK by name (it knows neither AWS_DEFAULT_PROFILE nor,
  // for an explicit profile, its endpoint: see the module comment), so the endpoint is read here.
  const sdkEndpoint = explicitEndpoint ?? configuredEndpoint(service, name, files);
  const shownEndpoint = sdkEndpoint ?? `https://${service.toLowerCase()}.${resolvedRegion}.amazonaws.com`;
  const ca = await caBundle(name);
  const config: KMSClientConfig = {
    region: resolvedRegion,
    credentials: opts.credentials ?? credentialChain(profile, opts.profile !== undefined),
    maxAttempts,
    // botocore's `legacy` mode has no SDK v3 counterpart: the SDK's standard mode is the nearest.
    retryMode: retryMode === 'legacy' ? 'standard' : retryMode,
    requestHandler: {
      connectionTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      // HTTPS_PROXY / HTTP_PROXY / NO_PROXY as the AWS CLI honours them, by Node's own env-proxy
      // support (Node 24 `proxyEnv`: CONNECT for https, NO_PROXY matched by host and port).
      httpsAgent: new HttpsAgent({ keepAlive: true, proxyEnv: process.env, ...(ca !== undefined ? { ca } : {}) }),
      httpAgent: new HttpAgent({ keepAlive: true, proxyEnv: process.env }),
    },
    ...(profile !== undefined ? { profile } : {}),
    ...(sdkEndpoint !== undefined ? { endpoint: sdkEndpoint } : {}),
  };
  return { config, profile, region: resolvedRegion, endpoint: shownEndpoint };
}

/** A KMS client for `opts` (in `region` if given) and the context its errors are reported with. */
export async function createKmsClient(opts: AwsClientOptions, region?: string): Promise<{ client: KMSClient; ctx: KmsErrorContext }> {
  const r = await resolveAwsClient(opts, 'KMS', region);
  return { client: newKmsClient(r.config, opts), ctx: { profile: r.profile, region: r.region, endpoint: r.endpoint } };
}

/** Every KMS client Cachet makes: counted into `opts.kmsUsage` when given. */
export function newKmsClient(config: KMSClientConfig, opts: Pick<AwsClientOptions, 'kmsUsage'>, make: (c: KMSClientConfig) => KMSClient = (c) => new KMSClient(c)): KMSClient {
  const client = recordCalledEndpoint(make(config));
  if (opts.kmsUsage) countKmsUsage(client, opts.kmsUsage);
  return client;
}

// ---- profiles ---------------------------------------------------------------------------------

export type ProfileType = 'sso' | 'assume-role' | 'credential-process' | 'static' | 'env' | 'other';

export interface ProfileInfo {
  readonly name: string;
  readonly region?: string;
  readonly type: ProfileType;
  readonly source: 'config' | 'credentials' | 'both';
}

function profileType(s: IniSection): ProfileType {
  if (s.sso_session || s.sso_start_url || s.sso_account_id) return 'sso';
  if (s.role_arn) return 'assume-role';
  if (s.credential_process) return 'credential-process';
  if (s.aws_access_key_id) return 'static';
  if (s.credential_source === 'Environment') return 'env';
  return 'other';
}

/**
 * Every profile the shared config and credentials files define (AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE are honoured), by name, with its region and the kind of credentials
 * it gives. Secret values are read by the parser but never copied out. Re-reads the files, so a
 * profile added since the last call shows up (and the SDK sees it too).
 */
export async function listProfiles(): Promise<ProfileInfo[]> {
  const files = await loadShared(true);
  const names = new Set<string>();
  const inConfig = (n: string) => Object.hasOwn(files.configFile, n) && !n.startsWith('sso-session.') && !n.startsWith('services.');
  for (const n of Object.keys(files.configFile)) if (inConfig(n)) names.add(n);
  for (const n of Object.keys(files.credentialsFile)) names.add(n);
  const out: ProfileInfo[] = [];
  for (const name of [...names].sort()) {
    const conf = inConfig(name) ? files.configFile[name] : undefined;
    const cred = Object.hasOwn(files.credentialsFile, name) ? files.credentialsFile[name] : undefined;
    const merged: IniSection = { ...(cred ?? {}), ...(conf ?? {}) };
    const region = conf?.region || cred?.region || undefined;
    out.push({
      name,
      ...(region ? { region } : {}),
      type: profileType(merged),
      source: conf && cred ? 'both' : conf ? 'config' : 'credentials',
    });
  }
  return out;
}

// ---- keys -------------------------------------------------------------------------------------

export interface KmsKeyInfo {
  readonly keyId: string;
  readonly arn: string;
  readonly aliases: string[];
  readonly description?: string;
  readonly enabled: boolean;
  readonly region: string;
}

/** Whether a key can wrap Cachet data keys: enabled, symmetric, for encryption. */
export function isUsableKey(m: KeyMetadata | undefined): boolean {
  return !!m && m.Enabled === true && m.KeyState === 'Enabled' && m.KeyUsage === 'ENCRYPT_DECRYPT' && (m.KeySpec ?? m.CustomerMasterKeySpec) === 'SYMMETRIC_DEFAULT';
}

const MAX_PAGES = 1000; // 100 keys a page: far beyond any account's key quota

/**
 * The keys of the account and region that can wrap data keys (SPEC §7 aws-kms), with their
 * aliases, sorted by first alias then ARN. AWS-managed keys (`alias/aws/…`) cannot be used with
 * Cachet's calls and are left out.
 */
export async function listKeys(opts: AwsClientOptions & { signal?: AbortSignal | undefined } = {}): Promise<KmsKeyInfo[]> {
  const { client, ctx } = await createKmsClient(opts);
  const send = { abortSignal: opts.signal };
  try {
    const aliases = new Map<string, string[]>();
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      throwIfAborted(opts.signal);
      const r: ListAliasesCommandOutput = await client.send(new ListAliasesCommand({ Limit: 100, Marker: marker }), send);
      for (const a of r.Aliases ?? []) {
        if (!a.AliasName || !a.TargetKeyId) continue;
        const list = aliases.get(a.TargetKeyId) ?? [];
        list.push(a.AliasName);
        aliases.set(a.TargetKeyId, list);
      }
      if (!r.Truncated || !r.NextMarker) break;
      marker = r.NextMarker;
    }
    const out: KmsKeyInfo[] = [];
    marker = undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      throwIfAborted(opts.signal);
      const r: ListKeysCommandOutput = await client.send(new ListKeysCommand({ Limit: 100, Marker: marker }), send);
      for (const k of r.Keys ?? []) {
        if (!k.KeyId) continue;
        const names = (aliases.get(k.KeyId) ?? []).sort();
        if (names.some((n) => n.startsWith('alias/aws/'))) continue;
        let meta: KeyMetadata | undefined;
        try {
          meta = (await client.send(new DescribeKeyCommand({ KeyId: k.KeyArn ?? k.KeyId }), send)).KeyMetadata;
        } catch (e) {
          const err = fromKmsError(e, { ...ctx, keyId: k.KeyArn ?? k.KeyId, operation: 'DescribeKey' });
          // A key policy may hide single keys from this identity: skip them, list the rest.
          if (err.code === 'kms-access-denied' || err.code === 'kms-key-not-found') continue;
          throw err;
        }
        if (!isUsableKey(meta) || meta?.KeyManager === 'AWS') continue;
        out.push({
          keyId: k.KeyId,
          arn: meta?.Arn ?? k.KeyArn ?? k.KeyId,
          aliases: names,
          ...(meta?.Description ? { description: meta.Description } : {}),
          enabled: true,
          region: ctx.region ?? '',
        });
      }
      if (!r.Truncated || !r.NextMarker) break;
      marker = r.NextMarker;
    }
    return out.sort((a, b) => (a.aliases[0] ?? '\uffff' + a.arn).localeCompare(b.aliases[0] ?? '\uffff' + b.arn));
  } catch (e) {
    throw fromKmsError(e, { ...ctx, operation: 'ListKeys' });
  } finally {
    client.destroy();
  }
}

/** The alias rule lives in the pure ./alias-rules.ts (re-exported: the contract and renderer use it too). */
export { isValidAlias };

/**
 * A new symmetric ENCRYPT_DECRYPT key with `alias`. If the alias cannot be made (taken, denied)
 * the new key is left in place and the error names its ARN in `detail.keyId`, so it can be found.
 */
export async function createKey(opts: AwsClientOptions & { alias: string; description?: string | undefined; signal?: AbortSignal | undefined }): Promise<{ arn: string; alias: string }> {
  if (!isValidAlias(opts.alias)) {
    throw badRequest('bad-alias', 'a key alias is alias/ followed by letters, digits, /, _ or - (not alias/aws/)', { alias: opts.alias });
  }
  const { client, ctx } = await createKmsClient(opts);
  const send = { abortSignal: opts.signal };
  let arn: string | undefined;
  try {
    throwIfAborted(opts.signal);
    const created = await client.send(
      new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Description: opts.description ?? 'Cachet vault key' }),
      send,
    );
    arn = created.KeyMetadata?.Arn;
    if (!arn) throw new CachetError('kms-error', 'KMS CreateKey returned no key ARN', { region: ctx.region });
    await client.send(new CreateAliasCommand({ AliasName: opts.alias, TargetKeyId: arn }), send);
    return { arn, alias: opts.alias };
  } catch (e) {
    const err = fromKmsError(e, { ...ctx, keyId: arn, operation: arn ? 'CreateAlias' : 'CreateKey' });
    if (arn && err.code === 'kms-error' && err.detail.awsCode === 'AlreadyExistsException') {
      throw new CachetError('exists', `the alias ${opts.alias} is already in use`, { ...err.detail, alias: opts.alias }, { cause: err });
    }
    throw err;
  } finally {
    client.destroy();
  }
}

/** The account and principal the credentials belong to (STS GetCallerIdentity). */
export async function whoAmI(opts: AwsClientOptions & { signal?: AbortSignal | undefined } = {}): Promise<{ account: string; arn: string; userId: string }> {
  const r = await resolveAwsClient(opts, 'STS');
  const sts = recordCalledEndpoint(new STSClient(r.config as STSClientConfig));
  try {
    throwIfAborted(opts.signal);
    const out = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: opts.signal });
    return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
  } catch (e) {
    throw fromKmsError(e, { profile: r.profile, region: r.region, endpoint: r.endpoint, operation: 'GetCallerIdentity' });
  } finally {
    sts.destroy();
  }
}
