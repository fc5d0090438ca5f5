// The first screen when no vault is open: unlock the vault that was locked, open a vault, pick a
// recent one, or create a new one (the form is passed in as `createForm`). Props only.

import type { ReactNode } from 'react';
import type { AppStateT } from '../../contract/ipc.js';
import type { ErrorLike } from '../errors/messages.js';
import { isS3Location } from '../../app/vault/s3-location.js';
import { ErrorNotice } from './ErrorNotice.js';

export interface WelcomeScreenProps {
  readonly recent: AppStateT['recentVaults'];
  readonly lockedVault: AppStateT['lockedVault'];
  /** Why it was locked, when this session saw it happen. */
  readonly lockReason?: 'user' | 'idle' | 'system' | 'quit' | null;
  readonly busy: boolean;
  readonly error: ErrorLike | null;
  readonly onDismissError: () => void;
  readonly onOpen: () => void;
  readonly onOpenPath: (path: string) => void;
  /** Open a vault kept in Amazon S3 (the S3 dialog). */
  readonly onOpenS3: () => void;
  readonly onForget: (path: string) => void;
  readonly createForm: ReactNode;
  /** The AWS profile vaults with KMS keys open with, and a way to change it. */
  readonly awsProfile: string | null;
  readonly onAwsProfile: () => void;
  /** Shown above everything when opening needs the local key unlocked first. */
  readonly unlockForm?: ReactNode;
}

export function WelcomeScreen(p: WelcomeScreenProps) {
  return (
    <main className="welcome" aria-labelledby="welcome-title">
      <header className="welcome-header">
        <h1 id="welcome-title">
          <span className="brand-mark" aria-hidden="true" />
          Cachet
        </h1>
        <p className="muted">Files sealed with envelope encryption, under your AWS KMS keys or a local key.</p>
      </header>
      {p.error && <ErrorNotice error={p.error} onDismiss={p.onDismissError} />}
      {p.unlockForm}
      <div className="welcome-grid">
        <section className="card" aria-labelledby="open-title">
          <h2 id="open-title">Open a vault</h2>
          {p.lockedVault && (
            <div className="locked-vault">
              <p>
                <strong>{p.lockedVault.name}</strong> is locked.
                {p.lockReason === 'idle' && ' It locked itself after being idle.'}
                {p.lockReason === 'system' && ' It locked when the computer went to sleep or was locked.'}
              </p>
              <button type="button" className="button button-primary" disabled={p.busy} onClick={() => p.onOpenPath(p.lockedVault!.path)}>
                Unlock {p.lockedVault.name}
              </button>
            </div>
          )}
          <button type="button" className={`button ${p.lockedVault ? '' : 'button-primary'}`} onClick={p.onOpen} disabled={p.busy}>
            Open a vault folder…
          </button>
          <button type="button" className="button" onClick={p.onOpenS3} disabled={p.busy}>
            Open an S3 vault…
          </button>
          <p className="aws-line muted">
            Vaults with AWS KMS keys open with the AWS profile <strong>{p.awsProfile ?? '(none chosen)'}</strong>.{' '}
            <button type="button" className="link-button" onClick={p.onAwsProfile}>
              Change…
            </button>
          </p>
          <h3 className="subhead">Recent vaults</h3>
          {p.recent.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <ul className="recent-list" aria-label="Recent vaults">
              {p.recent.map((r) => (
                <li key={r.path} className="recent">
                  <button type="button" className="recent-open" disabled={p.busy} onClick={() => p.onOpenPath(r.path)}>
                    <span className="recent-name">
                      {r.name}
                      {isS3Location(r.path) && <span className="badge recent-badge">S3</span>}
                    </span>
                    <span className="recent-path muted">{r.path}</span>
                  </button>
                  <button type="button" className="icon-button" aria-label={`Forget ${r.name}`} onClick={() => p.onForget(r.path)}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="create-title">
          <h2 id="create-title">Create a new vault</h2>
          {p.createForm}
        </section>
      </div>
    </main>
  );
}
