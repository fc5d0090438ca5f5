// argv -> a checked command: which command, its positionals and its options (node:util
// parseArgs, strict). It does not run anything and does not touch the environment; a wrong
// command line throws UsageError, which the CLI turns into exit code 2.

import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose help the hint should point to, if known. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

export type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

interface CommandSpec {
  /** Names of the positionals, for messages; a trailing `...` takes one or more. */
  readonly args: readonly string[];
  /** Fewest and most positionals (Infinity for a list). */
  readonly min: number;
  readonly max: number;
  readonly options: Readonly<Record<string, OptionSpec>>;
}

export const GLOBAL_OPTIONS = {
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies Record<string, OptionSpec>;

const json = { json: { type: 'boolean' } } as const;
const output = { output: { type: 'string', short: 'o' } } as const;

export const ON_CONFLICT = ['fail', 'replace', 'keep-both', 'skip'] as const;
export type OnConflict = (typeof ON_CONFLICT)[number];

/** The shells `cachet completion <shell>` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export const COMMANDS = {
  init: { args: ['<vault>'], min: 1, max: 1, options: { 'kms-key': { type: 'string', multiple: true }, local: { type: 'boolean' } } },
  add: { args: ['<vault>', '<path>...'], min: 2, max: Infinity, options: { to: { type: 'string' }, 'on-conflict': { type: 'string' }, ...json } },
  ls: { args: ['<vault>'], min: 1, max: 1, options: json },
  get: { args: ['<vault>', '<item>'], min: 2, max: 2, options: { ...output, 'version-id': { type: 'string' } } },
  mv: { args: ['<vault>', '<item>', '<new-path>'], min: 3, max: 3, options: json },
  rm: { args: ['<vault>', '<item>'], min: 2, max: 2, options: json },
  rekey: { args: ['<vault>', '<item>...'], min: 1, max: Infinity, options: { to: { type: 'string', multiple: true }, ...json } },
  verify: { args: ['<vault>'], min: 1, max: 1, options: json },
  status: { args: ['<vault>'], min: 1, max: 1, options: json },
  history: { args: ['<vault>', '[item]'], min: 1, max: 2, options: { since: { type: 'string' }, ...json } },
  forget: { args: ['<vault>'], min: 1, max: 1, options: json },
  versions: { args: ['<vault>', '<item>'], min: 1, max: 2, options: { deleted: { type: 'boolean' }, ...json } },
  restore: { args: ['<vault>', '<item>', '<version-id>'], min: 3, max: 3, options: json },
  encrypt: { args: ['<file>'], min: 1, max: 1, options: { 'kms-key': { type: 'string', multiple: true }, local: { type: 'boolean' }, ...output } },
  decrypt: { args: ['<file.env>'], min: 1, max: 1, options: output },
  inspect: { args: ['<file.env>'], min: 1, max: 1, options: json },
  profiles: { args: [], min: 0, max: 0, options: json },
  keys: { args: [], min: 0, max: 0, options: json },
  'create-key': { args: [], min: 0, max: 0, options: { alias: { type: 'string' }, description: { type: 'string' }, ...json } },
  help: { args: ['[command]'], min: 0, max: 1, options: {} },
  version: { args: [], min: 0, max: 0, options: {} },
  completion: { args: ['<shell>'], min: 1, max: 1, options: {} },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
/** The commands main.ts runs a handler for (help and version are answered by the parser). */
export type RunnableCommand = Exclude<CommandName, 'help' | 'version'>;

export function isCommandName(s: string): s is CommandName {
  return Object.hasOwn(COMMANDS, s);
}

export interface GlobalOptions {
  profile?: string;
  region?: string;
  /** Every AWS service the command calls goes here (as AWS_ENDPOINT_URL does; the AWS CLI's flag). */
  endpointUrl?: string;
}

export type Parsed =
  | { kind: 'help'; command?: CommandName }
  | { kind: 'version' }
  | { kind: 'run'; command: RunnableCommand; positionals: string[]; values: Record<string, string | boolean | string[] | undefined>; global: GlobalOptions };

/** Global options that take a value, so the scan for the command name can skip their values. */
const VALUED_GLOBALS = new Set(['--profile', '--region', '--endpoint-url']);

/**
 * Parses a whole argv (without node and the script). Global options may come before or after
 * the command name.
 */
export function parseCommandLine(argv: readonly string[]): Parsed {
  let index = -1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (VALUED_GLOBALS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    index = i;
    break;
  }
  if (index < 0) {
    // No command: only global flags are allowed here (--help, --version).
    const g = parseOrThrow([...argv], GLOBAL_OPTIONS, undefined);
    if (g.positionals.length > 0) throw new UsageError(`unexpected argument '${g.positionals[0]}'`);
    if (g.values.version) return { kind: 'version' };
    return { kind: 'help' };
  }
  const name = argv[index]!;
  if (!isCommandName(name)) throw new UsageError(`unknown command '${name}'`);
  const spec: CommandSpec = COMMANDS[name];
  const rest = [...argv.slice(0, index), ...argv.slice(index + 1)];
  const { values, positionals } = parseOrThrow(rest, { ...GLOBAL_OPTIONS, ...spec.options }, name);

  if (name === 'help') {
    const topic = positionals[0];
    if (topic !== undefined && !isCommandName(topic)) throw new UsageError(`no help for unknown command '${topic}'`);
    return topic === undefined ? { kind: 'help' } : { kind: 'help', command: topic };
  }
  if (values.help) return { kind: 'help', command: name };
  if (values.version || name === 'version') return { kind: 'version' };

  if (positionals.length < spec.min) {
    const missing = spec.args[positionals.length] ?? spec.args[spec.args.length - 1];
    throw new UsageError(`'${name}' needs ${missing}`, name);
  }
  if (positionals.length > spec.max) {
    throw new UsageError(`'${name}' takes ${spec.max === 0 ? 'no arguments' : `at most ${spec.max} argument${spec.max === 1 ? '' : 's'}`}; got '${positionals[spec.max]}'`, name);
  }
  const global: GlobalOptions = {};
  if (typeof values.profile === 'string') global.profile = values.profile;
  if (typeof values.region === 'string') global.region = values.region;
  const endpoint = values['endpoint-url'];
  if (typeof endpoint === 'string' && endpoint !== '') {
    // As the AWS CLI: a URL with a scheme (it refuses `localhost:4566` with "Bad value for --endpoint-url").
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      throw new UsageError(`--endpoint-url must be an http:// or https:// URL; got '${endpoint}'`, name);
    }
    global.endpointUrl = endpoint;
  }
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' && v === '' && k !== 'to') throw new UsageError(`--${k} needs a value`, name);
  }
  checkCommand(name, positionals, values);
  return { kind: 'run', command: name, positionals, values: values as Record<string, string | boolean | string[] | undefined>, global };
}

function parseOrThrow(args: string[], options: Record<string, OptionSpec>, command: string | undefined) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const msg = (e as Error).message.split('\n')[0]!;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const m = /'([^']+)'/.exec(msg);
      throw new UsageError(`unknown option ${m ? `'${m[1]}'` : ''}${command ? ` for '${command}'` : ''}`.replace('  ', ' '), command);
    }
    throw new UsageError(msg.replace(/^Option /, 'option '), command);
  }
}

/** `history --since` when not given: a week back. */
export const DEFAULT_SINCE = '7d';
const SINCE_RELATIVE_RE = /^(\d{1,4})([dh])$/;
const SINCE_DATE_RE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * `history --since`: `<N>d` / `<N>h` back from `now`, or an ISO 8601 date (`2026-11-30`, UTC) or
 * date-time with its zone. Undefined when it is neither, or in the future.
 */
export function parseSince(text: string, now: number = Date.now()): Date | undefined {
  const rel = SINCE_RELATIVE_RE.exec(text);
  const t = rel ? now - Number(rel[1]) * (rel[2] === 'd' ? 86_400_000 : 3_600_000) : SINCE_DATE_RE.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(t) || t > now ? undefined : new Date(t);
}

/** Rules parseArgs cannot say: required and exclusive options, allowed values. */
function checkCommand(name: CommandName, positionals: string[], values: Record<string, unknown>): void {
  const kms = (values['kms-key'] as string[] | undefined) ?? [];
  switch (name) {
    case 'init':
    case 'encrypt':
      if (kms.length === 0 && !values.local) throw new UsageError(`'${name}' needs --kms-key <key> or --local`, name);
      break;
    case 'add': {
      const oc = values['on-conflict'];
      if (oc !== undefined && !(ON_CONFLICT as readonly unknown[]).includes(oc)) {
        throw new UsageError(`--on-conflict must be one of ${ON_CONFLICT.join(', ')}; got '${String(oc)}'`, name);
      }
      break;
    }
    case 'rekey':
      if (!Array.isArray(values.to) || values.to.length === 0 || values.to.some((k) => k === '')) throw new UsageError(`'rekey' needs --to <key>`, name);
      break;
    case 'completion':
      if (!(SHELLS as readonly string[]).includes(positionals[0]!)) throw new UsageError(`'completion' takes one of ${SHELLS.join(', ')}; got '${positionals[0]}'`, name);
      break;
    case 'history':
      if (typeof values.since === 'string' && parseSince(values.since) === undefined) {
        throw new UsageError(`--since takes <N>d, <N>h or an ISO 8601 date in the past (2026-11-30, 2026-11-30T08:00:00Z); got '${values.since}'`, name);
      }
      break;
    case 'create-key':
      if (typeof values.alias !== 'string' || values.alias === '') throw new UsageError(`'create-key' needs --alias <name>`, name);
      break;
    default:
      break;
  }
}
