// AWS set-up: the profile picker (name, region, kind), the signed-in identity, the usable KMS
// keys by alias with checkboxes (a vault may use several), and "create a key". Errors show as
// title + hint (expired SSO says which `aws sso login` to run). Props only.

import { useState, type FormEvent } from 'react';
import type { Res } from '../../contract/ipc.js';
import { ALIAS_NAME_PATTERN, ALIAS_PREFIX, RESERVED_ALIAS_NAME_PREFIX } from '../../app/keys/alias-rules.js';
import type { ErrorLike } from '../errors/messages.js';
import { ErrorNotice } from './ErrorNotice.js';

export type AwsProfileT = Res<'aws:profiles'>['profiles'][number];
export type KmsKeyT = Res<'aws:create-key'>;
export interface AwsIdentity {
  readonly account: string;
  readonly arn: string;
}

export type Loadable<T> = { readonly state: 'idle' } | { readonly state: 'loading' } | { readonly state: 'ready'; readonly value: T } | { readonly state: 'error'; readonly error: ErrorLike };

export interface AwsPanelProps {
  readonly profiles: Loadable<readonly AwsProfileT[]>;
  readonly profile: string | null;
  readonly region: string | null;
  readonly identity: Loadable<AwsIdentity>;
  readonly keys: Loadable<readonly KmsKeyT[]>;
  readonly selectedKeys: readonly string[];
  readonly creating: boolean;
  readonly createError: ErrorLike | null;
  readonly onSelectProfile: (name: string, region: string | null) => void;
  readonly onRegion: (region: string) => void;
  readonly onToggleKey: (arn: string) => void;
  readonly onCreateKey: (alias: string) => void;
  readonly onRefresh: () => void;
  /** false: only the profile and identity (switching profile); default true. */
  readonly showKeys?: boolean;
}

const KIND_LABEL: Record<AwsProfileT['kind'], string> = {
  sso: 'SSO',
  'assume-role': 'assume role',
  'credential-process': 'credential process',
  static: 'access key',
  other: 'other',
};

export function keyTitle(k: KmsKeyT): string {
  const alias = k.aliases[0];
  return alias ? alias.replace(/^alias\//, '') : k.keyId;
}

export function aliasProblem(alias: string): string | undefined {
  if (alias === '') return 'Enter an alias.';
  if (alias.startsWith(ALIAS_PREFIX)) return `Leave out the "${ALIAS_PREFIX}" prefix.`;
  if (alias.startsWith(RESERVED_ALIAS_NAME_PREFIX)) return `Aliases starting with "${RESERVED_ALIAS_NAME_PREFIX}" are reserved by AWS.`;
  if (!ALIAS_NAME_PATTERN.test(alias)) return 'Use letters, digits, /, _ and - only.';
  return undefined;
}

export function AwsPanel(p: AwsPanelProps) {
  const [alias, setAlias] = useState('');
  const [tried, setTried] = useState(false);
  const problem = aliasProblem(alias);
  const profiles = p.profiles.state === 'ready' ? p.profiles.value : [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (problem) return;
    p.onCreateKey(alias);
    setAlias('');
    setTried(false);
  };

  return (
    <div className="aws-panel">
      <div className="aws-row">
        <label className="field">
          <span className="field-label">AWS profile</span>
          <select
            className="input"
            value={p.profile ?? ''}
            onChange={(e) => {
              const prof = profiles.find((x) => x.name === e.target.value);
              if (prof) p.onSelectProfile(prof.name, prof.region);
            }}
            disabled={p.profiles.state !== 'ready'}
          >
            <option value="" disabled>
              {p.profiles.state === 'loading' ? 'Loading profiles…' : profiles.length === 0 ? 'No profiles found' : 'Choose a profile'}
            </option>
            {profiles.map((x) => (
              <option key={x.name} value={x.name}>
                {x.name} — {x.region ?? 'no region'} ({KIND_LABEL[x.kind]})
              </option>
            ))}
          </select>
        </label>
        <label className="field field-narrow">
          <span className="field-label">Region</span>
          <input
            className="input"
            value={p.region ?? ''}
            placeholder="us-east-1"
            onChange={(e) => p.onRegion(e.target.value)}
          />
        </label>
        <button type="button" className="button aws-refresh" onClick={p.onRefresh} disabled={p.profile === null}>
          Refresh
        </button>
      </div>
      {p.profiles.state === 'error' && <ErrorNotice error={p.profiles.error} compact />}
      {p.profiles.state === 'ready' && profiles.length === 0 && (
        <p className="muted">No profiles in ~/.aws/config or ~/.aws/credentials. Run “aws configure” or “aws configure sso”, then Refresh.</p>
      )}

      <div className="aws-identity" aria-live="polite">
        {p.identity.state === 'loading' && <span className="muted">Checking who you are signed in as…</span>}
        {p.identity.state === 'ready' && (
          <span className="ok-line" data-testid="aws-identity">
            <span aria-hidden="true">✓</span> Signed in as <code>{p.identity.value.arn}</code> (account {p.identity.value.account})
          </span>
        )}
        {p.identity.state === 'error' && <ErrorNotice error={p.identity.error} compact onRetry={p.onRefresh} />}
      </div>

      {p.profile !== null && p.showKeys !== false && (
        <fieldset className="key-list" aria-busy={p.keys.state === 'loading'}>
          <legend className="field-label">KMS keys to seal with</legend>
          {p.keys.state === 'loading' && <p className="muted">Loading keys…</p>}
          {p.keys.state === 'error' && <ErrorNotice error={p.keys.error} compact />}
          {p.keys.state === 'ready' && p.keys.value.length === 0 && <p className="muted">No usable keys in this account and region. Create one below.</p>}
          {p.keys.state === 'ready' &&
            p.keys.value.map((k) => (
              <label key={k.arn} className="checkbox key-option">
                <input type="checkbox" checked={p.selectedKeys.includes(k.arn)} onChange={() => p.onToggleKey(k.arn)} />
                <span className="key-alias">{keyTitle(k)}</span>
                <span className="key-arn muted" title={k.arn}>
                  {k.description || k.keyId}
                </span>
              </label>
            ))}
        </fieldset>
      )}

      {p.profile !== null && p.showKeys !== false && (
        <form className="create-key" onSubmit={submit} aria-label="Create a KMS key">
          <label className="field">
            <span className="field-label">New key alias</span>
            <span className="input-prefix">
              <span className="muted" aria-hidden="true">
                alias/
              </span>
              <input className="input" value={alias} onChange={(e) => setAlias(e.target.value)} placeholder="cachet-vault" aria-invalid={tried && problem !== undefined} />
            </span>
          </label>
          <button type="submit" className="button" disabled={p.creating}>
            {p.creating ? 'Creating…' : 'Create key'}
          </button>
          {tried && problem && (
            <p className="field-error" role="alert">
              {problem}
            </p>
          )}
          {p.createError && <ErrorNotice error={p.createError} compact />}
        </form>
      )}
    </div>
  );
}
