// The vault view's top bar: vault name and keys, and the vault-wide actions. Props only.

import type { VaultSummaryT } from '../../contract/ipc.js';
import { shortKeyLabel } from '../features/browse/browse-logic.js';

export interface VaultToolbarProps {
  readonly vault: VaultSummaryT;
  readonly itemCount: number | null;
  readonly busy: boolean;
  readonly keyLabel: (keyId: string) => string | undefined;
  readonly onAddFiles: () => void;
  readonly onAddFolder: () => void;
  readonly onExportFolder: () => void;
  readonly onVerify: () => void;
  readonly onRekey: () => void;
  readonly onSettings: () => void;
  readonly onStatus: () => void;
  /** Shown when the vault uses AWS keys. */
  readonly onAwsProfile?: (() => void) | undefined;
  readonly awsProfile?: string | null;
  readonly onLock: () => void;
}

export function VaultToolbar(p: VaultToolbarProps) {
  return (
    <header className="toolbar">
      <div className="toolbar-title">
        <span className="brand-mark" aria-hidden="true" />
        <div>
          <h1 className="vault-name" title={p.vault.path}>
            {p.vault.name}
          </h1>
          <p className="vault-meta muted">
            <span className="vault-meta-text">
              {p.itemCount === null ? 'Loading…' : `${p.itemCount.toLocaleString()} ${p.itemCount === 1 ? 'item' : 'items'}`} · sealed with{' '}
              {p.vault.keys.map((k) => (k.provider === 'local' ? 'Local key' : (p.keyLabel(k.keyId) ?? shortKeyLabel(k.keyId)))).join(', ')}
            </span>
            <span aria-hidden="true">·</span>
            {/* Outside the text that is cut short in a narrow window, so it always shows. */}
            <button type="button" className="link-button" onClick={p.onStatus}>
              Status
            </button>
          </p>
        </div>
      </div>
      <div className="toolbar-actions" role="toolbar" aria-label="Vault actions">
        <button type="button" className="button button-primary" onClick={p.onAddFiles} disabled={p.busy}>
          Add files
        </button>
        <button type="button" className="button" onClick={p.onAddFolder} disabled={p.busy}>
          Add folder
        </button>
        <button type="button" className="button" onClick={p.onExportFolder} disabled={p.busy || p.itemCount === 0}>
          Export…
        </button>
        <button type="button" className="button" onClick={p.onVerify} disabled={p.busy}>
          Verify
        </button>
        <button type="button" className="button" onClick={p.onRekey} disabled={p.busy}>
          Re-key
        </button>
        {p.onAwsProfile && (
          <button type="button" className="button" onClick={p.onAwsProfile} title={`AWS profile: ${p.awsProfile ?? 'choose one'}`}>
            AWS profile: <span className="aws-profile-name">{p.awsProfile ?? 'choose one'}</span>
          </button>
        )}
        <button type="button" className="button" onClick={p.onSettings}>
          Settings
        </button>
        <button type="button" className="button button-lock" onClick={p.onLock}>
          Lock now
        </button>
      </div>
    </header>
  );
}
