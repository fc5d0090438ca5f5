// What every command gets: the streams, the environment, the abort signal of Ctrl-C, the lazy
// keys, a progress bar on stderr, and `fail()` to print one failure (what, why, hint). It holds
// no state between commands; main.ts makes one per process.

import { CachetError } from '../errors.js';
import type { AwsClientOptions } from '../keys/aws-config.js';
import type { GlobalOptions } from './args.js';
import type { CliKeys } from './keys.js';
import { formatFailure } from './messages.js';
import { printable } from './terminal-text.js';
import { escapesAllowed, ProgressBar } from './progress.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** verify: nothing found damaged, but some items could not be checked (a key refused or out of reach). */
export const EXIT_UNCHECKED = 3;
/** 128 + SIGINT, as shells report a command stopped by Ctrl-C. */
export const EXIT_CANCELLED = 130;
/** 128 + SIGPIPE: stdout was closed by its reader (`cachet get v x -o - | head`), as shells report it for other tools. */
export const EXIT_PIPE = 141;
/** The abort reason when stdout's reader went away: the command stops quietly with EXIT_PIPE. */
export const OUTPUT_CLOSED: unique symbol = Symbol('cachet: output closed');

export interface Io {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export class Context {
  readonly io: Io;
  readonly signal: AbortSignal;
  readonly global: GlobalOptions;
  readonly keys: CliKeys;
  readonly progress: ProgressBar;
  readonly debug: boolean;
  /** Profile, region and retry settings for every AWS client of this command. */
  readonly aws: AwsClientOptions;
  #failures = 0;

  constructor(io: Io, signal: AbortSignal, global: GlobalOptions, keys: CliKeys, aws: AwsClientOptions) {
    this.aws = aws;
    this.io = io;
    this.signal = signal;
    this.global = global;
    this.keys = keys;
    this.debug = io.env.CACHET_DEBUG === '1';
    this.progress = new ProgressBar(io.stderr, { enabled: io.stderr.isTTY === true && escapesAllowed(io.env) });
  }

  get failures(): number {
    return this.#failures;
  }

  /** Prints one failure: `cachet: <what>: <why>` and a hint line. A cancel is rethrown, not counted. */
  fail(what: string | undefined, e: unknown): void {
    this.report(what, e);
    this.#failures++;
  }

  /** Prints one problem like fail() (what, why, hint) without counting it as a failure. */
  report(what: string | undefined, e: unknown): void {
    if (e instanceof CachetError && e.code === 'cancelled') throw e;
    this.progress.end();
    this.io.stderr.write(formatFailure(what, e, { debug: this.debug }));
  }

  /** A note on stderr (not data): "added 3 items". Quiet stays quiet only for progress. */
  note(text: string): void {
    this.progress.end();
    this.io.stderr.write(`${printable(text)}\n`);
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  /** A --json answer on stdout: indented, one trailing newline (the shapes are in usage.ts). */
  json(value: unknown): void {
    this.out(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Exit code for a command that reports failures one by one. */
  exitCode(): number {
    return this.#failures > 0 ? EXIT_FAILED : EXIT_OK;
  }
}
