// The S3 dialog (issue 13) as rendered markup and its two pure rules: the path bar's steps and
// where a new vault named under the current prefix would be. What the person can do depends on
// what is at the location: open only where a vault is; create only in an empty prefix or a new
// one, never where a vault already is; a profile that may not list buckets is told to type one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { newVaultLocation, s3Crumbs, S3VaultDialog, type S3VaultDialogProps } from '../../renderer/components/S3VaultDialog.js';

// The classic JSX transform tsx uses for renderer/ files needs a global React (as components.test.tsx).
(globalThis as unknown as { React?: typeof React }).React = React;
const noop = () => {};
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');
const base: S3VaultDialogProps = { purpose: 'open', profile: 'team', buckets: { names: ['team-vaults', 'logs'], truncated: false }, bucketsError: null, level: null, loading: false, error: null, onBrowse: noop, onChoose: noop, onClose: noop };
const level = (over: Partial<NonNullable<S3VaultDialogProps['level']>>) => ({ location: 's3://team-vaults/team', isVault: false, empty: false, children: [], truncated: false, ...over });
const button = (html: string, label: RegExp): string => {
  const m = [...html.matchAll(/<button([^>]*)>([\s\S]*?)<\/button>/g)].find((b) => label.test(text(b[2]!)));
  assert.ok(m, `a button ${label}`);
  return m[1]!;
};

test('the path bar: the bucket, then each prefix segment with its own location', () => {
  assert.deepEqual(s3Crumbs('s3://bk1/team/finance'), [
    { name: 'bk1', location: 's3://bk1' },
    { name: 'team', location: 's3://bk1/team' },
    { name: 'finance', location: 's3://bk1/team/finance' },
  ]);
  assert.deepEqual(s3Crumbs('s3://bk1'), [{ name: 'bk1', location: 's3://bk1' }]);
});

test('a new vault prefix: under the current one, by the location rule; nothing else', () => {
  assert.equal(newVaultLocation('s3://bk1/team', 'finance'), 's3://bk1/team/finance');
  assert.equal(newVaultLocation('s3://bk1', ' q4/hr '), 's3://bk1/q4/hr');
  for (const bad of ['', ' ', '/x', 'x/', '..', 'a/../b', 'a\u0001b', 'a//b']) assert.equal(newVaultLocation('s3://bk1/team', bad), null, JSON.stringify(bad));
});

test('open: only where a vault is; children that hold one are marked, an unreadable one says so', () => {
  const children = [
    { name: 'finance', location: 's3://team-vaults/team/finance', isVault: true },
    { name: 'misc', location: 's3://team-vaults/team/misc', isVault: false },
    { name: 'hr', location: 's3://team-vaults/team/hr', isVault: null },
  ];
  const here = renderToStaticMarkup(<S3VaultDialog {...base} level={level({ children })} />);
  assert.match(text(here), /Open an S3 vault/);
  assert.match(text(here), /profile team/);
  assert.match(text(here), /No vault here\./);
  assert.match(text(here), /finance\/ Vault/);
  assert.doesNotMatch(text(here), /misc\/ Vault/);
  assert.match(text(here), /hr\/ \(cannot tell\)/);
  assert.match(button(here, /Open this vault/), /disabled/);
  const vault = renderToStaticMarkup(<S3VaultDialog {...base} level={level({ location: 's3://team-vaults/team/finance', isVault: true })} />);
  assert.match(text(vault), /A vault is here\./);
  assert.doesNotMatch(button(vault, /Open this vault/), /disabled/);
  assert.match(vault, /aria-current="location"[^>]*>finance</);
});

test('create: in an empty prefix, or a new one; never where a vault is', () => {
  const c = { ...base, purpose: 'create' as const };
  const empty = renderToStaticMarkup(<S3VaultDialog {...c} level={level({ empty: true })} />);
  assert.match(text(empty), /Create it at s3:\/\/team-vaults\/team/);
  assert.doesNotMatch(button(empty, /Create it at/), /disabled/);
  const full = renderToStaticMarkup(<S3VaultDialog {...c} level={level({ children: [{ name: 'x', location: 's3://team-vaults/team/x', isVault: false }] })} />);
  assert.match(button(full, /Choose an empty prefix or name a new one/), /disabled/);
  assert.match(text(full), /New prefix for the vault/);
  const vault = renderToStaticMarkup(<S3VaultDialog {...c} level={level({ isVault: true })} />);
  assert.match(button(vault, /A vault is already here/), /disabled/);
  assert.doesNotMatch(text(vault), /New prefix/);
});

test('a profile that may not list buckets is told to type the bucket; other failures show as errors', () => {
  const denied = renderToStaticMarkup(<S3VaultDialog {...base} buckets={null} bucketsError={{ code: 's3-access-denied', detail: { action: 's3:ListAllMyBuckets' } }} />);
  assert.match(text(denied), /may not list buckets \(s3:ListAllMyBuckets\)\. Type the bucket/);
  assert.doesNotMatch(denied, /role="alert"/);
  assert.doesNotMatch(denied, /Choose a bucket/);
  const other = renderToStaticMarkup(<S3VaultDialog {...base} buckets={null} bucketsError={{ code: 'credentials-expired', detail: {} }} />);
  assert.match(other, /role="alert"[^>]*data-code="credentials-expired"/);
  const list = renderToStaticMarkup(<S3VaultDialog {...base} />);
  assert.match(text(list), /Choose a bucket… team-vaults logs/);
});
