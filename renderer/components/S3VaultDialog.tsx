// Choosing where an S3 vault is (issue 13): "Open an S3 vault" picks a prefix that holds one;
// "Create a vault in S3" picks an empty prefix or names a new one. The person chooses a bucket
// (or types one, when the profile may not list buckets), then walks the prefixes one level at a
// time; each is marked when it holds a vault. A location may also be typed whole. Props only:
// the data comes from use-s3-browse.ts.

import { useState, type FormEvent } from 'react';
import type { S3LevelT } from '../../contract/ipc.js';
import { formatS3Location, isValidS3Location, parseS3Location, S3_SCHEME } from '../../app/vault/s3-location.js';
import type { ErrorLike } from '../errors/messages.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';

export type S3Purpose = 'open' | 'create';

export interface S3VaultDialogProps {
  readonly purpose: S3Purpose;
  /** The AWS profile the calls are made with. */
  readonly profile: string | null;
  readonly buckets: { names: readonly string[]; truncated: boolean } | null;
  readonly bucketsError: ErrorLike | null;
  readonly level: S3LevelT | null;
  readonly loading: boolean;
  readonly error: ErrorLike | null;
  readonly onBrowse: (location: string) => void;
  /** The chosen location: a vault to open, or where to create one. */
  readonly onChoose: (location: string) => void;
  readonly onClose: () => void;
}

/** The steps from the bucket down to `location`, each with its own location (for the path bar). */
export function s3Crumbs(location: string): { name: string; location: string }[] {
  const { bucket, prefix } = parseS3Location(location);
  const out = [{ name: bucket, location: formatS3Location({ bucket, prefix: '' }) }];
  const segs = prefix === '' ? [] : prefix.split('/');
  segs.forEach((s, i) => out.push({ name: s, location: formatS3Location({ bucket, prefix: segs.slice(0, i + 1).join('/') }) }));
  return out;
}

/** Where a new vault named `name` under `level` would be, or null when that is no valid location. */
export function newVaultLocation(level: string, name: string): string | null {
  const n = name.trim();
  if (n === '' || n.startsWith('/') || n.endsWith('/')) return null;
  const loc = `${level}/${n}`;
  return isValidS3Location(loc) ? formatS3Location(parseS3Location(loc)) : null;
}

export function S3VaultDialog(p: S3VaultDialogProps) {
  const [typed, setTyped] = useState(p.level?.location ?? S3_SCHEME);
  const [newName, setNewName] = useState('');
  const lvl = p.level;
  const typedOk = isValidS3Location(typed.trim());
  const go = (e: FormEvent) => {
    e.preventDefault();
    if (typedOk) p.onBrowse(typed.trim());
  };
  const browse = (location: string) => {
    setTyped(location);
    p.onBrowse(location);
  };
  const denied = p.bucketsError?.code === 's3-access-denied';
  const target = p.purpose === 'create' && lvl ? (newName.trim() !== '' ? newVaultLocation(lvl.location, newName) : lvl.empty ? lvl.location : null) : null;
  const title = p.purpose === 'open' ? 'Open an S3 vault' : 'Create a vault in S3';
  return (
    <Dialog title={title} onClose={p.onClose} className="dialog-wide s3-dialog">
      <p className="muted">
        With the AWS profile <strong>{p.profile ?? '(default)'}</strong>. Everyone the bucket policy and the KMS key policy let in can open the vault.
      </p>
      {p.buckets && p.buckets.names.length > 0 && (
        <label className="field field-inline">
          <span className="field-label">Bucket</span>
          <select
            className="input"
            value={lvl ? parseS3Location(lvl.location).bucket : ''}
            onChange={(e) => e.target.value && browse(formatS3Location({ bucket: e.target.value, prefix: '' }))}
          >
            <option value="">Choose a bucket…</option>
            {p.buckets.names.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
      )}
      {p.buckets && p.buckets.names.length === 0 && <p className="muted">This profile sees no buckets. Type a location below.</p>}
      {denied && <p className="muted">This profile may not list buckets (s3:ListAllMyBuckets). Type the bucket, and a prefix if you know it, below.</p>}
      {p.bucketsError && !denied && <ErrorNotice error={p.bucketsError} compact />}
      <form className="s3-go" onSubmit={go}>
        <label className="field field-grow">
          <span className="field-label">Location</span>
          <input
            className="input"
            value={typed}
            spellCheck={false}
            aria-invalid={typed !== S3_SCHEME && !typedOk}
            placeholder="s3://bucket/prefix"
            onChange={(e) => setTyped(e.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={!typedOk}>
          Go
        </button>
      </form>
      {p.error && <ErrorNotice error={p.error} compact />}
      {lvl && (
        <section aria-label="Prefixes" aria-busy={p.loading} className="s3-level">
          <nav aria-label="Where" className="breadcrumbs">
            {s3Crumbs(lvl.location).map((c, i, all) => (
              <span key={c.location}>
                {i > 0 && <span aria-hidden="true"> / </span>}
                {i === all.length - 1 ? (
                  <strong aria-current="location">{c.name}</strong>
                ) : (
                  <button type="button" className="link-button" onClick={() => browse(c.location)}>
                    {c.name}
                  </button>
                )}
              </span>
            ))}
          </nav>
          <p className="s3-here" role="status">
            {p.loading ? 'Reading…' : lvl.isVault ? 'A vault is here.' : lvl.empty ? 'Nothing is here yet.' : 'No vault here.'}
          </p>
          {lvl.children.length > 0 && (
            <ul className="s3-children" aria-label="Prefixes here">
              {lvl.children.map((c) => (
                <li key={c.location}>
                  <button type="button" className="s3-child" onClick={() => browse(c.location)}>
                    <span className="s3-child-name">{c.name}/</span>
                    {c.isVault === true && <span className="badge">Vault</span>}
                    {c.isVault === null && <span className="muted">(cannot tell)</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {lvl.truncated && <p className="muted">Only the first {lvl.children.length} prefixes are shown: type a longer location to go further.</p>}
        </section>
      )}
      {p.purpose === 'create' && lvl && !lvl.isVault && (
        <label className="field">
          <span className="field-label">New prefix for the vault (optional)</span>
          <input className="input" value={newName} spellCheck={false} placeholder="e.g. finance" onChange={(e) => setNewName(e.target.value)} aria-invalid={newName.trim() !== '' && target === null} />
        </label>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={p.onClose}>
          Cancel
        </button>
        {p.purpose === 'open' ? (
          <button type="button" className="button button-primary" disabled={!lvl || !lvl.isVault || p.loading} onClick={() => lvl && p.onChoose(lvl.location)}>
            Open this vault
          </button>
        ) : (
          <button type="button" className="button button-primary" disabled={target === null || p.loading} onClick={() => target && p.onChoose(target)}>
            {target ? `Create it at ${target}` : lvl?.isVault ? 'A vault is already here' : 'Choose an empty prefix or name a new one'}
          </button>
        )}
      </div>
    </Dialog>
  );
}
