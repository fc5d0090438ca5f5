// The CLI's usage text: the overview `cachet help` prints and one paragraph per command for
// `cachet help <command>`. It does not parse anything (args.ts does); it is only words.

export const USAGE = `Usage: cachet <command> [options]

Vaults (a vault is a folder of sealed items, or an S3 prefix: <vault> = s3://bucket/prefix):
  cachet init <vault> (--kms-key <id|alias/NAME|arn>)... [--local]
  cachet add <vault> <path>... [--to <folder>] [--on-conflict fail|replace|keep-both|skip] [--json]
  cachet ls <vault> [--json]
  cachet get <vault> <item> [-o <path>] [--version-id <id>]   <item>: a vault path, a folder or an id; -o - = stdout
  cachet mv <vault> <item> <new-path> [--json]
  cachet rm <vault> <item> [--json]
  cachet rekey <vault> (--to <key>)... [<item>...] [--json]  <key>: a KMS key (id, alias/NAME, ARN) or "local"
  cachet verify <vault> [--json]
  cachet status <vault> [--json]             keys and their state, items per key, items at risk
  cachet history <vault> [<item>] [--since <date|Nd|Nh>] [--json]   who used the keys, from CloudTrail
  cachet forget <vault> [--json]             forget the key set this machine accepted for <vault>
  cachet versions <vault> (<item> | --deleted) [--json]   earlier versions (S3 vaults with versioning)
  cachet restore <vault> <item> <version-id> [--json]     make an earlier version current again

Single files (one envelope, no vault):
  cachet encrypt <file> (--kms-key <key>... | --local) [-o <file.env>]   <file>: - = stdin
  cachet decrypt <file.env> [-o <file>]                                  -o - = stdout
  cachet inspect <file.env> [--json]          <file.env>: - = stdin (then stdout is the default output)

AWS:
  cachet profiles [--json]
  cachet keys [--json]
  cachet create-key --alias <name> [--json]

  cachet help [command] | --help
  cachet version | -V | --version
  cachet completion bash|zsh|fish            a shell completion script on stdout

--json prints one JSON value on stdout (failures are still told on stderr; same exit code).
  <failure> = {"item","path","source","error"} (strings or null; error: an error code)
  <usage> = {"requests","byOperation","throttled","retries","estimatedCostUsd"}, the command's KMS
    requests (null when it made none); the cost is an estimate at $0.03 per 10,000 requests

Global options:
  --profile <name>   AWS profile (default: AWS_PROFILE, AWS_DEFAULT_PROFILE, then "default")
  --region <region>  AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region)
  --endpoint-url <url>  send every AWS request of the command there (KMS, STS, S3: an emulator or a
                     proxy), as AWS_ENDPOINT_URL does (default: AWS_ENDPOINT_URL_<SERVICE>, the profile's)

Environment:
  CACHET_PASSPHRASE  the local key's passphrase (otherwise asked on the terminal)
  CACHET_HOME        folder of the local key file (default: ~/.cachet)
  CACHET_DEBUG=1     print stack traces of failures and of the errors behind them (SDK, OS)
  NO_COLOR, TERM=dumb  no escape codes on the terminal (no progress bar)
  AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_KMS, AWS_MAX_ATTEMPTS, AWS_CA_BUNDLE, HTTPS_PROXY, NO_PROXY
  and the other AWS CLI / SDK variables apply (README "Using AWS")

Exit codes: 0 ok, 1 failed, 2 usage error, 3 verify could not check some items (none damaged),
  130 cancelled (Ctrl-C),
  141 output closed (the reader of stdout went away, e.g. '| head'; nothing is printed, as for SIGPIPE)
`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  init: `Usage: cachet init <vault> (--kms-key <id|alias/NAME|arn>)... [--local]

Creates a vault in the folder <vault> (made if missing; it must be empty). Every item is sealed
under each key given; any one of them opens it. --local uses the local key, and creates the local
key file first if it is missing (asking for a new passphrase twice, or using CACHET_PASSPHRASE).
`,
  add: `Usage: cachet add <vault> <path>... [--to <folder>] [--on-conflict fail|replace|keep-both|skip] [--json]

Seals files into the vault. A folder is added with its relative paths under its own name.
--to puts them under <folder> in the vault. --on-conflict says what to do when an item of the
same path exists (default: fail, which reports it and goes on with the other files). A path that
is a folder of an item (or an item's name used as a folder) is refused whatever --on-conflict
says: no file system holds a file and a folder of one name. --json prints
{"added":[{"id","path","size"}],"skipped":[<vault path>],"failed":[<failure>],"ignored":[<failure>]}
(ignored: links and special files inside a folder; a path named on the command line that is not
added is failed).
`,
  ls: `Usage: cachet ls <vault> [--json]

Lists the items: path, size, modified time and keys. --json prints
[{"id","path","size","modified","keys"}] with modified as ISO 8601 (or null).
`,
  get: `Usage: cachet get <vault> <item> [-o <path>] [--version-id <id>]

Extracts an item (by vault path or id) to <path> (default: its file name in the current folder;
an existing folder receives it under its own name). A vault folder extracts every item under it
into <path>/<folder>/... (default: the current folder); <folder>/ names the folder even where an
item has the same name (vaults made before Cachet refused that). -o - writes one item's verified
plaintext to stdout. An existing file is never overwritten. --version-id <id> extracts that earlier
version of the item (S3 vaults with versioning; \`cachet versions\` lists them; a deleted item is
named by its id).
`,
  mv: `Usage: cachet mv <vault> <item> <new-path> [--json]

Renames or moves an item within the vault. The content is not rewritten. --json prints
{"id","from","path"} (the old and the new vault path).
`,
  rm: `Usage: cachet rm <vault> <item> [--json]

Deletes an item from the vault, with any sync-conflicted copies of it (a Dropbox or Syncthing
copy left beside it would come back as the item); a note names them. --json prints
{"removed":{"id","path"},"copies":[<file name>]}.
`,
  rekey: `Usage: cachet rekey <vault> (--to <key>)... [<item>...] [--json]

Re-wraps the data keys of the items (default: all) under the given keys instead of their current
ones (a KMS key id, alias/NAME or ARN, or "local"; KMS ReEncrypt when both are KMS keys). The
content is not rewritten. Re-keying every item also makes these the vault's keys for new items.
--json prints {"done","keys":[<key id>],"failed":[<failure>],"kms":<usage>}.
`,
  verify: `Usage: cachet verify <vault> [--json]

Authenticates every item and reports each damaged one (its bytes do not authenticate, it is not an
item, or its file is gone though the index knew it) apart from each one that could not be checked
(access denied, a key disabled or out of reach, no credentials), then checks the vault's keys (KMS
DescribeKey): a key that is disabled or scheduled for deletion is warned about with its date and how
many items no other healthy key opens. Exit code 1 if any item is damaged or any key is disabled or
pending deletion; else 3 if any item could not be checked; else 0. --json prints
{"ok","bad":[<failure>],"unchecked":[<failure>],"keys":[<key>],"kms":<usage>} (ok: how many items
verified; bad: damaged; <key> as for status).
`,
  status: `Usage: cachet status <vault> [--json]

Summarises the vault's keys: each key's state (enabled, disabled, pending-deletion with its date,
pending-replica-deletion, unavailable, pending-import, wrong-usage, not-found, cannot-describe:
the identity may not call kms:DescribeKey, so Cachet cannot tell; local, local-elsewhere),
automatic rotation and multi-Region, how many items each key opens and how many it alone opens
(no other healthy key does), the items at risk (no healthy key opens them), where the local
key file is, and whether index.env matches the items (indexFresh; null when they could not be
listed). --json prints {"vault","location","items","unreadable","keys":[<key>],"atRisk":[{"id","path"}],
"uncertain":[{"id","path"}],"localKeyFile":{"path","present"},"indexFresh","kms":<usage>}, where <key> is
{"provider","keyId","state","healthy","deletionDate","rotation","multiRegion","items","alone","error"}.
`,
  history: `Usage: cachet history <vault> [<item>] [--since <date|Nd|Nh>] [--json]

Lists who used the vault's data keys (or one item's) and when, from AWS CloudTrail: each KMS
Decrypt, GenerateDataKey, ReEncrypt and Encrypt whose encryption context names this vault (and
item), with the time, the operation, the identity ARN, the source IP and the user agent. --since:
<N>d or <N>h back, or an ISO 8601 date (default 7d; CloudTrail keeps 90 days). Reads at most 2
pages a second (CloudTrail's limit), at most 100 pages; Ctrl-C stops it. Needs
cloudtrail:LookupEvents (Resource "*") in the region of the keys. --json prints
{"vault","item","since","events":[{"time","operation","identity","sourceIp","userAgent","item","path","eventId"}],"pages","truncated"}.
`,
  forget: `Usage: cachet forget <vault> [--json]

Forgets the key set this machine remembered for <vault> (CACHET_HOME/known-vaults/, SPEC §12), so
its next open accepts the vault's vault.json as on first use. For one case only: a team member
re-keyed the vault while the only key you knew was already retired ("the vault's keys changed").
Check the new keys with them first: forgetting also accepts keys that a writer of the vault's
storage added. Nothing in the vault is changed. --json prints {"vault","forgotten"}.
`,
  versions: `Usage: cachet versions <vault> <item> [--json]
       cachet versions <vault> --deleted [--json]

Lists an item's versions, newest first (when, current / earlier / deleted, size, version id), where
the vault is in an S3 bucket with versioning on; with --deleted, the items deleted from the vault
that can be brought back. Says so once when the bucket keeps no versions. --json prints
{"item","versioning","versions":[{"versionId","current","deleted","size","modified"}]} and, with
--deleted, {"versioning","deleted":[{"id","path","deletedAt","versionId","size","error"}]}.
`,
  restore: `Usage: cachet restore <vault> <item> <version-id> [--json]

Makes an earlier version of an item current again, by a copy inside S3 (nothing is downloaded); a
deleted item comes back (name it by its id, from \`cachet versions <vault> --deleted\`). Refused when
another item holds that version's path now: move that one first. --json prints {"id","path","versionId"}.
`,
  encrypt: `Usage: cachet encrypt <file> (--kms-key <key>... | --local) [-o <file.env>]

Seals one file into an envelope (default output: <file>.env). <file> - reads stdin and writes the
envelope to stdout unless -o names a file. Several keys may be combined, --local with --kms-key
too; any one of them opens the file.
`,
  decrypt: `Usage: cachet decrypt <file.env> [-o <file>]

Opens an envelope. Default output: the file name stored in the envelope (encrypt keeps the
original's), beside the envelope, unless it is hidden or unusable; else <file.env> without .env.
-o chooses; -o - writes the verified plaintext
to stdout. <file.env> - reads the envelope from stdin and writes to stdout unless -o names a file.
Nothing is written unless every chunk verifies; an existing file is not overwritten.
`,
  inspect: `Usage: cachet inspect <file.env> [--json]

Shows an envelope's version, chunk size, wrapped keys (provider, key) and encryption context,
without decrypting anything. <file.env> - reads the envelope from stdin.
`,
  profiles: `Usage: cachet profiles [--json]

Lists the AWS profiles of the shared config and credentials files, with region and type.
`,
  keys: `Usage: cachet keys [--json] [--profile <name>] [--region <region>]

Lists the KMS keys usable by Cachet (enabled, symmetric, ENCRYPT_DECRYPT) with their aliases.
`,
  'create-key': `Usage: cachet create-key --alias <name> [--description <text>] [--json] [--profile <name>] [--region <region>]

Creates a symmetric ENCRYPT_DECRYPT KMS key with the alias alias/<name>, and prints
"<key ARN><TAB>alias/<name>" (--json: {"arn","alias"}).
`,
  help: `Usage: cachet help [command]

Prints the overview, or the help of one command.
`,
  completion: `Usage: cachet completion bash|zsh|fish

Prints a completion script for the shell (commands, options, --on-conflict values; file names
otherwise), made from the same command table as this help. bash: eval "$(cachet completion bash)"
in ~/.bashrc; zsh: cachet completion zsh > "\${fpath[1]}/_cachet"; fish: cachet completion fish >
~/.config/fish/completions/cachet.fish.
`,
  version: `Usage: cachet version | -V | --version

Prints "cachet <version>" (the version of package.json).
`,
};
