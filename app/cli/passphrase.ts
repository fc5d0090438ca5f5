// The local key's passphrase for the CLI: from CACHET_PASSPHRASE, or asked on the terminal with
// no echo. With neither a TTY nor the variable it fails with `local-key-locked` (reason no-tty)
// rather than blocking on a pipe. It never logs or echoes what was typed; the caller should drop
// the string as soon as the key is unlocked (JS strings cannot be zeroed).

import { openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { badRequest, CachetError } from '../errors.js';
import { MAX_PASSPHRASE, MIN_NEW_PASSPHRASE, newPassphraseProblem } from '../keys/passphrase-rules.js';

export const PASSPHRASE_ENV = 'CACHET_PASSPHRASE';
const NEW_PASSPHRASE_ATTEMPTS = 3;

export interface PassphraseSource {
  readonly env: NodeJS.ProcessEnv;
  /** Where the prompt is written (stderr). */
  readonly output: NodeJS.WriteStream;
  readonly input: NodeJS.ReadStream;
  /** Called before a prompt is written (the CLI clears its progress line). */
  readonly beforePrompt?: () => void;
}

/** The passphrase of an existing key file. */
export async function readPassphrase(src: PassphraseSource, prompt = 'Passphrase for the local key: '): Promise<string> {
  const fromEnv = src.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return promptHidden(src, prompt);
}

/** A new passphrase: from the variable, or typed twice (they must match; not empty). */
export async function readNewPassphrase(src: PassphraseSource): Promise<string> {
  const fromEnv = src.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const problem = newPassphraseProblem(fromEnv);
    if (problem !== undefined) throw badRequest('weak-passphrase', `${PASSPHRASE_ENV} is ${problem === 'too-short' ? 'too short' : 'too long'} for a new local key`, { problem, min: MIN_NEW_PASSPHRASE, max: MAX_PASSPHRASE });
    return fromEnv;
  }
  for (let attempt = 0; attempt < NEW_PASSPHRASE_ATTEMPTS; attempt++) {
    const first = await promptHidden(src, 'New passphrase for the local key: ');
    const problem = newPassphraseProblem(first);
    if (problem !== undefined) {
      src.output.write(problem === 'too-short' ? `The passphrase must have at least ${MIN_NEW_PASSPHRASE} characters.\n` : `The passphrase must have at most ${MAX_PASSPHRASE} characters.\n`);
      continue;
    }
    const second = await promptHidden(src, 'Repeat the passphrase: ');
    if (first === second) return first;
    src.output.write('The passphrases do not match; try again.\n');
  }
  throw badRequest('passphrase-mismatch', 'no new passphrase was agreed on');
}

/** Reads one line with echo off, from stdin when it is a TTY, else from /dev/tty. */
async function promptHidden(src: PassphraseSource, prompt: string): Promise<string> {
  let input: NodeJS.ReadStream | ReadStream | undefined;
  let ownStream: ReadStream | undefined;
  if (src.input.isTTY) {
    input = src.input;
  } else if (src.output.isTTY) {
    try {
      ownStream = new ReadStream(openSync('/dev/tty', 'r'));
      input = ownStream;
    } catch {
      input = undefined;
    }
  }
  if (!input) {
    throw new CachetError('local-key-locked', 'no terminal to ask for the passphrase', { reason: 'no-tty', env: PASSPHRASE_ENV });
  }
  src.beforePrompt?.();
  const tty = input as ReadStream;
  const wasRaw = tty.isRaw;
  // Echo off before the prompt appears: a person (or a script) typing as soon as it shows must
  // not see the passphrase echoed by the terminal.
  tty.setRawMode(true);
  src.output.write(prompt);
  tty.setEncoding('utf8');
  tty.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: string): void => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            cleanup();
            src.output.write('\n');
            resolve(typed.normalize('NFC'));
            return;
          }
          if (ch === '\x03' || (ch === '\x04' && typed === '')) {
            // Raw mode swallows Ctrl-C's signal, so treat it as a cancel here.
            cleanup();
            src.output.write('\n');
            reject(new CachetError('cancelled', 'cancelled at the passphrase prompt'));
            return;
          }
          if (ch === '\x7f' || ch === '\b') typed = typed.slice(0, -1);
          else if (ch === '\x15') typed = '';
          else if (ch >= ' ') typed += ch;
        }
      };
      const onEnd = (): void => {
        cleanup();
        reject(new CachetError('local-key-locked', 'the terminal closed before a passphrase was typed', { reason: 'no-tty' }));
      };
      const cleanup = (): void => {
        tty.off('data', onData);
        tty.off('end', onEnd);
      };
      tty.on('data', onData);
      tty.once('end', onEnd);
    });
  } finally {
    tty.setRawMode(wasRaw);
    tty.pause();
    if (ownStream) ownStream.destroy();
  }
}
