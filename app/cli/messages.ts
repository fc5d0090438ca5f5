// Error code -> words: a short title (the "why" of a failure line) and a hint (what to do).
// This is the only place in app/ that turns a CachetError into human text; the core keeps codes
// and facts (`detail`). It never prints key material: it reads only the detail fields named
// below, which the core fills with ids, paths and names, never secrets.

import { badRequestReason, CachetError, ERROR_CODES, type BadRequestReason, type ErrorCode, type ErrorDetail } from '../errors.js';
import { printable } from './terminal-text.js';

export interface Message {
  readonly title: string;
  readonly hint: string;
}

type Describe = (d: ErrorDetail, message: string) => Message;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
/** ` <value>` when the detail has it, else ''. */
const sp = (v: unknown, prefix = ' '): string => (str(v) ? `${prefix}${str(v)}` : '');
const keyOf = (d: ErrorDetail): string | undefined => str(d.keyId) ?? str(d.key) ?? str(d.keyArn);
/** The IAM permission(s) a denied KMS (or STS) operation needs. */
const permissionFor = (op: string): string =>
  op === 'ReEncrypt' ? 'kms:ReEncryptFrom and kms:ReEncryptTo' : op === 'GetCallerIdentity' ? 'sts:GetCallerIdentity' : `kms:${op}`;
const profileOf = (d: ErrorDetail): string => str(d.profile) ?? 'default';
const loginHint = (d: ErrorDetail): string =>
  str(d.profile) ? `aws sso login --profile ${str(d.profile)}` : 'aws sso login --profile <profile>';

/**
 * A refusal with nothing more to say than its message. Not "check the command line": that hint
 * belongs to usage errors (exit 2, printed by main.ts), and these reach the CLI (exit 1) from
 * preconditions of the core or the app, not from a mistyped command.
 */
const refusal: Describe = (_d, m) => ({ title: m || 'invalid request', hint: 'Cachet refused this request; CACHET_DEBUG=1 shows where the refusal came from' });
/** The message as the title, with a hint of its own. */
const hinted = (hint: string | ((d: ErrorDetail) => string)): Describe => (d, m) => ({ title: m || 'invalid request', hint: typeof hint === 'string' ? hint : hint(d) });
const badPath = (title: (d: ErrorDetail) => string, hint: string): Describe => (d) => ({ title: title(d), hint });
const PATH_HINT = 'give the item another vault path (`--to <folder>` for add, `cachet mv <vault> <item> <new-path>` to rename); SPEC §5 lists the rules';

/**
 * The words of each `bad-request` reason (app/errors.ts). A `Record<BadRequestReason, …>`: the
 * compiler refuses a missing reason. Reasons a person can act on from the command line have a
 * hint of their own; the rest (the app's own refusals, API preconditions) the usage hint.
 */
export const BAD_REQUEST_MESSAGES: Readonly<Record<BadRequestReason, Describe>> = {
  'not-a-string': refusal,
  empty: badPath(() => 'the vault path is empty', PATH_HINT),
  'invalid-unicode': badPath(() => 'the vault path is not valid Unicode (a lone surrogate)', PATH_HINT),
  'too-long': badPath((d) => `the vault path is too long${sp(d.max, ' (over ')}${str(d.max) ? ' bytes)' : ''}`, 'choose a shorter path or shorter folder names; ' + PATH_HINT),
  'control-character': badPath(() => 'the vault path holds a control character', 'rename the file without tabs, newlines or other control characters; ' + PATH_HINT),
  backslash: badPath(() => 'the vault path holds a backslash (\\)', 'vault paths separate folders with /; rename the file without \\'),
  absolute: badPath(() => 'the vault path starts with /', 'vault paths are relative to the vault: drop the leading /'),
  'too-deep': (d) => ({
    title: `folders nest too deep${sp(d.path, ': ')}${str(d.max) ? ` (more than ${str(d.max)} levels)` : ''}`,
    hint: 'add a folder further down, or move the files up a few levels; the other files are added',
  }),
  'empty-segment': badPath(() => 'the vault path has an empty folder name (// or a trailing /)', PATH_HINT),
  'dot-segment': badPath(() => 'the vault path has a "." or ".." folder', 'vault paths cannot step out of their folder; ' + PATH_HINT),
  'segment-too-long': badPath((d) => `a file or folder name in the vault path is too long${sp(d.max, ' (over ')}${str(d.max) ? ' bytes)' : ''}`, 'rename it to a shorter name; ' + PATH_HINT),
  'escapes-destination': hinted('a symbolic link inside the output folder leads out of it; remove the link or choose another folder with -o'),
  'not-portable': hinted('rename the item (`cachet mv <vault> <path> <new-path>`) to a name this system allows, then get it again; the item is unchanged'),
  'name-not-utf8': (d) => ({
    title: `the file name is not valid UTF-8${sp(d.path, ': ')}, so it cannot be a vault path`,
    hint: 'rename the file (for example with `convmv -f latin1 -t utf8`) and add it again; the other files are added',
  }),
  'no-keys': hinted('name at least one key: --kms-key <id|alias/NAME|arn> (repeatable) or --local (rekey: --to <key>)'),
  'too-many-keys': (d) => ({
    title: `too many keys for one vault${str(d.max) ? ` (at most ${str(d.max)})` : ''}`,
    hint: 'name fewer keys; any one of a vault\'s keys opens every item, so one KMS key per account or region is enough',
  }),
  'bad-key': hinted('a key is a KMS key id, alias/NAME or ARN, or "local"; `cachet keys` lists the KMS keys'),
  'duplicate-key': (d) => ({ title: `the key${sp(d.keyId)} is named twice`, hint: 'name each key once' }),
  unchecked: hinted('the new keys could not be tried on this machine (no provider for them here); run the command where those keys are usable'),
  'no-provider': hinted('the item or file is sealed only under keys this machine cannot use: check --profile/--region for KMS keys, or CACHET_HOME for the local key'),
  'other-local-key': refusal,
  closed: refusal,
  'no-vault-open': refusal,
  'no-kms-keys': refusal,
  'not-local': refusal,
  'not-empty': hinted('a new vault needs an empty or new folder; choose another <vault> path'),
  'not-a-folder': hinted('<vault> must be a folder (or a new path); this one is a file'),
  'not-a-file': hinted('give a regular file (a folder goes into a vault: `cachet add`)'),
  'not-absolute': refusal,
  'vault-folder': hinted('the vault folder itself is never added; add files from outside it'),
  symlink: hinted('Cachet does not follow symbolic links; add the file or folder the link points to'),
  'special-file': hinted('only regular files and folders can be added (not sockets, devices or pipes)'),
  'too-many-files': refusal,
  'whole-drive': refusal,
  'file-too-large': hinted('the file is larger than one envelope can hold (SPEC §6: 2^32 chunks); split it into parts and seal each'),
  'empty-ref': hinted('name an item by its vault path or id; `cachet ls <vault>` lists them'),
  ambiguous: (d, m) => ({
    title: m || `more than one item has the path ${str(d.path) ?? ''}`,
    hint: 'name the one you mean by its id; `cachet ls <vault> --json` lists the ids',
  }),
  runnable: refusal,
  'bad-s3-location': hinted('an S3 vault is s3://<bucket> or s3://<bucket>/<prefix>, e.g. s3://team-vaults/finance'),
  'no-history': hinted('item history needs an S3 vault in a bucket with versioning on (aws s3api put-bucket-versioning --bucket <bucket> --versioning-configuration Status=Enabled)'),
  'no-region': (d) => ({
    title: `no AWS region${str(d.profile) ? ` for profile ${str(d.profile)}` : ''}`,
    hint: `pass --region <region>, set AWS_REGION, or set region for the profile in ~/.aws/config (aws configure set region <region>${str(d.profile) ? ` --profile ${str(d.profile)}` : ''})`,
  }),
  'key-usage': (d) => ({
    title: `the KMS key cannot encrypt${sp(keyOf(d), ': ')}`,
    hint: 'use a symmetric ENCRYPT_DECRYPT key (`cachet keys` lists them, `cachet create-key --alias <name>` makes one)',
  }),
  'bad-alias': hinted('an alias is alias/ then letters, digits, /, _ or - (and not alias/aws/...), e.g. --alias alias/cachet'),
  'safe-storage-unavailable': refusal,
  'weak-passphrase': (d) => ({
    title: d.problem === 'too-long' ? `the new passphrase is too long (at most ${str(d.max) ?? ''} characters)` : `the new passphrase is too short (at least ${str(d.min) ?? ''} characters)`,
    hint: 'choose a longer passphrase (a few words are easy to remember) and set CACHET_PASSPHRASE to it, or leave it unset to be asked',
  }),
  'empty-passphrase': hinted('type a passphrase (or set CACHET_PASSPHRASE to a non-empty value)'),
  'passphrase-mismatch': hinted('the two passphrases typed differ; run the command again and type the same one twice'),
  'key-file-invalid': (d, m) => ({
    title: `the local key file is damaged${sp(d.path, ': ')}${m ? ` (${m})` : ''}`,
    hint: 'restore local-key.json from a backup, or set CACHET_HOME to the folder that holds a good copy',
  }),
  'folder-to-stdout': hinted('-o - writes one item to stdout; give -o <folder> for a folder of items'),
  'no-output-name': hinted('give -o <file> for the decrypted output'),
  'unknown-channel': refusal,
  'too-large': refusal,
  'invalid-request': refusal,
  conflict: hinted('--on-conflict takes fail, replace, keep-both or skip'),
  sources: refusal,
  size: refusal,
  'max-bytes': refusal,
  'header-limit': refusal,
  'invalid-argument': refusal,
};

/** Each code's words. A `Record<ErrorCode, …>`: the compiler refuses a missing code. */
export const MESSAGES: Readonly<Record<ErrorCode, Describe>> = {
  'bad-request': (d, m) => BAD_REQUEST_MESSAGES[badRequestReason(d) ?? 'invalid-argument'](d, m),
  cancelled: () => ({ title: 'cancelled', hint: 'nothing was changed by the cancelled step; run the command again to finish' }),
  'not-found': (d) => d.reason === 'unreadable-items'
    ? {
      title: `not found among the items that can be read${sp(d.path ?? d.ref, ': ')}; ${d.count} item file${d.count === 1 ? '' : 's'} of this vault cannot be read, and it may be one of them`,
      hint: '`cachet verify <vault>` names each file that cannot be read and says why',
    }
    : {
      title: `not found${sp(d.path ?? d.item, ': ')}`,
      hint: str(d.item) ? '`cachet ls <vault>` lists the items by path and id' : 'check the path',
    },
  exists: (d) => d.reason === 'vault'
    ? { title: `this folder is already a vault${sp(d.path, ': ')}`, hint: 'use it as it is (`cachet ls <vault>`), or choose another folder for the new vault' }
    : d.reason === 'restore-path-taken'
    ? { title: `another item holds ${str(d.path) ?? 'that path'} now`, hint: `move or rename that item first (\`cachet mv <vault> ${str(d.item) ?? '<item>'} <new-path>\`), then restore again` }
    : {
      title: `already exists${sp(d.path, ': ')}`,
      hint: 'choose another name (-o <path>) or remove it first; for `add`, --on-conflict replace|keep-both|skip',
    },
  'path-clash': (d) => ({
    title: d.as === 'folder'
      ? `${str(d.path) ?? 'this path'} is also a folder in the vault (it holds ${str(d.other) ?? 'items'}); no file system can hold a file and a folder of one name`
      : `${str(d.other) ?? 'a folder of this path'} is an item in the vault, so ${str(d.path) ?? 'this path'} cannot be under it; no file system can hold a file and a folder of one name`,
    hint: 'rename one of them (`cachet mv <vault> <item> <new-path>`), or add under another folder (--to <folder>); `ls` and `get` of the other items still work',
  }),
  conflict: (d) => d.reason === 'rekey-missed'
    ? {
        title: `added under the old keys while the re-key ran${sp(d.path, ': ')}`,
        hint: 'run the same `cachet rekey` again to re-key it; do not retire the old keys before it says nothing failed',
      }
    : {
        title: `another writer changed ${str(d.location) ?? str(d.path) ?? 'it'} at the same time`,
        hint: 'nothing was overwritten; run the command again (it reads the new state first)',
      },
  io: (d, m) => ({ title: `input/output error${sp(d.errno, ' ')}${m ? ` (${m})` : ''}`, hint: 'check the disk and the path, then try again' }),
  'disk-full': (d) => ({ title: `no space left on the disk${sp(d.path, ' holding ')}`, hint: 'free some space (or raise the quota) and try again; nothing partial was kept' }),
  'permission-denied': (d) => ({ title: `permission denied${sp(d.path, ': ')}`, hint: 'check the file and folder permissions (and that the disk is not read-only)' }),
  'changed-while-reading': (d) => ({ title: `the file changed while it was being read${sp(d.path, ': ')}`, hint: 'wait until whatever writes it is done, then add it again' }),
  'not-envelope': (d) => ({ title: `not a Cachet file${sp(d.path, ': ')}`, hint: 'a sealed file starts with "CACHET"; check that this is the right file' }),
  'unsupported-version': (d) => ({
    title: `made by a newer Cachet (format version ${str(d.version) ?? 'unknown'})`,
    hint: 'upgrade Cachet to open it; this version reads format version 1 only',
  }),
  'header-corrupt': () => ({ title: 'the header is damaged or was changed', hint: 'restore this file from a backup or a synced copy; nothing was decrypted' }),
  tampered: (d) => ({
    title: `content was changed or damaged${sp(d.chunk, ' at chunk ')}`,
    hint: 'restore this file from a backup; no unauthenticated plaintext was written',
  }),
  truncated: () => ({ title: 'the file is cut short', hint: 'the copy is incomplete (an interrupted sync or download?); restore a full copy' }),
  'trailing-data': () => ({ title: 'unexpected data after the end of the file', hint: 'the file was appended to or joined with another; restore it from a backup' }),
  reordered: () => ({ title: 'parts of the file were moved around', hint: 'the file was deliberately rearranged or badly damaged; restore it from a backup' }),
  'wrong-key': (d) => ({
    title: `this key does not open this file${sp(keyOf(d), ' (key ')}${keyOf(d) ? ')' : ''}`,
    hint: 'the file is sealed under another key; `cachet inspect <file>` shows which keys can open it',
  }),
  'context-mismatch': (d) => ({
    title: `the file does not belong here${sp(d.item, ' (item ')}${str(d.item) ? ')' : ''}`,
    // #13: an item of another vault may be whole; never advise deleting it (SPEC §12).
    hint: d.key === 'cachet:vault'
      ? `this item file belongs to another vault${sp(d.found, ' (')}${str(d.found) ? ')' : ''}; move it back there. If every item says so, vault.json is the file to restore`
      : 'an item file was copied or moved over another one; restore it, or remove it with `cachet rm`',
  }),
  'vault-not-found': (d) => ({ title: `no vault${sp(d.path, ' at ')}`, hint: 'check the path, or create one with `cachet init <vault> --local` (or --kms-key <key>)' }),
  'vault-corrupt': (d, m) => {
    // SPEC §12: the items are the truth; never advise removing items that belong to their vault.
    if (d.reason === 'vault-id-changed') {
      return {
        title: `vault.json is the odd one out: it names vault ${str(d.vault) ?? '?'}, but ${str(d.count) ? `all ${str(d.count)} items belong` : 'every item belongs'} to vault ${str(d.items) ?? '?'}`,
        hint: 'the items are fine; do not remove them. Restore vault.json from a backup or a synced copy (its "id" must be the items\' vault)',
      };
    }
    if (d.reason === 'config-mac') {
      return {
        title: 'vault.json was changed outside Cachet (its authentication fails)',
        hint: 'someone with write access to the folder may have added or removed a key; the items are not affected. Restore vault.json from a backup or a synced copy',
      };
    }
    return { title: `the vault is damaged${m ? ` (${m})` : ''}`, hint: `check ${str(d.path) ?? 'vault.json'}; restore it from a backup or a synced copy` };
  },
  'vault-keys-changed': (d) => ({
    title: d.reason === 'downgrade'
      ? 'vault.json lost its authentication since this computer last opened the vault'
      : `the vault's keys changed since this computer last opened it (was: ${str(d.known) ?? '?'}; now: ${str(d.found) ?? '?'})`,
    hint: 'nothing was sealed under the new keys. If a team member re-keyed the vault while your old key was already retired, check the new keys with them, then run `cachet forget <vault>` and open it again; otherwise restore vault.json from a backup',
  }),
  'local-key-missing': (d) =>
    str(d.available)
      ? {
          title: `sealed with local key ${str(d.keyId) ?? '?'}, but this machine's local key is ${str(d.available)}`,
          hint: 'set CACHET_HOME to the folder holding the key file that made it (or use another key of this file)',
        }
      : {
          title: `no local key file${sp(d.path, ' at ')}`,
          hint: 'create it with `cachet init <vault> --local`, or set CACHET_HOME to the folder that holds local-key.json',
        },
  'local-key-locked': (d) => ({
    title: d.reason === 'no-tty' ? 'the local key needs a passphrase and there is no terminal to ask on' : 'the local key is locked',
    hint: 'set CACHET_PASSPHRASE, or run the command in a terminal',
  }),
  'bad-passphrase': () => ({ title: 'wrong passphrase for the local key', hint: 'check CACHET_PASSPHRASE (or what you typed) and try again' }),
  'kms-access-denied': (d) => ({
    title: `access denied by KMS${sp(d.operation, ' to ')}${keyOf(d) ? ` on key ${keyOf(d)}` : ''}${sp(d.identity, ' for ')}`,
    hint: `grant ${str(d.identity) ?? 'this identity'} ${str(d.operation) ? permissionFor(str(d.operation)!) : 'kms:Decrypt and kms:GenerateDataKey'} on ${keyOf(d) ?? 'the key'} in the key policy or IAM, or use --profile with an identity that has it`,
  }),
  'kms-key-disabled': (d) => ({
    title: `the KMS key is disabled${sp(keyOf(d), ': ')}`,
    hint: `enable it: aws kms enable-key --key-id ${keyOf(d) ?? '<key>'}`,
  }),
  'kms-key-pending-deletion': (d) => ({
    title: `the KMS key is scheduled for deletion${sp(keyOf(d), ': ')}`,
    hint: `cancel it now, or the items under it are lost: aws kms cancel-key-deletion --key-id ${keyOf(d) ?? '<key>'} (then enable-key)`,
  }),
  'kms-key-not-found': (d) => ({
    title: `no such KMS key${sp(keyOf(d), ': ')}${sp(d.region, ' in ')}`,
    hint: '`cachet keys` lists the usable keys; check --region and --profile (keys live in one account and region)',
  }),
  'kms-invalid-ciphertext': (d) => ({
    title: `KMS refused the wrapped key${sp(keyOf(d), ' for ')}`,
    hint: 'the wrapped key was damaged or moved from another file or item; restore the file from a backup',
  }),
  'kms-throttled': () => ({ title: 'KMS is throttling requests (retries ran out)', hint: 'wait a little and run the command again; only the failed files need redoing' }),
  'kms-unreachable': (d) => {
    const service = str(d.service) ?? 'KMS';
    if (d.reason === 'untrusted-certificate') {
      return {
        title: `cannot reach ${service}${sp(d.endpoint, ' at ')}: untrusted certificate`,
        hint: 'behind TLS inspection, set AWS_CA_BUNDLE (or ca_bundle in the profile) to your organisation\'s CA file, as for the AWS CLI',
      };
    }
    return {
      title: `cannot reach ${service}${sp(d.endpoint, ' at ')}${sp(d.region, ' in ')}`,
      hint: `check the network (and HTTPS_PROXY / NO_PROXY), --region, and AWS_ENDPOINT_URL_${service} if you use an emulator or a VPC endpoint`,
    };
  },
  's3-access-denied': (d) => ({
    title: `access denied by S3${sp(d.operation, ' to ')}${sp(d.location, ' on ')}${sp(d.identity, ' for ')}`,
    hint: `grant ${str(d.identity) ?? 'this identity'} ${str(d.action) ?? 's3:GetObject'} on ${str(d.resource) ?? 'the bucket'} (bucket policy or IAM), or use --profile with an identity that has it`,
  }),
  'cloudtrail-access-denied': (d) => ({
    title: `access denied by CloudTrail to LookupEvents${sp(d.identity, ' for ')}${sp(d.region, ' in ')}`,
    hint: `grant ${str(d.identity) ?? 'this identity'} {"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"} (LookupEvents takes no resource), or use --profile with an identity that has it`,
  }),
  's3-bucket-not-found': (d) => ({
    title: `no S3 bucket ${str(d.bucket) ?? ''}${sp(d.region, ' (asked in ')}${str(d.region) ? ')' : ''}`,
    hint: 'check the bucket name in the s3:// location (buckets are global; the SDK follows a bucket to its region)',
  }),
  's3-error': (d, m) => d.reason === 'throttled'
    ? { title: 'S3 is throttling requests (SlowDown; retries ran out)', hint: 'wait a little and run the command again; items already done are kept' }
    : d.reason === 'wrong-region'
      ? { title: `the bucket ${str(d.bucket) ?? ''} is in another region${sp(d.bucketRegion, ': ')}`, hint: `pass --region ${str(d.bucketRegion) ?? '<its region>'} (or set region in the profile)` }
      : { title: `S3 error${m ? ` (${m})` : ''}${sp(d.awsCode, ': ')}`, hint: 'run the command again; if it keeps failing, run it with CACHET_DEBUG=1 to see the S3 response' },
  'kms-error': (_d, m) => ({ title: `KMS error${m ? ` (${m})` : ''}`, hint: 'run the command again; if it keeps failing, run it with CACHET_DEBUG=1 to see the KMS response' }),
  'credentials-missing': (d) => d.reason === 'provider-failed'
    ? {
      title: `the credential_process of profile ${profileOf(d)} failed${sp(d.providerMessage, ': ')}`,
      hint: `run that command yourself to see why (\`aws configure get credential_process --profile ${profileOf(d)}\` shows it)`,
    }
    : {
      title: `${d.reason === 'rejected' ? 'AWS refused the credentials' : 'no AWS credentials'}${str(d.profile) ? ` for profile ${str(d.profile)}` : ''}`,
      hint: 'set up a profile (`aws configure` or `aws configure sso`) and pass --profile, or set AWS_PROFILE',
    },
  'credentials-expired': (d) => ({
    title: `the AWS credentials have expired${str(d.profile) ? ` (profile ${str(d.profile)})` : ''}`,
    hint: 'refresh them (for SSO: ' + loginHint(d) + ') and try again',
  }),
  'sso-expired': (d) => ({
    title: d.reason === 'not-signed-in' ? `not signed in to AWS SSO (profile ${profileOf(d)})` : `the AWS SSO session has expired (profile ${profileOf(d)})`,
    hint: loginHint(d),
  }),
  'profile-not-found': (d) => ({
    title: `no AWS profile${sp(d.profile, ' named ')}${sp(d.referencedBy, ' (the source_profile of profile ')}${str(d.referencedBy) ? ')' : ''}`,
    hint: '`cachet profiles` lists the profiles of ~/.aws/config and ~/.aws/credentials',
  }),
  'aws-config-invalid': (d, m) => ({
    title: `the AWS configuration cannot be used: ${m || 'invalid'}${sp(d.providerMessage, ' (')}${str(d.providerMessage) ? ')' : ''}`,
    hint: str(d.path)
      ? 'fix that line (the AWS CLI refuses it or reads it differently from the AWS SDK Cachet uses); `aws configure list` checks the files'
      : 'fix the profile in ~/.aws/config; `aws configure list --profile <profile>` shows what the AWS CLI reads',
  }),
  internal: (_d, m) => ({ title: `internal error${m ? `: ${m}` : ''}`, hint: 'this is a bug in Cachet; run again with CACHET_DEBUG=1 and report the output' }),
};

/** The words for an error. Any non-CachetError is `internal` with its one-line message. */
export function describeError(e: unknown): Message {
  const ce = toCachetError(e);
  return MESSAGES[ce.code](ce.detail, firstLine(ce.message));
}

export function toCachetError(e: unknown): CachetError {
  if (e instanceof CachetError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new CachetError('internal', firstLine(message), {}, { cause: e });
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** How many links of a `cause` chain debug output follows (a chain can be cyclic). */
const MAX_CAUSES = 4;

/**
 * One failure as printed on stderr:
 * `cachet: <what>: <why>` then `  hint: <hint>`. With `debug`, the stacks of the error and of
 * its causes follow: for a KMS or system error the cause is what the SDK or the OS reported
 * (stacks never hold key material: the core keeps keys out of messages).
 */
export function formatFailure(what: string | undefined, e: unknown, opts: { debug?: boolean; hint?: boolean; knownPaths?: readonly string[] } = {}): string {
  const ce = toCachetError(e);
  // A path the `what` already shows is not repeated in the title.
  const detail = typeof ce.detail.path === 'string' && opts.knownPaths?.includes(ce.detail.path) ? { ...ce.detail, path: undefined } : ce.detail;
  const { title, hint } = MESSAGES[ce.code](detail, firstLine(ce.message));
  // Titles and hints quote ids, paths and messages that may come from a hostile file.
  let out = `cachet: ${printable(`${what ? `${what}: ` : ''}${title}`)}\n`;
  if (opts.hint !== false) out += `  hint: ${printable(hint)}\n`;
  if (opts.debug) {
    let cur: unknown = ce;
    for (let i = 0; i <= MAX_CAUSES && cur instanceof Error; i++, cur = cur.cause) {
      if (cur.stack) out += `${cur.stack.split('\n').map((l) => `  | ${printable(l)}`).join('\n')}\n`;
    }
  }
  return out;
}

/** Every code has words (checked by the tests, too). */
export function missingMessages(): ErrorCode[] {
  return ERROR_CODES.filter((c) => typeof MESSAGES[c] !== 'function');
}
