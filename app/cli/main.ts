// The `cachet` command's entry (bundled to dist/cli/cachet.js, run by bin/cachet.js): parses argv,
// wires Ctrl-C to an AbortController, runs one command and sets the exit code
// (0 ok, 1 failed, 2 usage, 130 cancelled). Errors are printed here, once, at the boundary.

import { resolve } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { CachetError } from '../errors.js';
import type { AwsClientOptions } from '../keys/aws-config.js';
import { parseCommandLine, UsageError, type CommandName, type GlobalOptions } from './args.js';
import { Context, EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type Io } from './context.js';
import { createKeyCommand, decryptCommand, encryptCommand, inspectCommand, keysCommand, profilesCommand } from './file-commands.js';
import { CliKeys } from './keys.js';
import { formatFailure } from './messages.js';
import { COMMAND_HELP, USAGE } from './usage.js';
import { addCommand, getCommand, initCommand, lsCommand, mvCommand, rekeyCommand, rmCommand, verifyCommand } from './vault-commands.js';

type Values = Record<string, string | boolean | string[] | undefined>;
type Handler = (ctx: Context, positionals: string[], values: Values) => Promise<number>;

const HANDLERS: Record<Exclude<CommandName, 'help'>, Handler> = {
  init: initCommand,
  add: addCommand,
  ls: lsCommand,
  get: getCommand,
  mv: mvCommand,
  rm: rmCommand,
  rekey: rekeyCommand,
  verify: verifyCommand,
  encrypt: encryptCommand,
  decrypt: decryptCommand,
  inspect: inspectCommand,
  profiles: profilesCommand,
  keys: keysCommand,
  'create-key': createKeyCommand,
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
  const aws = awsOptions(parsed.global, io.env);
  const keys = new CliKeys({
    aws,
    passphrase: { env: io.env, input: io.stdin, output: io.stderr, beforePrompt: () => ctx.progress.end() },
    env: io.env,
  });
  const ctx = new Context(io, signal, parsed.global, keys, aws);
  try {
    return await HANDLERS[parsed.command](ctx, parsed.positionals, parsed.values);
  } catch (e) {
    ctx.progress.end();
    if (signal.aborted || (e instanceof CachetError && e.code === 'cancelled')) {
      io.stderr.write('cachet: cancelled\n');
      return EXIT_CANCELLED;
    }
    // What failed: the item for get/mv/rm, else the first argument (the vault or the file).
    const subject = ['get', 'mv', 'rm'].includes(parsed.command) ? parsed.positionals[1] : parsed.positionals[0];
    const what = subject !== undefined ? `${parsed.command} ${subject}` : parsed.command;
    io.stderr.write(formatFailure(what, e, { debug: ctx.debug, knownPaths: subject !== undefined ? [resolve(io.cwd, subject)] : [] }));
    return EXIT_FAILED;
  } finally {
    keys.dispose();
  }
}

/** AWS options from the global flags, plus the SDK's standard AWS_MAX_ATTEMPTS / AWS_RETRY_MODE. */
function awsOptions(g: GlobalOptions, env: NodeJS.ProcessEnv): AwsClientOptions {
  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  const mode = env.AWS_RETRY_MODE;
  return {
    ...(g.profile ? { profile: g.profile } : {}),
    ...(g.region ? { region: g.region } : {}),
    ...(Number.isInteger(attempts) && attempts >= 1 ? { maxAttempts: attempts } : {}),
    ...(mode === 'standard' || mode === 'adaptive' ? { retryMode: mode } : {}),
  };
}

async function main(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_CANCELLED); // a second Ctrl-C: stop now
    controller.abort();
    setTimeout(() => process.exit(EXIT_CANCELLED), CANCEL_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed stdout (`cachet get -o - | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      controller.abort();
      process.exit(process.exitCode ?? EXIT_FAILED);
    }
  });
  const io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  let code: number;
  try {
    code = await runCli(process.argv.slice(2), io, controller.signal);
  } catch (e) {
    process.stderr.write(formatFailure(undefined, e, { debug: process.env.CACHET_DEBUG === '1' }));
    code = EXIT_FAILED;
  }
  process.exitCode = code;
  // Do not wait for idle SDK sockets or a paused stdin to let go.
  await new Promise<void>((r) => (process.stdout.writableLength === 0 ? r() : process.stdout.once('drain', () => r())));
  process.exit(code);
}

await main();
