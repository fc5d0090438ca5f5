// The local key (SPEC §8): create it (kept by the OS keychain, or protected by a passphrase) or
// unlock it. Props only; passphrases live in this form's state until submitted, then are cleared.

import { useState, type FormEvent } from 'react';
import type { LocalKeyStatusT } from '../../contract/ipc.js';
import { MAX_PASSPHRASE, MIN_NEW_PASSPHRASE, newPassphraseProblem } from '../../app/keys/passphrase-rules.js';

export type LocalKeyCreate = { protection: 'safe-storage' } | { protection: 'passphrase'; passphrase: string };

export interface LocalKeyFormProps {
  readonly status: LocalKeyStatusT;
  readonly busy: boolean;
  readonly onCreate: (req: LocalKeyCreate) => void;
  readonly onUnlock: (passphrase: string | undefined) => void;
  /** Accessible name of the unlock form (two may be on screen). */
  readonly unlockLabel?: string;
}

export function passphraseProblem(pass: string, confirm: string): string | undefined {
  const problem = newPassphraseProblem(pass);
  if (problem === 'too-short') return `Use at least ${MIN_NEW_PASSPHRASE} characters.`;
  if (problem === 'too-long') return `Use at most ${MAX_PASSPHRASE} characters.`;
  if (pass !== confirm) return 'The two passphrases differ.';
  return undefined;
}

export function LocalKeyForm({ status, busy, onCreate, onUnlock, unlockLabel }: LocalKeyFormProps) {
  const [mode, setMode] = useState<'safe-storage' | 'passphrase'>(status.safeStorageAvailable ? 'safe-storage' : 'passphrase');
  const [pass, setPass] = useState('');
  const [confirm, setConfirm] = useState('');
  const [tried, setTried] = useState(false);

  if (status.exists && status.unlocked) {
    return (
      <p className="ok-line" role="status">
        <span aria-hidden="true">✓</span> The local key is unlocked and ready.
      </p>
    );
  }

  if (status.exists) {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      onUnlock(status.protection === 'safe-storage' ? undefined : pass);
      setPass('');
    };
    return (
      <form className="form" onSubmit={submit} aria-label={unlockLabel ?? 'Unlock the local key'}>
        {status.protection === 'safe-storage' ? (
          <p>The local key is kept by this computer's keychain.</p>
        ) : (
          <label className="field">
            <span className="field-label">Passphrase of the local key</span>
            <input className="input" type="password" autoComplete="current-password" value={pass} onChange={(e) => setPass(e.target.value)} autoFocus />
          </label>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy || (status.protection !== 'safe-storage' && pass === '')}>
            {busy ? 'Unlocking…' : 'Unlock local key'}
          </button>
        </div>
      </form>
    );
  }

  const problem = mode === 'passphrase' ? passphraseProblem(pass, confirm) : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (problem) return;
    onCreate(mode === 'passphrase' ? { protection: 'passphrase', passphrase: pass } : { protection: 'safe-storage' });
    setPass('');
    setConfirm('');
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Create a local key">
      <p className="muted">A key kept on this computer. No AWS account is needed. Back up the key file: without it, items sealed only with it cannot be opened.</p>
      <fieldset className="choices">
        <legend className="field-label">Protect the key with</legend>
        <label className="radio">
          <input type="radio" name="protection" checked={mode === 'safe-storage'} disabled={!status.safeStorageAvailable} onChange={() => setMode('safe-storage')} />
          This computer's keychain{status.safeStorageAvailable ? '' : ' (not available here)'}
        </label>
        <label className="radio">
          <input type="radio" name="protection" checked={mode === 'passphrase'} onChange={() => setMode('passphrase')} />
          A passphrase
        </label>
      </fieldset>
      {mode === 'passphrase' && (
        <>
          <label className="field">
            <span className="field-label">Passphrase</span>
            <input className="input" type="password" autoComplete="new-password" value={pass} onChange={(e) => setPass(e.target.value)} />
          </label>
          <label className="field">
            <span className="field-label">Repeat the passphrase</span>
            <input className="input" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          </label>
          {tried && problem && (
            <p className="field-error" role="alert">
              {problem}
            </p>
          )}
        </>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create local key'}
        </button>
      </div>
    </form>
  );
}
