// @pure — no Node, Electron or DOM imports (test/layering.test.ts checks the tag).
// THE IPC contract between the renderer and main (STYLE "One IPC contract"). One `as const` map of
// channel -> { request, response } zod schemas, plus EVENTS (main -> renderer). Main validates every
// request against it at run time (the renderer is untrusted); the preload exposes exactly these
// channels; the renderer derives every type from here. Nobody writes `declare global` by hand.
//
// This file does not do IPC, touch electron, node or the DOM: it must bundle into the renderer.
// It lives at the root (not under main/) because main, the preload and the renderer all build on
// it; it sits above app/ (it imports app's pure modules) and app/ never imports it.
// It imports only zod, app/errors.ts, the pure app/vault/path-rules.ts (the vault-path rules the
// core applies too) and the zod-free ./names.ts (all the preload bundles at run time).
//
// Conventions
// - Every invoke resolves to `Result<Res<C>>`; it never rejects for an expected failure. Error
//   `code` is one of app/errors.ts ERROR_CODES; turn it into words in renderer/errors/messages.ts.
// - `FsPath` is an absolute path on this computer. Main accepts one only if it came from a main
//   dialog (dialog:* channels) or from a drop in this session (the preload's pathForFile registers
//   it with main); a folder grant covers what is inside it. Anything else -> 'permission-denied'.
// - A vault location is an FsPath or an S3 location `s3://bucket/prefix` (app/vault/s3-location.ts).
//   An S3 location needs no grant: what it reaches is what the person's IAM identity may reach,
//   and everything read from it is authenticated as for a folder (vault.json's MAC, SPEC §12).
// - `VaultPath` is an item path inside the vault (SPEC §5), by the core's own rules
//   (app/vault/path-rules.ts): what the core accepts, the contract accepts, and the other way round.
//   `VaultDir` is the same, or '' / '/' for the vault root, with one trailing '/' allowed.
// - Long work (add, export, rekey, verify) returns `{ jobId }` at once, then sends `job:progress`
//   (throttled to ~10/s per job) and exactly one `job:done`. Cancel with `job:cancel`.
// - Plaintext reaches the renderer only through `item:preview` (explicit, size-capped).
//
// CSP for renderer/index.html (main/window-policy.ts CSP_META; main also sends it as a header,
// plus frame-ancestors 'none'; test/main/window-policy.test.ts checks index.html carries it):
//   <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self';
//   style-src 'self'; img-src 'self' blob: data:; connect-src 'none'; object-src 'none';
//   frame-src 'self' blob:; base-uri 'none'; form-action 'none'">
//   (default-src 'none' covers fonts, workers, media: bundle no web fonts)
//   (no inline <script>/<style>, no style= attributes set from HTML; React's style props are fine)
// PDF preview: make a blob: URL (type application/pdf) from the preview bytes and show it in an
// <iframe> (frame-src blob:): Chromium's built-in PDF viewer renders it (main enables it with
// webPreferences.plugins = true; Electron 45 has no other plugin). No pdf.js, no plaintext on disk.
//
// Changelog (additive only after first publication; the renderer helper reads this):
//   v1 2026-11-28 first publication.
//   v1.1 JobResult.skipped (optional); aws:create-key alias may also be given as 'alias/NAME'.
//   v1.2 contract.ts sets z.config({ jitless: true }) (CSP: no eval); no shape change.
//   v1.3 job:progress fileBytes/fileTotal (optional): per-file progress of `current`. Names and
//        isVaultPath also live in the zod-free names.ts / vault-path.ts (re-exported); no shape change.
//   v1.5 VaultPath/VaultDir are the core's path rules (app/vault/path-rules.ts): `a:b.txt` and
//        `C:notes.txt` are item paths; control characters, lone surrogates, more than 64 segments,
//        segments over 255 or paths over 4096 UTF-8 bytes are not; VaultDir also takes '/' and 'a/'.
//        isVaultPath is no longer exported (the renderer imports the rules themselves). The
//        contract moved from main/ipc/contract.ts and main/ipc/names.ts to contract/ipc.ts and
//        contract/names.ts.
//   v1.4 bounds (test/hardening/ipc.test.ts): every request string, array and record has a maximum
//        (ids, AwsSelection strings, alias); items:add `decisions` keys are VaultPaths (main refused
//        others already) and at most 100,000. Main also refuses a raw request over its size
//        budget (handlers.ts REQUEST_LIMITS) before parsing it: 'bad-request', reason 'too-large'.
//   v1.6 vault:status (issue 14: the Status panel): what `cachet status --json` reports, from
//        app/vault/vault-status.ts.
//   v1.7 Settings.lockOnSystemLock: lock when the computer sleeps or its screen locks (default on).
//   v1.8 the `menu:command` event: the application menu's Add files, Add folder, Find, Status,
//        Verify, Lock and Settings, carried out by the window.
//   v1.9 envelope:inspect, envelope:decrypt, envelope:add (a loose envelope the OS opened).
//   v1.11 vault:history (issue 14: the access-history view).
//   v1.12 vault:reveal; menu commands close-vault and reveal-vault.
//   v1.13 S3 vaults in the app (issue 13): vault:create / vault:open take an S3 location
//        (`s3://bucket/prefix`, VaultLocation) as well as a folder; s3:buckets and s3:browse find one.
//   v1.10 shell:show-in-folder (export and decrypt say where they wrote, with "Show in folder").
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode, type ErrorDetail } from '../app/errors.js';
import { isItemId, isKeyIdLength, ITEM_ID_LENGTH, MAX_KEY_ID_BYTES, MAX_VAULT_KEYS, PROVIDER_TYPES } from '../app/format/limits.js';
import { isValidFolderPath, isValidVaultPath } from '../app/vault/path-rules.js';
import { ALIAS_INPUT_PATTERN } from '../app/keys/alias-rules.js';
import { isS3Location, isValidS3Location } from '../app/vault/s3-location.js';
import { KEY_CONDITIONS } from '../app/keys/key-condition.js';
import { MAX_PASSPHRASE, newPassphraseProblem, passphraseLength } from '../app/keys/passphrase-rules.js';
import { MENU_COMMANDS, type ChannelName, type EventName as NamedEvent } from './names.js';

export { CHANNEL_NAMES, EVENT_NAMES, EVENT_PREFIX, GRANT_DROP_CHANNEL, INVOKE_CHANNEL, isChannel, isEventName, MENU_COMMANDS, type MenuCommand } from './names.js';

// No `new Function` probe or JIT-compiled parsers: under the renderer's CSP (no 'unsafe-eval') the
// probe alone is reported as a violation. Set here so every bundle of the contract gets it.
z.config({ jitless: true });

// ---------------------------------------------------------------------------------------------
// Building blocks

/** An item id: 32 lowercase hex digits (SPEC §3). */
export const ItemId = z.string().max(ITEM_ID_LENGTH).refine(isItemId, 'an item id is 32 lowercase hex digits');
export const JobId = z.string().max(68).regex(/^job-[0-9a-z-]{1,64}$/, 'not a job id');
export const TempId = z.string().max(68).regex(/^tmp-[0-9a-f]{16,64}$/, 'not a temp id');

export const VaultPath = z.string().refine(isValidVaultPath, 'not a relative path inside the vault');
/** A folder inside the vault; '' is the root. */
export const VaultDir = z.string().refine(isValidFolderPath, 'not a folder inside the vault');
/** Longest file-system path the contract accepts (UTF-16 units; a size bound, not a path rule). */
const MAX_FS_PATH = 4096;
/** An absolute path on this computer, from a dialog or a drop (see header). */
export const FsPath = z.string().min(1).max(MAX_FS_PATH).refine((p) => !p.includes('\0'), 'path holds NUL');

/** `s3://bucket` or `s3://bucket/prefix` by the core's rule (app/vault/s3-location.ts). */
export const S3Location = z.string().max(MAX_FS_PATH).refine(isValidS3Location, 'not an S3 location (s3://bucket/prefix)');
/** Where a vault is: an S3 location, or a folder on this computer (an FsPath). */
export const VaultLocation = FsPath.refine((p) => !isS3Location(p) || isValidS3Location(p), 'not an S3 location (s3://bucket/prefix)');

export const S3Place = z.strictObject({
  name: z.string(),
  location: z.string(),
  /** null: could not be read (access denied). */
  isVault: z.boolean().nullable(),
});
export const S3Level = z.strictObject({
  location: z.string(),
  isVault: z.boolean(),
  empty: z.boolean(),
  children: z.array(S3Place),
  truncated: z.boolean(),
});

export const KeyRef = z.strictObject({
  provider: z.enum(PROVIDER_TYPES),
  /** 1..2048 bytes of UTF-8 (SPEC §7); the max() bounds the work before the byte count. */
  keyId: z.string().max(MAX_KEY_ID_BYTES).refine(isKeyIdLength, `a key id is 1..${MAX_KEY_ID_BYTES} bytes of UTF-8`),
});

/** Asked per conflicting vault path when adding: replace the item, add beside it as "name (2)", or skip. */
export const ConflictDecision = z.enum(['replace', 'keep-both', 'skip']);

export const Item = z.strictObject({
  id: ItemId,
  path: VaultPath,
  size: z.number().int().nonnegative().nullable(),
  mtime: z.number().nullable(),
  /** Key ids of the item's stanzas (KMS ARN or local:<hex>). */
  keyIds: z.array(z.string()),
});

export const VaultSummary = z.strictObject({
  /** Absolute folder of the vault. */
  path: z.string(),
  /** Basename of the folder, for titles. */
  name: z.string(),
  id: z.string(),
  keys: z.array(KeyRef),
  itemCount: z.number().int().nonnegative(),
});

/** One key of the open vault, as `cachet status --json` reports it (app/keys/key-condition.ts keyReport). */
export const KeyReport = z.strictObject({
  provider: z.enum(PROVIDER_TYPES),
  keyId: z.string(),
  state: z.enum(KEY_CONDITIONS),
  healthy: z.boolean().nullable(),
  deletionDate: z.string().nullable(),
  rotation: z.boolean().nullable(),
  multiRegion: z.boolean().nullable(),
  items: z.number().int().nonnegative().nullable(),
  alone: z.number().int().nonnegative().nullable(),
  error: z.enum(ERROR_CODES).nullable(),
});

/** The open vault's key health: each key, and the items no healthy key opens (at risk). */
export const VaultHealth = z.strictObject({
  keys: z.array(KeyReport),
  atRisk: z.array(ItemId),
  uncertain: z.number().int().nonnegative(),
});

const ItemRefShape = z.strictObject({ id: ItemId, path: z.string() });

/** v1.6: the open vault's status panel, as `cachet status --json` (app/vault/vault-status.ts) without `kms`. */
export const VaultStatus = z.strictObject({
  vault: z.string(),
  location: z.string(),
  items: z.number().int().nonnegative().nullable(),
  unreadable: z.number().int().nonnegative(),
  keys: z.array(KeyReport),
  atRisk: z.array(ItemRefShape),
  uncertain: z.array(ItemRefShape),
  localKeyFile: z.strictObject({ path: z.string(), present: z.boolean() }),
  indexFresh: z.boolean().nullable(),
});

/** v1.11: who used the vault's data keys, from CloudTrail (app/keys/access-history.ts; `cachet history --json`). */
export const AccessHistoryT = z.strictObject({
  since: z.string(),
  events: z.array(z.strictObject({
    time: z.string(),
    operation: z.string(),
    identity: z.string().nullable(),
    sourceIp: z.string().nullable(),
    userAgent: z.string().nullable(),
    /** The item id the call was for (null: the vault's own keys, index and vault.json). */
    item: z.string().nullable(),
    /** That item's path now, when it is still in the vault. */
    path: z.string().nullable(),
  })).max(100_000),
  pages: z.number().int().nonnegative(),
  /** More events were left when the page limit was reached: narrow the window. */
  truncated: z.boolean(),
});

export const RecentVault = z.strictObject({
  path: z.string(),
  name: z.string(),
  /** ms since epoch */
  openedAt: z.number(),
});

export const Settings = z.strictObject({
  /** 0 = never auto-lock. */
  autoLockMinutes: z.number().int().min(0).max(24 * 60),
  /** v1.7: lock when the computer sleeps or its screen locks (default on). */
  lockOnSystemLock: z.boolean(),
});

export const LocalKeyStatus = z.strictObject({
  /** A local key file exists. */
  exists: z.boolean(),
  /** Its master key is in memory (usable for sealing/opening). */
  unlocked: z.boolean(),
  keyId: z.string().nullable(),
  /** How the key file's passphrase is kept: OS keychain (safeStorage) or typed by the user. */
  protection: z.enum(['safe-storage', 'passphrase']).nullable(),
  /** safeStorage can encrypt on this machine (false on Linux without a keyring: 'basic_text'). */
  safeStorageAvailable: z.boolean(),
});

export const AwsSelection = z.strictObject({
  profile: z.string().max(256).nullable(),
  region: z.string().max(64).nullable(),
});

export const AppState = z.strictObject({
  /** The open, unlocked vault. */
  vault: VaultSummary.nullable(),
  /** The vault that was locked (by the user or auto-lock); re-open it with vault:open. */
  lockedVault: z.strictObject({ path: z.string(), name: z.string() }).nullable(),
  recentVaults: z.array(RecentVault),
  aws: AwsSelection,
  localKey: LocalKeyStatus,
  settings: Settings,
  platform: z.enum(['linux', 'darwin', 'win32', 'other']),
});

export const AwsProfile = z.strictObject({
  name: z.string(),
  region: z.string().nullable(),
  kind: z.enum(['sso', 'assume-role', 'credential-process', 'static', 'other']),
});

export const KmsKey = z.strictObject({
  keyId: z.string(),
  arn: z.string(),
  aliases: z.array(z.string()),
  description: z.string(),
});

export const ErrorInfo = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.undefined()])),
});

/** v1.9: a loose envelope the OS opened (app:open-path 'envelope'): its header, and what a key at hand reads. */
export const EnvelopeInfo = z.strictObject({
  path: z.string(),
  fileSize: z.number().int().nonnegative(),
  /** The envelope file's modification time (ms). */
  modifiedAt: z.number(),
  /** The keys it is sealed under (SPEC §7 stanzas). */
  keys: z.array(KeyRef),
  /** The vault it was sealed for (an item file), or null for a loose file. */
  vault: z.string().nullable(),
  /** The sealed file's stored name, size and time, when a key at hand opens it. */
  content: z.strictObject({ path: z.string(), size: z.number().int().nonnegative().nullable(), mtime: z.number().nullable() }).nullable(),
  /** Why no key at hand opens it (content is null). */
  error: ErrorInfo.nullable(),
  /** The name a decrypted copy takes (app/loose-envelope.ts decryptedName), or null. */
  suggestedName: z.string().nullable(),
});

export const JobKind = z.enum(['add', 'export', 'rekey', 'verify']);

/** A planned add of one source file (items:plan-add). */
export const PlannedAdd = z.strictObject({
  source: z.string(),
  vaultPath: VaultPath,
  size: z.number().int().nonnegative(),
  /** Id of the item already at vaultPath, if any: ask the user (ConflictDecision). */
  existingId: ItemId.nullable(),
});

export const PreviewKind = z.enum(['text', 'image', 'pdf', 'binary']);

const Empty = z.strictObject({});
const Nothing = z.null();
const JobStarted = z.strictObject({ jobId: JobId });
const Ids = z.array(ItemId).min(1).max(100_000);
const MAX_DECISIONS = 100_000;
/** A new local-key passphrase: app/keys/passphrase-rules.ts, the one rule. */
const Passphrase = z.string().max(MAX_PASSPHRASE * 2).refine((p) => newPassphraseProblem(p) === undefined, 'not an acceptable new passphrase');

// ---------------------------------------------------------------------------------------------
// Channels (renderer -> main, request/response)

export const CHANNELS = {
  // app state
  'app:state': { request: Empty, response: AppState },
  /** The renderer saw user input (throttle to <= 1/10 s); resets the auto-lock timer. */
  'app:activity': { request: Empty, response: Nothing },
  'settings:get': { request: Empty, response: Settings },
  'settings:set': { request: Settings.partial().strict(), response: Settings },

  // vaults
  /** Create a new vault in an empty (or new) folder and open it. */
  'vault:create': { request: z.strictObject({ path: VaultLocation, keys: z.array(KeyRef).min(1).max(MAX_VAULT_KEYS) }), response: VaultSummary },
  'vault:open': { request: z.strictObject({ path: VaultLocation }), response: VaultSummary },
  'vault:close': { request: Empty, response: Nothing },
  /** Close the vault, zero keys, wipe temp copies; remembers it as lockedVault. */
  'vault:lock': { request: Empty, response: Nothing },
  'vault:forget-recent': { request: z.strictObject({ path: z.string().max(MAX_FS_PATH) }), response: z.array(RecentVault) },
  /** Re-key every item (or `ids`) to `keys`, which become the vault's keys when all items are done. */
  'vault:rekey': { request: z.strictObject({ keys: z.array(KeyRef).min(1).max(MAX_VAULT_KEYS), ids: Ids.optional() }), response: JobStarted },
  'vault:verify': { request: Empty, response: JobStarted },
  'vault:health': { request: Empty, response: VaultHealth },
  /** v1.6: keys by state, items per key, at-risk items, the local key file, the index's freshness. */
  'vault:status': { request: Empty, response: VaultStatus },
  /** v1.12: show the open vault's folder in the system's file manager (a local vault). */
  'vault:reveal': { request: Empty, response: Nothing },
  /** v1.11: the last `days` days of KMS calls for this vault (or one item), newest first. */
  'vault:history': { request: z.strictObject({ days: z.number().int().min(1).max(90), item: ItemId.optional() }), response: AccessHistoryT },

  // dialogs (main shows them; the chosen paths become granted)
  'dialog:pick-folder': {
    request: z.strictObject({ purpose: z.enum(['create-vault', 'open-vault', 'export', 'add']), title: z.string().max(200).optional() }),
    response: z.strictObject({ path: z.string().nullable() }),
  },
  'dialog:pick-files': {
    request: z.strictObject({ title: z.string().max(200).optional() }),
    response: z.strictObject({ paths: z.array(z.string()) }),
  },
  'dialog:save': {
    request: z.strictObject({ suggestedName: z.string().min(1).max(255), title: z.string().max(200).optional() }),
    response: z.strictObject({ path: z.string().nullable() }),
  },

  // items
  'items:list': { request: Empty, response: z.strictObject({ items: z.array(Item) }) },
  /** Walk the sources (files and folders) and say where each lands and what already exists. */
  'items:plan-add': {
    request: z.strictObject({ sources: z.array(FsPath).min(1).max(10_000), to: VaultDir }),
    response: z.strictObject({ entries: z.array(PlannedAdd), totalBytes: z.number().nonnegative() }),
  },
  /** Seal sources into folder `to`. `decisions` by vaultPath; a conflict without one uses `onConflict`. */
  'items:add': {
    request: z.strictObject({
      sources: z.array(FsPath).min(1).max(10_000),
      to: VaultDir,
      decisions: z.record(VaultPath, ConflictDecision)
        .refine((d) => Object.keys(d).length <= MAX_DECISIONS, `at most ${MAX_DECISIONS} decisions`)
        .optional(),
      onConflict: ConflictDecision.default('skip'),
    }),
    response: JobStarted,
  },
  'job:cancel': { request: z.strictObject({ jobId: JobId }), response: z.strictObject({ cancelled: z.boolean() }) },
  /**
   * Decrypt into memory for in-app preview. Never written to disk. `maxBytes` caps the bytes
   * returned (default 1 MiB for text, 32 MiB otherwise, hard cap 64 MiB); `truncated` says so.
   */
  'item:preview': {
    request: z.strictObject({ id: ItemId, maxBytes: z.number().int().min(1).max(64 * 1024 * 1024).optional() }),
    response: z.strictObject({
      id: ItemId,
      kind: PreviewKind,
      mediaType: z.string(),
      data: z.instanceof(Uint8Array),
      size: z.number().int().nonnegative().nullable(),
      truncated: z.boolean(),
    }),
  },
  /** Decrypt to the private temp folder, open with the OS default app, watch it for edits (temp:edited). */
  'item:open-external': {
    request: z.strictObject({ id: ItemId }),
    response: z.strictObject({ tempId: TempId, name: z.string() }),
  },
  /** Re-seal an edited temp copy into the vault as the same item (atomic). */
  'temp:save-back': { request: z.strictObject({ tempId: TempId }), response: Item },
  /** Wipe one temp copy now. */
  'temp:discard': { request: z.strictObject({ tempId: TempId }), response: Nothing },
  /** Decrypt copies of `ids` into granted folder `to` (from dialog:pick-folder). Never overwrites: "name (2)". */
  'items:export': {
    request: z.strictObject({ ids: Ids, to: FsPath, keepFolders: z.boolean().default(false) }),
    response: JobStarted,
  },
  /** Export one item to a path chosen with dialog:save (overwrites that path: the user confirmed it). */
  'item:export-as': { request: z.strictObject({ id: ItemId, to: FsPath }), response: Nothing },

  // a loose envelope the OS opened (v1.9; `path` must be granted: main grants what the OS opens)
  'envelope:inspect': { request: z.strictObject({ path: FsPath }), response: EnvelopeInfo },
  /** Decrypt to `to` (chosen in dialog:save); nothing is written unless every chunk authenticates. */
  'envelope:decrypt': { request: z.strictObject({ path: FsPath, to: FsPath }), response: Nothing },
  /** Add its content into the open vault at `to` (an existing item there is an 'exists' error). */
  'envelope:add': { request: z.strictObject({ path: FsPath, to: VaultPath }), response: Item },
  /** v1.10: show a file Cachet wrote (an export, a decrypted envelope) in the system's file manager; granted paths only. */
  'shell:show-in-folder': { request: z.strictObject({ path: FsPath }), response: Nothing },
  /**
   * Drag items out of the window: call from `dragstart` (after preventDefault). Main decrypts to
   * the temp folder and calls webContents.startDrag with those files.
   */
  'items:drag-out': { request: z.strictObject({ ids: z.array(ItemId).min(1).max(100) }), response: Nothing },
  'item:rename': { request: z.strictObject({ id: ItemId, path: VaultPath }), response: Item },
  /** Move items into folder `to`, keeping their names. */
  'items:move': { request: z.strictObject({ ids: Ids, to: VaultDir }), response: z.strictObject({ items: z.array(Item) }) },
  'items:delete': { request: z.strictObject({ ids: Ids }), response: z.strictObject({ deleted: z.number().int().nonnegative() }) },

  // AWS (all calls are made by main; credentials never cross)
  'aws:profiles': { request: Empty, response: z.strictObject({ profiles: z.array(AwsProfile) }) },
  'aws:set-profile': { request: AwsSelection, response: AwsSelection },
  /** STS GetCallerIdentity for the chosen (or given) profile. */
  'aws:identity': {
    request: z.strictObject({ profile: z.string().max(256).optional(), region: z.string().max(64).optional() }),
    response: z.strictObject({ account: z.string(), arn: z.string(), userId: z.string() }),
  },
  /** Usable keys only: enabled, symmetric, ENCRYPT_DECRYPT. */
  'aws:keys': { request: Empty, response: z.strictObject({ keys: z.array(KmsKey) }) },
  'aws:create-key': {
    request: z.strictObject({
      /** `name` or `alias/name`: letters, digits, / _ - (not alias/aws/...). */
      alias: z.string().max(256).regex(ALIAS_INPUT_PATTERN, 'alias: letters, digits, / _ -'),
      description: z.string().max(8192).optional(),
    }),
    response: KmsKey,
  },

  // S3 vaults (v1.13): find one with the chosen AWS profile
  /** The buckets the profile may list (ListBuckets); a profile without s3:ListAllMyBuckets gets s3-access-denied. */
  's3:buckets': { request: Empty, response: z.strictObject({ buckets: z.array(z.string()), truncated: z.boolean() }) },
  /** What is at `location` (a vault? empty?) and the prefixes one level below it, each marked if it holds a vault. */
  's3:browse': { request: z.strictObject({ location: S3Location }), response: S3Level },

  // local key (SPEC §8)
  /** 'safe-storage': random passphrase kept by the OS keychain; 'passphrase': the user's. */
  'local-key:create': {
    request: z.discriminatedUnion('protection', [
      z.strictObject({ protection: z.literal('safe-storage') }),
      z.strictObject({ protection: z.literal('passphrase'), passphrase: Passphrase }),
    ]),
    response: LocalKeyStatus,
  },
  /** Unlock with the OS keychain (no passphrase) or the typed passphrase. */
  'local-key:unlock': { request: z.strictObject({ passphrase: z.string().max(MAX_PASSPHRASE * 2).refine((p) => passphraseLength(p) <= MAX_PASSPHRASE).optional() }), response: LocalKeyStatus },
} as const;

// ---------------------------------------------------------------------------------------------
// Events (main -> renderer)

export const JobResult = z.strictObject({
  /** vaultPath, item id or source path: whatever names the unit of work. */
  ref: z.string(),
  ok: z.boolean(),
  /** ok and nothing done: an add skipped by a conflict decision. */
  skipped: z.boolean().optional(),
  error: ErrorInfo.optional(),
});

export const EVENTS = {
  'job:progress': z.strictObject({
    jobId: JobId,
    kind: JobKind,
    bytesDone: z.number().nonnegative(),
    bytesTotal: z.number().nonnegative().nullable(),
    filesDone: z.number().int().nonnegative(),
    filesTotal: z.number().int().nonnegative().nullable(),
    /** The unit being worked on now (vault path or item id). */
    current: z.string().nullable(),
    /** v1.3: bytes done of `current` (absent when there is none or it is not counted in bytes). */
    fileBytes: z.number().nonnegative().optional(),
    /** v1.3: the size of `current`; null when unknown. */
    fileTotal: z.number().nonnegative().nullable().optional(),
  }),
  'job:done': z.strictObject({
    jobId: JobId,
    kind: JobKind,
    status: z.enum(['ok', 'partial', 'failed', 'cancelled']),
    /** Failed units always; successful ones too, up to 1000. */
    results: z.array(JobResult),
    succeeded: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    /** A failure of the job as a whole (not of one unit). */
    error: ErrorInfo.optional(),
  }),
  /** Items were added, changed or removed: re-fetch items:list. */
  'vault:changed': z.strictObject({}),
  'vault:locked': z.strictObject({
    reason: z.enum(['user', 'idle', 'system', 'quit']),
    /** Temp ids of edited copies an auto-lock or system lock kept (nobody was there to ask). */
    kept: z.array(z.string().max(64)).max(10_000),
  }),
  /** Something in AppState changed (vault opened/closed, local key, settings, profile). */
  'app:state-changed': AppState,
  /** A temp copy opened with the default app changed on disk: offer temp:save-back. */
  'temp:edited': z.strictObject({ tempId: TempId, itemId: ItemId, vaultPath: z.string(), modifiedAt: z.number() }),
  /**
   * The OS asked Cachet to open a path (a double-click, the command line, a second launch, macOS
   * open-file; main/open-request.ts): a vault folder (by its vault.json) or a sealed envelope (by
   * its magic). Main has already granted read access to `path`.
   */
  'app:open-path': z.strictObject({ kind: z.enum(['vault', 'envelope']), path: z.string() }),
  /** v1.8: an item of the application menu (main/menu.ts) the window carries out, as its own button would. */
  'menu:command': z.strictObject({ command: z.enum(MENU_COMMANDS) }),
} as const;

// ---------------------------------------------------------------------------------------------
// Derived types

export type Channels = typeof CHANNELS;
export type Channel = keyof Channels;
/** What the renderer passes (defaults may be omitted). */
export type Req<C extends Channel> = z.input<Channels[C]['request']>;
/** What main's handler receives (defaults applied). */
export type ParsedReq<C extends Channel> = z.output<Channels[C]['request']>;
export type Res<C extends Channel> = z.output<Channels[C]['response']>;

export type ErrorPayload = { code: ErrorCode; message: string; detail: ErrorDetail };
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

export type Events = typeof EVENTS;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export type ItemT = z.output<typeof Item>;
export type VaultSummaryT = z.output<typeof VaultSummary>;
export type AppStateT = z.output<typeof AppState>;
export type SettingsT = z.output<typeof Settings>;
export type LocalKeyStatusT = z.output<typeof LocalKeyStatus>;
export type KeyRefT = z.output<typeof KeyRef>;
export type S3LevelT = z.output<typeof S3Level>;
export type KeyReportT = z.output<typeof KeyReport>;
export type VaultHealthT = z.output<typeof VaultHealth>;
export type VaultStatusT = z.output<typeof VaultStatus>;
export type EnvelopeInfoT = z.output<typeof EnvelopeInfo>;
export type PlannedAddT = z.output<typeof PlannedAdd>;
export type JobResultT = z.output<typeof JobResult>;
export type ConflictDecisionT = z.output<typeof ConflictDecision>;

// names.ts lists the same names for the preload (no zod there). Either assignment fails to
// compile when a channel or event is in one place and not the other.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AssertTrue<T extends true> = T;
export type ChannelNamesInSync = AssertTrue<SameKeys<Channel, ChannelName>>;
export type EventNamesInSync = AssertTrue<SameKeys<EventName, NamedEvent>>;

/** What the preload exposes as `window.cachet`. */
export interface CachetBridge {
  invoke<C extends Channel>(channel: C, request: Req<C>): Promise<Result<Res<C>>>;
  /** Subscribe; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** The absolute path of a dropped File (webUtils.getPathForFile); '' if it has none. Grants it to main. */
  pathForFile(file: File): string;
}
