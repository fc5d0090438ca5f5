// Checks the shared AWS config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE,
// default ~/.aws/config and ~/.aws/credentials) once, before the SDK's INI parser reads them, and
// refuses what that parser reads differently from the AWS CLI (botocore, Python configparser),
// naming the file and the line. Where the two disagree the SDK would pick another identity or
// region without a word, so a refusal is the only safe answer:
// - a section header without its `]` (`[profile dev` after `[profile prod]`): the SDK folds dev's
//   keys into prod; the CLI refuses the file;
// - a line that is neither `key = value`, a comment, nor a continuation; a key before any section;
//   a section or a key given twice (configparser is strict; the SDK merges or keeps the last);
// - an inline `;` or `#` after whitespace: the SDK cuts the value there, the CLI keeps it
//   (`credential_process = tool --sep ; x` would lose arguments);
// - a key with capitals (`Region =`): the CLI lower-cases keys, the SDK does not;
// - section names the SDK cannot read as the CLI does: quoted names with spaces
//   (`[sso-session 'My Corp']`, `[profile "a b"]`), two spaces (`[profile  x]`), a credentials
//   section with a space (`[cred space]`), and `[profile default]` beside `[default]` (the CLI
//   takes the later one, the SDK always `[profile default]`).
// A missing file is fine (the SDK treats it as empty). It does not parse values or resolve
// profiles (aws-config.ts does, with the SDK's own loaders), and never copies a value out: errors
// name a file, a line number and a key name only.

import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CachetError } from '../errors.js';

/** Why a shared file was refused (detail.reason of `aws-config-invalid`). */
export type SharedFileProblem =
  | 'unclosed-section'
  | 'not-key-value'
  | 'key-before-section'
  | 'duplicate-section'
  | 'duplicate-key'
  | 'inline-comment'
  | 'key-case'
  | 'section-name'
  | 'default-twice';

// The SDK's own pattern for `<kind> <name>` sections (@smithy/core config parseIni prefixKeyRegex).
const PREFIXED_RE = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/;
const CONFIG_KINDS: ReadonlySet<string> = new Set(['profile', 'sso-session', 'services']);

/** The two files' paths, as the SDK finds them (with `~/` expanded). */
export function sharedFilePaths(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  const home = env.HOME || env.USERPROFILE || homedir();
  const expand = (p: string) => (p.startsWith('~/') ? join(home, p.slice(2)) : p);
  return {
    config: expand(env.AWS_CONFIG_FILE || join(home, '.aws', 'config')),
    credentials: expand(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials')),
  };
}

function refuse(path: string, line: number, reason: SharedFileProblem, what: string, extra: Record<string, string> = {}): never {
  throw new CachetError('aws-config-invalid', `${path} line ${line}: ${what}`, { path, line, reason, ...extra });
}

/** The problems of one file's text, the first one thrown. `kind` decides which sections are legal. */
export function checkSharedFileText(text: string, kind: 'config' | 'credentials', path: string): void {
  const sections = new Map<string, number>();
  let keys: Set<string> | undefined;
  let defaultSeen: 'default' | 'profile default' | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) refuse(path, n, 'unclosed-section', 'a section header without its closing ]');
      const name = line.slice(1, -1);
      checkSectionName(name, kind, path, n);
      const key = sectionKey(name);
      if (sections.has(key)) refuse(path, n, 'duplicate-section', `section [${name}] appears twice (first at line ${sections.get(key)})`);
      sections.set(key, n);
      if (kind === 'config' && (name === 'default' || key === 'profile default')) {
        const form = name === 'default' ? 'default' : 'profile default';
        if (defaultSeen !== undefined && defaultSeen !== form) {
          refuse(path, n, 'default-twice', 'both [default] and [profile default]: the AWS CLI and the SDK would read different ones; keep one');
        }
        defaultSeen = form;
      }
      keys = new Set();
      continue;
    }
    // configparser: an indented line continues the previous value (the SDK: a sub-section key).
    const continuation = /^\s/.test(raw) && keys !== undefined && keys.size > 0;
    const eq = line.indexOf('=');
    if (keys === undefined) refuse(path, n, 'key-before-section', 'a line before the first [section]');
    if (eq <= 0) {
      if (continuation) continue;
      refuse(path, n, 'not-key-value', 'a line that is not "key = value" (a missing = or a broken section header?)');
    }
    const name = line.slice(0, eq).trim();
    const value = line.slice(eq + 1);
    if (/\s[;#]/.test(value)) {
      refuse(path, n, 'inline-comment', `the value of ${name} has " ;" or " #" in it: the AWS CLI keeps that text, the AWS SDK drops it as a comment; move the comment to its own line`, { key: name });
    }
    if (name !== name.toLowerCase()) refuse(path, n, 'key-case', `the key ${name} has capitals: write it in lower case (${name.toLowerCase()})`, { key: name });
    if (continuation) continue; // a sub-section's keys (`kms =` then `  endpoint_url = ...`)
    if (keys.has(name)) refuse(path, n, 'duplicate-key', `the key ${name} appears twice in one section`, { key: name });
    keys.add(name);
  }
}

/** One identity per section for the duplicate check: `profile "x"` and `profile x` are one. */
function sectionKey(name: string): string {
  const m = PREFIXED_RE.exec(name);
  return m ? `${m[1]} ${m[3]}` : name;
}

function checkSectionName(name: string, kind: 'config' | 'credentials', path: string, line: number): void {
  if (name.trim() === '') refuse(path, line, 'section-name', 'an empty section name');
  if (kind === 'credentials') {
    // The CLI names a credentials profile by the whole header; the SDK splits "a b" into a kind
    // and a name and then drops the section.
    if (/\s/.test(name)) refuse(path, line, 'section-name', `the credentials section [${name}] has a space in its name: the AWS SDK cannot read it; rename it`);
    return;
  }
  const first = name.split(/\s/, 1)[0]!;
  if (!CONFIG_KINDS.has(first)) return; // neither the CLI nor the SDK reads other sections
  if (!PREFIXED_RE.test(name)) {
    refuse(path, line, 'section-name', `the section [${name}]: the AWS SDK reads only "${first} NAME" with one space and a name of letters, digits and - _ @ + . % : / (no spaces, even quoted); rename it, and every reference to it`);
  }
}

// Checked once per file content: the key is path, size and mtime, so an edited file is checked again.
const checked = new Map<string, string>();

async function checkOne(path: string, kind: 'config' | 'credentials'): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return; // no file: the SDK reads it as empty
  }
  const stamp = `${st.size}:${st.mtimeMs}`;
  if (checked.get(path) === stamp) return;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return; // unreadable: the SDK swallows it the same way
  }
  checkSharedFileText(text, kind, path);
  checked.set(path, stamp);
}

/**
 * Refuses shared files the SDK would read differently from the AWS CLI (see the module comment)
 * with `aws-config-invalid` naming the file and the line. Cheap when nothing changed.
 */
export async function checkSharedFiles(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const p = sharedFilePaths(env);
  await checkOne(p.config, 'config');
  await checkOne(p.credentials, 'credentials');
}
