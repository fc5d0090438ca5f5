// The backends of the key and vault services, built on the core (app/): the local key file
// (app/keys/local.ts), AWS profiles/keys/identity and the KMS provider (app/keys/aws-config.ts,
// aws-kms.ts, kms-alias.ts) and the vault (app/vault/vault.ts). Each adapter maps the core's shapes
// onto the narrow interface a service takes (LocalKeyBackend, AwsBackend, VaultBackend), so tests
// can hand a service a fake. Other main modules still import the core directly (errors, path rules,
// the Vault type, atomic writes): this file is where those services' backends are, not the only
// place main meets app/.
// It adds no behaviour of its own beyond naming defaults (alias prefix, region fallbacks).

import type { AwsBackend, AwsTarget, KmsKeyInfo } from '../aws/aws-service.js';
import { AwsKmsProvider } from '../../app/keys/aws-kms.js';
import { createKey, listKeys, listProfiles, whoAmI, type AwsClientOptions } from '../../app/keys/aws-config.js';
import { aliasTarget, scheduleKeyDeletion } from '../../app/keys/kms-alias.js';
import { checkKeyHealth } from '../../app/keys/key-health.js';
import { historyRegion, lookupAccessHistory } from '../../app/keys/access-history.js';
import { createLocalKeyFile, readLocalKeyFileInfo, unlockLocalKeyFile } from '../../app/keys/local.js';
import type { LocalKeyBackend } from './local-key.js';
import type { VaultBackend } from './vault-backend.js';
import { knownVaultsFile } from '../../app/vault/known-vaults.js';
import { Vault } from '../../app/vault/vault.js';

export function localKeyBackend(opts: { scryptN?: number } = {}): LocalKeyBackend {
  return {
    async create(file, passphrase) {
      const p = await createLocalKeyFile(file, passphrase, opts.scryptN ? { scryptN: opts.scryptN } : {});
      const keyId = p.keyId;
      p.lock();
      return { keyId };
    },
    async unlock(file, passphrase) {
      const p = await unlockLocalKeyFile(file, passphrase);
      return { keyId: p.keyId, provider: p, wipe: () => p.lock() };
    },
    async readKeyId(file) {
      return (await readLocalKeyFileInfo(file)).keyId;
    },
  };
}

export interface AwsBackendOptions {
  /** KMS endpoint override (moto in tests). */
  endpoint?: string | undefined;
  /** STS endpoint override (moto in tests). */
  stsEndpoint?: string | undefined;
  /** S3 endpoint override (moto in tests); default: the SDK's configured endpoints (AWS_ENDPOINT_URL_S3). */
  s3Endpoint?: string | undefined;
  /** CloudTrail endpoint override (the loopback CloudTrail in tests). */
  cloudtrailEndpoint?: string | undefined;
  /** Fixed credentials (tests); default: the SDK chain for the profile. */
  credentials?: AwsClientOptions['credentials'];
  /** Region when the user chose none (harnesses); default: the SDK's (profile, AWS_REGION). */
  defaultRegion?: string | undefined;
}

export function awsBackend(o: AwsBackendOptions = {}): AwsBackend {
  const client = (t: AwsTarget): AwsClientOptions => ({
    profile: t.profile ?? undefined,
    region: t.region ?? o.defaultRegion,
    endpoint: o.endpoint,
    stsEndpoint: o.stsEndpoint ?? o.endpoint,
    s3Endpoint: o.s3Endpoint,
    cloudtrailEndpoint: o.cloudtrailEndpoint,
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  const keyInfo = (k: { keyId: string; arn: string; aliases: string[]; description?: string | undefined }): KmsKeyInfo => ({
    keyId: k.keyId, arn: k.arn, aliases: [...k.aliases], description: k.description ?? '',
  });
  return {
    async listProfiles() {
      return (await listProfiles()).map((p) => ({
        name: p.name,
        region: p.region ?? null,
        kind: p.type === 'env' ? 'other' : p.type,
      }));
    },
    whoAmI: (t) => whoAmI(client(t)),
    async listKeys(t) {
      return (await listKeys(client(t))).filter((k) => k.enabled).map(keyInfo);
    },
    async createKey(t, alias, description) {
      const made = await createKey({ ...client(t), alias, description });
      const keyId = made.arn.slice(made.arn.lastIndexOf('/') + 1);
      return { keyId, arn: made.arn, aliases: [made.alias], description: description ?? '' };
    },
    aliasTarget: (t, alias) => aliasTarget(client(t), alias),
    scheduleKeyDeletion: (t, keyId) => scheduleKeyDeletion(client(t), keyId),
    provider: (t) => new AwsKmsProvider(client(t)),
    keyHealth: (t, keys, localKeyId) => checkKeyHealth(keys, { ...client(t), localKeyId }),
    accessHistory: (t, q) => {
      const c = client(t);
      const region = historyRegion(q.keys, c.region);
      return lookupAccessHistory({ ...c, ...(region ? { region } : {}), vaultId: q.vaultId, itemId: q.itemId, since: q.since, maxPages: q.maxPages });
    },
    clientOptions: client,
    // The S3 client loads on first use (as open-store.ts does): folder vaults never pay for it.
    s3Buckets: async (t) => (await import('../../app/vault/s3-browse.js')).listS3Buckets(client(t)),
    s3Browse: async (t, location) => (await import('../../app/vault/s3-browse.js')).browseS3(location, client(t)),
  };
}

/** `knownVaultsPath`: where the app remembers each vault's key set (SPEC §12); none: the MAC alone. */
export function vaultBackend(knownVaultsPath?: string): VaultBackend {
  const known = knownVaultsPath === undefined ? undefined : knownVaultsFile(knownVaultsPath);
  return {
    create: (dir, keys, keyring, aws) => Vault.create(dir, { keys: keys.map((k) => ({ provider: k.provider, keyId: k.keyId })), keyring, known, aws }),
    open: (dir, keyring, aws) => Vault.open(dir, { keyring, known, aws }),
  };
}
