// AWS in the main process: the chosen profile and region (kept in settings), and every AWS call
// the UI asks for (profiles, STS identity, usable KMS keys, create key), plus the KMS key provider
// for the keyring. Credentials stay here: the SDK resolves them from ~/.aws (SSO, assume-role,
// credential_process) in main; nothing but names, ARNs and account ids goes to the renderer.
// It does not talk to the SDK directly: an AwsBackend (core-adapters.ts) wraps app/keys.

import type { KeyProvider } from '../../app/keys/provider.js';

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
  createKey(t: AwsTarget, alias: string, description: string | undefined): Promise<KmsKeyInfo>;
  provider(t: AwsTarget): KeyProvider;
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
  createKey(alias: string, description?: string): Promise<KmsKeyInfo> {
    return this.#backend.createKey(this.#target, alias, description);
  }
  /** The KMS provider for the selected profile (made on first use, dropped on select/reset). */
  provider(): KeyProvider {
    this.#provider ??= this.#backend.provider(this.#target);
    return this.#provider;
  }
  /** Forget the cached provider (lock). */
  reset(): void {
    this.#provider = undefined;
  }
}
