// The `cachet` command's entry (bundled to dist/cli/cachet.js, run by bin/cachet.js): parses argv,
// wires Ctrl-C to an AbortController, runs one command and sets the exit code
// (0 ok, 1 failed, 2 usage, 130 cancelled, 141 output closed). Errors are printed here, once, at the boundary.

import { resolve } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { CachetError } from '../errors.js';
import type { AwsClientOptions } from '../keys/aws-config.js';
import { KmsUsage } from '../keys/kms-usage.js';
import { primeAllocator } from './allocator.js';
import { parseCommandLine, UsageError, type GlobalOptions, type RunnableCommand } from './args.js';
import { Context, EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_PIPE, EXIT_USAGE, OUTPUT_CLOSED, type Io } from './context.js';
import { createKeyCommand, decryptCommand, encryptCommand, inspectCommand, keysCommand, profilesCommand } from './file-commands.js';
import { completionCommand } from './completion.js';
import { CliKeys } from './keys.js';
import { formatFailure } from './messages.js';
import { isS3Location } from '../vault/s3-location.js';
import { COMMAND_HELP, USAGE } from './usage.js';
import { addCommand, getCommand, initCommand, lsCommand, mvCommand, rekeyCommand, rmCommand, historyCommand, statusCommand, verifyCommand, forgetCommand, versionsCommand, restoreCommand } from './vault-commands.js';
import { sweepHome } from '../fs/in-flight.js';

type Values = Record<string, string | boolean | string[] | undefined>;
type Handler = (ctx: Context, positionals: string[], values: Values) => Promise<number>;

const HANDLERS: Record<RunnableCommand, Handler> = {
  init: initCommand,
  add: addCommand,
  ls: lsCommand,
  get: getCommand,
  mv: mvCommand,
  rm: rmCommand,
  rekey: rekeyCommand,
  verify: verifyCommand,
  status: statusCommand,
  history: historyCommand,
  forget: forgetCommand,
  versions: versionsCommand,
  restore: restoreCommand,
  encrypt: encryptCommand,
  decrypt: decryptCommand,
  inspect: inspectCommand,
  profiles: profilesCommand,
  keys: keysCommand,
  'create-key': createKeyCommand,
  completion: completionCommand,
};

/** How long a cancelled command may take to clean up before the process exits anyway. */
const CANCEL_GRACE_MS = 10_000;

export async function runCli(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`cachet: ${e.message}\n  hint: run \`cachet help${e.command ? ` ${e.command}` : ''}\` for usage\n`);
    return EXIT_USAGE;
  }
  if (parsed.kind === 'version') {
    io.stdout.write(`cachet ${pkg.version}\n`);
    return EXIT_OK;
  }
  if (parsed.kind === 'help') {
    io.stdout.write(parsed.command ? COMMAND_HELP[parsed.command] ?? USAGE : USAGE);
    return EXIT_OK;
  }
  // One counter per command: every KMS client the command makes counts into it (kms-usage.ts).
  const aws: AwsClientOptions = { ...awsOptions(parsed.global), kmsUsage: new KmsUsage() };
  const keys = new CliKeys({
    aws,
    passphrase: { env: io.env, input: io.stdin, output: io.stderr, beforePrompt: () => ctx.progress.end() },
    env: io.env,
  });
  const ctx = new Context(io, signal, parsed.global, keys, aws);
  // Plaintext outputs and home temps of a Cachet process killed hard (SIGKILL, power loss): removed
  // by the next command, whichever it is (issue 16 #8). Cheap: two readdirs of small folders.
  await sweepHome();
  try {
    return await HANDLERS[parsed.command](ctx, parsed.positionals, parsed.values);
  } catch (e) {
    ctx.progress.end();
    // Quiet, like SIGPIPE. The sink may fail on the closed stdout before its 'error' event is seen.
    if ((signal.aborted && signal.reason === OUTPUT_CLOSED) || outputGone(io.stdout)) return EXIT_PIPE;
    if (signal.aborted || (e instanceof CachetError && e.code === 'cancelled')) {
      io.stderr.write('cachet: cancelled\n');
      return EXIT_CANCELLED;
    }
    // What failed: the item for get/mv/rm, else the first argument (the vault or the file).
    const subject = ['get', 'mv', 'rm'].includes(parsed.command) ? parsed.positionals[1] : parsed.positionals[0];
    const what = subject !== undefined ? `${parsed.command} ${subject}` : parsed.command;
    io.stderr.write(formatFailure(what, e, { debug: ctx.debug, knownPaths: subject !== undefined ? [isS3Location(subject) ? subject : resolve(io.cwd, subject)] : [] }));
    return EXIT_FAILED;
  } finally {
    keys.dispose();
  }
}

function outputGone(w: NodeJS.WriteStream): boolean {
  const code = (w.errored as NodeJS.ErrnoException | null | undefined)?.code;
  return code === 'EPIPE' || code === 'ECONNRESET';
}

/** AWS options from the global flags; AWS_MAX_ATTEMPTS and the rest are read by resolveAwsClient. */
function awsOptions(g: GlobalOptions): AwsClientOptions {
  return {
    ...(g.profile ? { profile: g.profile } : {}),
    ...(g.region ? { region: g.region } : {}),
    ...(g.endpointUrl ? { endpoint: g.endpointUrl, stsEndpoint: g.endpointUrl, s3Endpoint: g.endpointUrl, cloudtrailEndpoint: g.endpointUrl } : {}),
  };
}

/** Resolves once everything written to `w` so far is flushed (or `w` failed or was destroyed). */
function flushed(w: NodeJS.WriteStream): Promise<void> {
  // Not once('drain'): 'drain' comes only after a write() that returned false. A last small write
  // that returned true but is still queued (a slow pipe reader) would leave that promise waiting
  // for good, and the process would end with Node's exit 13 (unsettled top-level await). A write
  // callback runs when that write, and so everything before it, is done.
  return new Promise((resolve) => {
    if (w.destroyed || w.writableLength === 0) resolve();
    else w.write(Buffer.alloc(0), () => resolve());
  });
}

function main(): void {
  primeAllocator();
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_CANCELLED); // a second Ctrl-C: stop now
    controller.abort();
    setTimeout(() => process.exit(EXIT_CANCELLED), CANCEL_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Closing the terminal (#7): like Ctrl-C, so get/decrypt remove their plaintext temp.
  process.on('SIGHUP', onSignal);
  // A closed stdout (`cachet get -o - | head`) ends the command quietly, as SIGPIPE ends other
  // tools: the work stops (nothing is removed but the command's own temps), exit 141.
  let outputClosed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') return;
    outputClosed = true;
    controller.abort(OUTPUT_CLOSED);
    setTimeout(() => process.exit(EXIT_PIPE), CANCEL_GRACE_MS).unref();
  });
  const io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  let settled = false;
  // If the event loop empties while the command is still pending, some promise waits for an event
  // that will never come: report it instead of exiting 0 (or Node's bare 13) with work undone.
  process.once('beforeExit', () => {
    if (settled) return;
    process.stderr.write('cachet: internal error: the command stopped before it finished (nothing left to wait for)\n');
    process.exit(EXIT_FAILED);
  });
  runCli(process.argv.slice(2), io, controller.signal)
    .catch((e: unknown) => {
      process.stderr.write(formatFailure(undefined, e, { debug: process.env.CACHET_DEBUG === '1' }));
      return EXIT_FAILED;
    })
    .then(async (code) => {
      const exit = outputClosed ? EXIT_PIPE : code;
      process.exitCode = exit;
      // Do not wait for idle SDK sockets or a paused stdin to let go, but do let stdout drain.
      await flushed(process.stdout);
      settled = true;
      process.exit(outputClosed ? EXIT_PIPE : exit);
    })
    .catch(() => process.exit(EXIT_FAILED));
}

main();
