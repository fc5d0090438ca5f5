// AWS in the main process: the chosen profile and region (kept in settings), and every AWS call
// the UI asks for (profiles, STS identity, usable KMS keys, create key), plus the KMS key provider
// for the keyring. Credentials stay here: the SDK resolves them from ~/.aws (SSO, assume-role,
// credential_process) in main; nothing but names, ARNs and account ids goes to the renderer.
// It does not talk to the SDK directly: an AwsBackend (core-adapters.ts) wraps app/keys.

import { CachetError, isCachetError } from '../../app/errors.js';
import type { KeyHealth } from '../../app/keys/key-condition.js';
import type { AccessHistory } from '../../app/keys/access-history.js';
import type { KeyProvider, KeyRef } from '../../app/keys/provider.js';
import type { AwsClientOptions } from '../../app/keys/aws-config.js';
import type { S3Level } from '../../app/vault/s3-browse.js';

export interface AwsTarget {
  profile: string | null;
  region: string | null;
}

export interface AwsProfileInfo {
  name: string;
  region: string | null;
  kind: 'sso' | 'assume-role' | 'credential-process' | 'static' | 'other';
}

export interface KmsKeyInfo {
  keyId: string;
  arn: string;
  aliases: string[];
  description: string;
}

export interface AwsBackend {
  listProfiles(): Promise<AwsProfileInfo[]>;
  whoAmI(t: AwsTarget): Promise<{ account: string; arn: string; userId: string }>;
  listKeys(t: AwsTarget): Promise<KmsKeyInfo[]>;
  /** `alias` is `alias/NAME`; it must not exist yet (checked first: `aliasTarget`). */
  createKey(t: AwsTarget, alias: string, description: string | undefined): Promise<KmsKeyInfo>;
  /** The key an alias (`alias/NAME`) names, or null when the alias is free. */
  aliasTarget(t: AwsTarget, alias: string): Promise<string | null>;
  /** Resolves to the days until the key is deleted. */
  scheduleKeyDeletion(t: AwsTarget, keyId: string): Promise<number>;
  provider(t: AwsTarget): KeyProvider;
  /** DescribeKey (and rotation) of each key (app/keys/key-health.ts); local keys against `localKeyId`. */
  keyHealth(t: AwsTarget, keys: readonly KeyRef[], localKeyId: string | undefined): Promise<KeyHealth[]>;
  /** Who used the vault's data keys, from CloudTrail (app/keys/access-history.ts); the vault's keys pick the Region. */
  accessHistory(t: AwsTarget, q: AccessQuery): Promise<AccessHistory>;
  /** How an S3 vault's store reaches AWS with this target (profile, region, endpoints). */
  clientOptions(t: AwsTarget): AwsClientOptions;
  /** ListBuckets (app/vault/s3-browse.ts). */
  s3Buckets(t: AwsTarget): Promise<{ buckets: string[]; truncated: boolean }>;
  /** One level of an S3 location, each prefix marked if it holds a vault (app/vault/s3-browse.ts). */
  s3Browse(t: AwsTarget, location: string): Promise<S3Level>;
}

export interface AccessQuery {
  readonly vaultId: string;
  readonly itemId?: string | undefined;
  readonly since: Date;
  readonly keys: readonly KeyRef[];
  readonly maxPages: number;
}

export class AwsService {
  readonly #backend: AwsBackend;
  #target: AwsTarget;
  #provider: KeyProvider | undefined;

  constructor(backend: AwsBackend, target: AwsTarget) {
    this.#backend = backend;
    this.#target = { ...target };
  }

  get target(): AwsTarget {
    return { ...this.#target };
  }

  select(t: AwsTarget): void {
    this.#target = { ...t };
    this.#provider = undefined;
  }

  #with(profile?: string, region?: string): AwsTarget {
    return { profile: profile ?? this.#target.profile, region: region ?? this.#target.region };
  }

  listProfiles(): Promise<AwsProfileInfo[]> {
    return this.#backend.listProfiles();
  }
  whoAmI(profile?: string, region?: string): Promise<{ account: string; arn: string; userId: string }> {
    return this.#backend.whoAmI(this.#with(profile, region));
  }
  listKeys(): Promise<KmsKeyInfo[]> {
    return this.#backend.listKeys(this.#target);
  }
  /**
   * Create a key and its alias (issue 11 defect 5). A taken alias is refused before CreateKey, so
   * no key is made for it; a key made but left without its alias (CreateAlias failed: a race, a
   * denied permission) is scheduled for deletion, and the error says so (`orphanKey`,
   * `orphanDeletionDays`), or only names the key left behind when that failed too.
   */
  async createKey(alias: string, description?: string): Promise<KmsKeyInfo> {
    const t = this.#target;
    const full = alias.startsWith('alias/') ? alias : `alias/${alias}`;
    const taken = await this.#backend.aliasTarget(t, full);
    if (taken !== null) throw new CachetError('exists', `the alias ${full} is already in use`, { alias: full, aliasTarget: taken, keyCreated: false });
    try {
      return await this.#backend.createKey(t, full, description);
    } catch (e) {
      if (!isCachetError(e) || e.detail.operation !== 'CreateAlias') throw e;
      const orphan = e.detail.keyId;
      if (typeof orphan !== 'string') throw e;
      const days = await this.#backend.scheduleKeyDeletion(t, orphan).catch(() => undefined);
      throw new CachetError(e.code, e.message, { ...e.detail, alias: full, keyCreated: true, orphanKey: orphan, orphanDeletionDays: days }, { cause: e });
    }
  }
  /** The KMS provider for the selected profile (made on first use, dropped on select/reset). */
  provider(): KeyProvider {
    this.#provider ??= this.#backend.provider(this.#target);
    return this.#provider;
  }
  keyHealth(keys: readonly KeyRef[], localKeyId: string | undefined): Promise<KeyHealth[]> {
    return this.#backend.keyHealth(this.#target, keys, localKeyId);
  }
  accessHistory(q: AccessQuery): Promise<AccessHistory> {
    return this.#backend.accessHistory(this.#target, q);
  }
  clientOptions(): AwsClientOptions {
    return this.#backend.clientOptions(this.#target);
  }
  s3Buckets(): Promise<{ buckets: string[]; truncated: boolean }> {
    return this.#backend.s3Buckets(this.#target);
  }
  s3Browse(location: string): Promise<S3Level> {
    return this.#backend.s3Browse(this.#target, location);
  }
  /** Forget the cached provider (lock). */
  reset(): void {
    this.#provider = undefined;
  }
}
