// Turns an error code (app/errors.ts) and its detail into words a person can act on: a title
// that says what happened and a hint that says what to do. This is the only place in the
// renderer that writes error sentences; components show `title` and `hint` and nothing else.
// It never shows a stack trace or an error's raw `message` (which may be technical), and it
// never sees secrets: main puts only ids, paths and names in `detail`.

import type { ErrorCode, ErrorDetail } from '../../app/errors.js';

export interface ErrorMessage {
  readonly title: string;
  readonly hint: string;
}

/** What a failure looks like once it has crossed IPC: a code and facts (see contract `Result`). */
export interface ErrorLike {
  readonly code: string;
  readonly detail?: ErrorDetail | undefined;
}

type Detail = ErrorDetail;
type Make = (d: Detail) => ErrorMessage;

function str(d: Detail, key: string): string | undefined {
  const v = d[key];
  return v === undefined || v === '' ? undefined : String(v);
}

function profileArg(d: Detail): string {
  const p = str(d, 'profile');
  return p ? ` --profile ${p}` : '';
}

function keyName(d: Detail): string {
  return str(d, 'alias') ?? str(d, 'keyId') ?? str(d, 'key') ?? 'the key';
}

/** A key for a title: its alias, or the tail of its ARN (the full ARN goes in the hint). */
function keyShort(d: Detail): string {
  const alias = str(d, 'alias');
  if (alias) return alias;
  const id = str(d, 'keyId') ?? str(d, 'key');
  if (!id) return 'the key';
  const m = /:key\/([^/]+)$/.exec(id);
  return m ? `key ${m[1]!.slice(0, 8)}…` : id;
}

/** The IAM permission(s) a denied KMS (or STS) operation needs. */
export function permissionFor(operation: string): string {
  if (operation === 'ReEncrypt') return 'kms:ReEncryptFrom and kms:ReEncryptTo';
  if (operation === 'GetCallerIdentity') return 'sts:GetCallerIdentity';
  return `kms:${operation}`;
}

function itemName(d: Detail): string {
  return str(d, 'path') ?? str(d, 'name') ?? str(d, 'item') ?? 'This item';
}

// `bad-request` covers many refusals; those a person can act on carry a `reason` (set where
// they are thrown in app/ and main/) and get their own words. The rest are the generic ones.
const BAD_REQUEST: Readonly<Record<string, Make>> = {
  'no-region': (d) => ({
    title: `No AWS region for ${str(d, 'profile') ? `the profile ${str(d, 'profile')}` : 'this profile'}`,
    hint: `Enter a region (for example eu-west-1), or set "region" for the profile in ~/.aws/config.`,
  }),
  'key-usage': (d) => ({
    title: `${keyShort(d)} cannot encrypt data`,
    hint: 'Choose a symmetric KMS key made for encrypt and decrypt, or create one from this screen.',
  }),
  'safe-storage-unavailable': () => ({
    title: 'The system keychain is not available',
    hint: 'Protect the local key with a passphrase instead.',
  }),
  'not-empty': () => ({ title: 'That folder is not empty', hint: 'Choose an empty folder, or a new one, for the vault.' }),
  'not-a-folder': () => ({ title: 'That is a file, not a folder', hint: 'Choose a folder for the vault.' }),
  'vault-folder': () => ({ title: 'The vault cannot be added to itself', hint: 'Drop files from outside the vault folder.' }),
  symlink: (d) => ({
    title: `${str(d, 'path') ?? 'A symbolic link'} was skipped`,
    hint: 'Cachet does not follow symbolic links. Add the file or folder the link points to instead.',
  }),
  'special-file': (d) => ({
    title: `${str(d, 'path') ?? 'A special file'} was skipped`,
    hint: 'Only regular files and folders can be added.',
  }),
  runnable: () => ({
    title: 'Cachet does not open programs or scripts',
    hint: 'Export the file instead, and run it yourself only if you trust it.',
  }),
  'not-portable': (d) => ({
    title: `${str(d, 'segment') ? `"${str(d, 'segment')}"` : 'This name'} cannot be used as a file name on Windows`,
    hint: 'Rename the item in Cachet to a name without < > : " | ? * (and not a device name like CON), then export it again. The item itself is unchanged.',
  }),
  'too-many-keys': () => ({ title: 'Too many keys for one vault', hint: 'A vault can have at most 16 keys. Choose fewer.' }),
  'no-keys': () => ({ title: 'No key chosen', hint: 'Choose at least one KMS key, or use the local key.' }),
};

// A Record over ErrorCode: adding a code to ERROR_CODES without a message fails the typecheck.
const MESSAGES: Record<ErrorCode, Make> = {
  'bad-request': (d) => {
    const reason = str(d, 'reason');
    if (reason !== undefined && Object.hasOwn(BAD_REQUEST, reason)) return BAD_REQUEST[reason]!(d);
    return { title: 'That request was not accepted', hint: 'Check what you entered and try again. If it keeps happening, restart Cachet.' };
  },
  cancelled: () => ({ title: 'Cancelled', hint: 'Nothing was changed for the part that did not finish.' }),
  'not-found': (d) => ({
    title: `${str(d, 'path') ?? 'The file or item'} was not found`,
    hint: 'It may have been moved or deleted. Refresh the list and try again.',
  }),
  exists: (d) => ({
    title: `${str(d, 'path') ?? 'An item with that name'} already exists`,
    hint: 'Choose another name, or replace the existing item.',
  }),
  io: () => ({ title: 'A file could not be read or written', hint: 'Check that the disk is connected and the folder is still there, then try again.' }),
  'disk-full': () => ({ title: 'The disk is full', hint: 'Free some space on the disk that holds the vault or the destination, then try again.' }),
  'permission-denied': (d) => ({
    title: 'Permission denied',
    hint: `Cachet may not read or write ${str(d, 'path') ?? 'that location'}. Check its permissions or choose another place.`,
  }),
  'changed-while-reading': (d) => ({
    title: `${itemName(d)} changed while it was being added`,
    hint: 'Wait until the program writing it has finished, then add it again.',
  }),
  'not-envelope': () => ({ title: 'This is not a Cachet file', hint: 'The file does not start like a sealed Cachet item. It may belong to something else.' }),
  'unsupported-version': (d) => ({
    title: 'This item was made by a newer Cachet',
    hint: `It uses format version ${str(d, 'version') ?? 'unknown'}. Update Cachet to open it.`,
  }),
  'header-corrupt': (d) => ({
    title: `${itemName(d)} is damaged`,
    hint: 'Its header does not check out, so it was not opened. Restore it from a backup or another synced copy.',
  }),
  tampered: (d) => ({
    title: `${itemName(d)} has been tampered with or is damaged`,
    hint: 'Its contents do not match their authentication tags, so nothing was shown. Restore it from a backup.',
  }),
  truncated: (d) => ({
    title: `${itemName(d)} is incomplete`,
    hint: 'The file ends too early; a sync may still be in progress. Wait for it to finish, or restore from a backup.',
  }),
  'trailing-data': (d) => ({
    title: `${itemName(d)} has extra data at the end`,
    hint: 'Something appended to the file after it was sealed, so it was not opened. Restore it from a backup.',
  }),
  reordered: (d) => ({
    title: `${itemName(d)} has been rearranged`,
    hint: 'Parts of the file are out of order, so it was not opened. Restore it from a backup.',
  }),
  'wrong-key': () => ({
    title: 'This key does not open this item',
    hint: 'The item was sealed with a different key, or it was copied from another item or vault.',
  }),
  'context-mismatch': () => ({
    title: 'This item does not belong here',
    hint: 'It was sealed for another vault or item and was copied or moved in. Add the original file again instead.',
  }),
  'vault-not-found': (d) => ({
    title: 'No vault in that folder',
    hint: `${str(d, 'path') ?? 'The folder'} has no vault.json. Choose the vault's folder, or create a new vault.`,
  }),
  'vault-corrupt': () => ({
    title: 'The vault settings are damaged',
    hint: 'vault.json could not be read. Restore it from a backup or another synced copy; the items themselves are separate files.',
  }),
  // With `available`, this Cachet has a local key, but the item was sealed under another one.
  'local-key-missing': (d) =>
    str(d, 'available')
      ? {
          title: `${itemName(d)} was sealed with another computer's local key`,
          hint: `It needs ${str(d, 'keyId') ?? 'that local key'}; this Cachet's local key is ${str(d, 'available')}. Open it where it was sealed, or with one of the vault's AWS keys.`,
        }
      : {
          title: 'The local key file is missing',
          hint: 'Restore the key file from your backup, or open the vault with one of its AWS keys.',
        },
  'local-key-locked': () => ({ title: 'The local key is locked', hint: 'Enter the passphrase to unlock it.' }),
  'bad-passphrase': () => ({ title: 'Wrong passphrase', hint: 'Check the passphrase (and Caps Lock) and try again.' }),
  'kms-access-denied': (d) => {
    const op = str(d, 'operation');
    const arn = str(d, 'keyId') ?? str(d, 'key');
    const who = str(d, 'identity') ?? 'The signed-in identity';
    const need = op ? permissionFor(op) : 'kms:Encrypt, kms:Decrypt and kms:GenerateDataKey';
    return {
      title: `AWS KMS denied ${op ?? 'access'} with ${keyShort(d)}`,
      hint: `${who} may not call ${op ? need : 'this key'}${arn ? ` on ${arn}` : ''}. Ask your AWS administrator for ${need} on it (key policy or IAM), or choose another profile.`,
    };
  },
  'kms-key-disabled': (d) => ({
    title: `The key ${keyName(d)} is disabled`,
    hint: 'Enable it in the AWS KMS console, or open the vault with another of its keys.',
  }),
  'kms-key-pending-deletion': (d) => ({
    title: `The key ${keyName(d)} is scheduled for deletion`,
    hint: 'Cancel the deletion in the AWS KMS console now, then re-key the vault to another key.',
  }),
  'kms-key-not-found': (d) => ({
    title: `The key ${keyName(d)} was not found`,
    hint: `Check the region${str(d, 'region') ? ` (${str(d, 'region')})` : ''} and the account of the chosen profile.`,
  }),
  'kms-invalid-ciphertext': () => ({
    title: 'AWS KMS could not unwrap this item',
    hint: 'The wrapped key is damaged or belongs to another item, vault or key.',
  }),
  'kms-throttled': () => ({ title: 'AWS KMS is busy', hint: 'Too many requests right now. Wait a minute and try again.' }),
  'kms-unreachable': (d) => str(d, 'reason') === 'untrusted-certificate' ? {
    title: `AWS ${str(d, 'service') ?? 'KMS'} sent a certificate that is not trusted`,
    hint: 'Behind TLS inspection, set AWS_CA_BUNDLE (or ca_bundle in the profile) to your organisation\'s CA file.',
  } : ({
    title: `AWS ${str(d, 'service') ?? 'KMS'} cannot be reached`,
    hint: `Check your network connection${str(d, 'endpoint') ? ` and the endpoint ${str(d, 'endpoint')}` : ''}, then try again.`,
  }),
  'kms-error': () => ({ title: 'AWS KMS reported an error', hint: 'Try again in a moment. If it persists, check the key in the AWS console.' }),
  'credentials-missing': (d) => ({
    title: 'No AWS credentials',
    hint: `Set up the profile${profileArg(d) ? ` ${str(d, 'profile')}` : ''} with "aws configure"${profileArg(d)}, or choose another profile.`,
  }),
  'credentials-expired': (d) => ({
    title: 'Your AWS credentials have expired',
    hint: `Refresh them (for example "aws configure"${profileArg(d)} or your credential tool), then try again.`,
  }),
  'sso-expired': (d) => ({
    title: str(d, 'reason') === 'not-signed-in' ? 'You are not signed in to AWS' : 'Your AWS sign-in has expired',
    hint: `Run aws sso login${profileArg(d)} in a terminal, then try again.`,
  }),
  'profile-not-found': (d) => ({
    title: `No AWS profile named ${str(d, 'profile') ?? 'that'}`,
    hint: 'Choose a profile from the list, or add it to ~/.aws/config.',
  }),
  'aws-config-invalid': (d) => ({
    title: 'Your AWS configuration cannot be used',
    hint: `${str(d, 'path') ? `Fix line ${String(d.line ?? '?')} of ${str(d, 'path')}` : 'Fix the profile in ~/.aws/config'}${str(d, 'reason') ? ` (${str(d, 'reason')})` : ''}, then try again.`,
  }),
  internal: () => ({
    title: 'Something went wrong inside Cachet',
    hint: 'Try again. If it keeps happening, restart Cachet; your vault items are not affected.',
  }),
};

/** The title and hint for a failure. Unknown codes (a newer main?) get a generic message. */
export function describeError(error: ErrorLike): ErrorMessage {
  const make = (MESSAGES as Record<string, Make | undefined>)[error.code];
  return make ? make(error.detail ?? {}) : MESSAGES.internal({});
}

/** Every code that has a message; the test compares this with ERROR_CODES. */
export function describedCodes(): string[] {
  return Object.keys(MESSAGES);
}
