// Turns an error code (app/errors.ts) and its detail into words a person can act on: a title
// that says what happened and a hint that says what to do. This is the only place in the
// renderer that writes error sentences; components show `title` and `hint` and nothing else.
// It never shows a stack trace or an error's raw `message` (which may be technical), and it
// never sees secrets: main puts only ids, paths and names in `detail`.

import { badRequestReason, type BadRequestReason, type ErrorCode, type ErrorDetail } from '../../app/errors.js';

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

const GENERIC_BAD_REQUEST: Make = () => ({
  title: 'That request was not accepted',
  hint: 'Check what you entered and try again. If it keeps happening, restart Cachet.',
});

const RENAME_HINT = 'Rename the file, or choose a shorter folder to add it to.';
const pathRule = (title: string, hint = RENAME_HINT): Make => () => ({ title, hint });
const maxOf = (d: Detail, unit: string): string => (str(d, 'max') ? ` (at most ${str(d, 'max')} ${unit})` : '');

// `bad-request` covers many refusals, each with a `reason` (app/errors.ts BAD_REQUEST_REASONS,
// set where they are thrown in app/ and main/). A Record over BadRequestReason: a reason without
// words fails the typecheck. Those a person can act on in the app have their own words; the rest
// (the CLI's own, API preconditions, malformed requests) get the generic ones.
const BAD_REQUEST: Readonly<Record<BadRequestReason, Make>> = {
  'not-a-string': GENERIC_BAD_REQUEST,
  empty: pathRule('The name is empty', 'Enter a name for the item.'),
  'invalid-unicode': pathRule('The name holds characters that are not valid text'),
  'too-long': (d) => ({ title: `The name or path is too long${maxOf(d, 'bytes')}`, hint: RENAME_HINT }),
  'control-character': pathRule('The name holds a control character', 'Rename the file without tabs, line breaks or other invisible control characters.'),
  backslash: pathRule('The name holds a backslash (\\)', 'Use / between folders, and rename the file without \\.'),
  absolute: pathRule('The path starts with /', 'Item paths are relative to the vault. Remove the leading /.'),
  'too-deep': (d) => ({
    title: `${str(d, 'path') ?? 'The folder'} is nested too deeply${maxOf(d, 'levels')}`,
    hint: 'Add a folder further down, or move the files up a few levels. The other files are added.',
  }),
  'empty-segment': pathRule('The path has an empty folder name', 'Remove the doubled or trailing /.'),
  'dot-segment': pathRule('The path has a "." or ".." folder', 'Item paths cannot step out of their folder. Choose another name.'),
  'segment-too-long': (d) => ({ title: `A file or folder name is too long${maxOf(d, 'bytes')}`, hint: 'Rename it to a shorter name.' }),
  'name-not-utf8': (d) => ({
    title: `${str(d, 'path') ?? 'A file'} has a name that is not valid text (not UTF-8)`,
    hint: 'Rename the file and add it again. The other files are added.',
  }),
  'escapes-destination': () => ({
    title: 'That item would be written outside the chosen folder',
    hint: 'A shortcut (symbolic link) inside the folder leads elsewhere. Remove it, or choose another folder.',
  }),
  'not-portable': (d) => ({
    title: `${str(d, 'segment') ? `"${str(d, 'segment')}"` : 'This name'} cannot be used as a file name on Windows`,
    hint: 'Rename the item in Cachet to a name without < > : " | ? * (and not a device name like CON), then export it again. The item itself is unchanged.',
  }),
  'no-keys': () => ({ title: 'No key chosen', hint: 'Choose at least one KMS key, or use the local key.' }),
  'too-many-keys': (d) => ({ title: `Too many keys for one vault${maxOf(d, 'keys')}`, hint: 'Choose fewer keys. Any one of the vault\'s keys opens every item.' }),
  'bad-key': GENERIC_BAD_REQUEST,
  'duplicate-key': () => ({ title: 'A key is chosen twice', hint: 'Choose each key once.' }),
  unchecked: () => ({
    title: 'The new keys could not be checked here',
    hint: 'Cachet cannot use those keys on this computer. Choose keys of the signed-in AWS profile, or the local key.',
  }),
  'no-provider': () => ({
    title: 'None of this item\'s keys can be used here',
    hint: 'Sign in to the AWS profile that holds its KMS key, or open the vault on the computer with its local key.',
  }),
  'other-local-key': () => ({
    title: 'That is another computer\'s local key',
    hint: 'Only this computer\'s local key can be used here. Choose it, or a KMS key.',
  }),
  closed: GENERIC_BAD_REQUEST,
  'no-vault-open': () => ({ title: 'No vault is open', hint: 'Open or create a vault first.' }),
  'not-local': () => ({ title: 'This vault is not a folder on this computer', hint: 'It is kept in Amazon S3: open the bucket in the S3 console to see its objects.' }),
  'no-kms-keys': () => ({ title: 'This vault has no AWS KMS keys', hint: 'Access history comes from AWS CloudTrail, which records KMS calls only; the local key leaves no record.' }),
  'not-empty': () => ({ title: 'That folder is not empty', hint: 'Choose an empty folder, or a new one, for the vault.' }),
  'not-a-folder': () => ({ title: 'That is a file, not a folder', hint: 'Choose a folder for the vault.' }),
  'not-a-file': (d) => ({ title: `${str(d, 'path') ?? 'That'} is not a regular file`, hint: 'Choose a file.' }),
  'not-absolute': GENERIC_BAD_REQUEST,
  'vault-folder': () => ({ title: 'The vault cannot be added to itself', hint: 'Drop files from outside the vault folder.' }),
  symlink: (d) => ({
    title: `${str(d, 'path') ?? 'A symbolic link'} was skipped`,
    hint: 'Cachet does not follow symbolic links. Add the file or folder the link points to instead.',
  }),
  'special-file': (d) => ({
    title: `${str(d, 'path') ?? 'A special file'} was skipped`,
    hint: 'Only regular files and folders can be added.',
  }),
  'too-many-files': (d) => ({ title: `Too many files at once${maxOf(d, 'files')}`, hint: 'Add the folders in smaller parts.' }),
  'whole-drive': () => ({ title: 'A whole drive cannot be added', hint: 'Choose the folders on it you want to keep in the vault.' }),
  'file-too-large': () => ({ title: 'The file is too large for one item', hint: 'Split it into smaller parts and add those.' }),
  'empty-ref': GENERIC_BAD_REQUEST,
  ambiguous: (d) => ({
    title: `More than one item is named ${str(d, 'path') ?? 'that'}`,
    hint: 'Rename one of them, then try again.',
  }),
  runnable: () => ({
    title: 'Cachet does not open programs or scripts',
    hint: 'Export the file instead, and run it yourself only if you trust it.',
  }),
  'bad-s3-location': () => ({ title: 'That is not an S3 vault location', hint: 'An S3 vault is s3://bucket or s3://bucket/prefix, for example s3://team-vaults/finance.' }),
  'no-history': () => ({ title: 'This vault keeps no earlier versions', hint: 'Item history needs a vault in an S3 bucket with versioning turned on.' }),
  'no-region': (d) => ({
    title: `No AWS region for ${str(d, 'profile') ? `the profile ${str(d, 'profile')}` : 'this profile'}`,
    hint: `Enter a region (for example eu-west-1), or set "region" for the profile in ~/.aws/config.`,
  }),
  'key-usage': (d) => ({
    title: `${keyShort(d)} cannot encrypt data`,
    hint: 'Choose a symmetric KMS key made for encrypt and decrypt, or create one from this screen.',
  }),
  'bad-alias': () => ({ title: 'That alias cannot be used', hint: 'An alias is alias/ followed by letters, digits, /, _ or - (not alias/aws/).' }),
  'safe-storage-unavailable': () => ({
    title: 'The system keychain is not available',
    hint: 'Protect the local key with a passphrase instead.',
  }),
  'weak-passphrase': (d) => ({ title: str(d, 'problem') === 'too-long' ? 'The passphrase is too long' : 'The passphrase is too short', hint: `Use ${str(d, 'problem') === 'too-long' ? `at most ${str(d, 'max') ?? ''}` : `at least ${str(d, 'min') ?? ''}`} characters.` }),
  'empty-passphrase': () => ({ title: 'The passphrase is empty', hint: 'Enter a passphrase.' }),
  'passphrase-mismatch': () => ({ title: 'The passphrases do not match', hint: 'Type the same passphrase twice.' }),
  'key-file-invalid': () => ({
    title: 'The local key file is damaged',
    hint: 'Restore the key file from your backup, or open the vault with one of its AWS keys.',
  }),
  'folder-to-stdout': GENERIC_BAD_REQUEST,
  'no-output-name': GENERIC_BAD_REQUEST,
  'unknown-channel': GENERIC_BAD_REQUEST,
  'too-large': GENERIC_BAD_REQUEST,
  'invalid-request': GENERIC_BAD_REQUEST,
  conflict: GENERIC_BAD_REQUEST,
  sources: GENERIC_BAD_REQUEST,
  size: GENERIC_BAD_REQUEST,
  'max-bytes': GENERIC_BAD_REQUEST,
  'header-limit': GENERIC_BAD_REQUEST,
  'invalid-argument': GENERIC_BAD_REQUEST,
};

// A Record over ErrorCode: adding a code to ERROR_CODES without a message fails the typecheck.
const MESSAGES: Record<ErrorCode, Make> = {
  'bad-request': (d) => BAD_REQUEST[badRequestReason(d) ?? 'invalid-request'](d),
  cancelled: () => ({ title: 'Cancelled', hint: 'Nothing was changed for the part that did not finish.' }),
  'not-found': (d) =>
    str(d, 'reason') === 'unreadable-items'
      ? { title: `${str(d, 'path') ?? 'The item'} was not found among the items that can be read`, hint: 'Some item files of this vault cannot be read, and it may be one of them. Verify the vault to see which and why.' }
      : { title: `${str(d, 'path') ?? 'The file or item'} was not found`, hint: 'It may have been moved or deleted. Refresh the list and try again.' },
  exists: (d) => {
    if (str(d, 'reason') === 'vault') return { title: 'This folder is already a vault', hint: 'Open it instead, or choose another folder for the new vault.' };
    if (str(d, 'reason') === 'restore-path-taken') return { title: `Another item is at ${str(d, 'path') ?? 'that path'} now`, hint: 'Move or rename that item first, then restore this version again.' };
    const alias = str(d, 'alias');
    if (alias === undefined) return { title: `${str(d, 'path') ?? 'An item with that name'} already exists`, hint: 'Choose another name, or replace the existing item.' };
    const orphan = str(d, 'orphanKey');
    const title = `The KMS alias ${alias.replace(/^alias\//, '')} is already in use`;
    if (orphan === undefined) return { title, hint: 'Choose another alias. No key was created.' };
    const days = d['orphanDeletionDays'];
    return typeof days === 'number'
      ? { title, hint: `Choose another alias. The key made for it (${orphan}) is scheduled for deletion in ${days} days.` }
      : { title, hint: `Choose another alias. The key made for it (${orphan}) is left without an alias: schedule its deletion in the AWS console.` };
  },
  'path-clash': (d) => ({
    title: str(d, 'as') === 'folder'
      ? `${str(d, 'path') ?? 'This name'} is also a folder in the vault`
      : `${str(d, 'other') ?? 'A folder of this path'} is an item, not a folder`,
    hint: 'A file and a folder cannot have the same name. Rename one of them, then try again.',
  }),
  conflict: (d) => str(d, 'reason') === 'rekey-missed'
    ? { title: `${str(d, 'path') ?? 'An item'} was added under the old keys while the re-key ran`, hint: 'Re-key the vault again. Keep the old keys until it finishes with no failure.' }
    : {
        title: 'Someone else changed the vault at the same time',
        hint: 'Nothing was overwritten. Refresh the list and try again.',
      },
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
  'vault-corrupt': (d) =>
    str(d, 'reason') === 'vault-id-changed'
      ? {
          title: 'The vault settings belong to another vault',
          hint: 'Every item in this folder belongs to one vault, and vault.json names another. The items are fine: do not delete them. Restore vault.json from a backup or another synced copy.',
        }
      : str(d, 'reason') === 'config-mac'
        ? {
            title: 'The vault settings were changed outside Cachet',
            hint: 'vault.json fails its authentication: someone with access to the folder may have added or removed a key. The items are not affected. Restore vault.json from a backup or another synced copy.',
          }
        : {
            title: 'The vault settings are damaged',
            hint: 'vault.json could not be read. Restore it from a backup or another synced copy; the items themselves are separate files.',
          },
  'vault-keys-changed': (d) => ({
    title: str(d, 'reason') === 'downgrade' ? 'The vault settings lost their protection' : "The vault's keys changed",
    hint: `This computer last saw other keys for this vault${str(d, 'known') ? ` (${str(d, 'known')})` : ''}, and no key it trusts vouches for the change. Nothing was sealed under the new keys. Ask the team who re-keyed it, or restore vault.json from a backup.`,
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
  's3-access-denied': (d) => ({
    title: `Amazon S3 denied ${str(d, 'operation') ?? 'access'}${str(d, 'location') ? ` on ${str(d, 'location')}` : ''}`,
    hint: `${str(d, 'identity') ?? 'The signed-in identity'} may not call ${str(d, 'action') ?? 's3:GetObject'}${str(d, 'resource') ? ` on ${str(d, 'resource')}` : ''}. Ask your AWS administrator for it (bucket policy or IAM), or choose another profile.`,
  }),
  'cloudtrail-access-denied': (d) => ({
    title: 'AWS CloudTrail denied reading the access history',
    hint: `${str(d, 'identity') ?? 'The signed-in identity'} may not call cloudtrail:LookupEvents. Ask your AWS administrator for {"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"}, or choose another profile.`,
  }),
  's3-bucket-not-found': (d) => ({
    title: `There is no S3 bucket ${str(d, 'bucket') ?? 'by that name'}`,
    hint: 'Check the bucket name, and that the chosen profile belongs to the account that owns it.',
  }),
  's3-error': (d) => str(d, 'reason') === 'throttled'
    ? { title: 'Amazon S3 is busy', hint: 'S3 asked Cachet to slow down and retries ran out. Wait a minute and try again; finished items are kept.' }
    : str(d, 'reason') === 'wrong-region'
      ? { title: 'The bucket is in another region', hint: `Choose the region ${str(d, 'bucketRegion') ?? 'of the bucket'} for this profile, then try again.` }
      : { title: 'Amazon S3 reported an error', hint: 'Try again in a moment. If it persists, check the bucket in the AWS console.' },
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

/** Every bad-request reason that has words; the test compares this with BAD_REQUEST_REASONS. */
export function describedReasons(): string[] {
  return Object.keys(BAD_REQUEST);
}

/** Every code that has a message; the test compares this with ERROR_CODES. */
export function describedCodes(): string[] {
  return Object.keys(MESSAGES);
}
