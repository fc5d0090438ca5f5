// @pure — imports nothing, so the contract and the renderer bundle it (test/layering.test.ts checks the tag).
// The rule for a NEW local-key passphrase (SPEC §8), in one place for the CLI's prompt and
// CACHET_PASSPHRASE, the IPC contract and the app's form (they had drifted: 8 characters in the
// app, anything non-empty in the CLI). Unlocking an existing key file accepts any non-empty
// passphrase it was made with (files made before this rule must still open).
// Length is counted in Unicode code points after NFC, as the key file's KDF input is formed.

/** Fewer than this many characters is refused for a new passphrase. */
export const MIN_NEW_PASSPHRASE = 8;
/** More than this is refused everywhere (a paste gone wrong, not a passphrase). */
export const MAX_PASSPHRASE = 1024;

export type PassphraseProblem = 'too-short' | 'too-long';

export function passphraseLength(pass: string): number {
  return [...pass.normalize('NFC')].length;
}

/** Why `pass` cannot be a new passphrase, or undefined when it can. */
export function newPassphraseProblem(pass: string): PassphraseProblem | undefined {
  const n = passphraseLength(pass);
  if (n < MIN_NEW_PASSPHRASE) return 'too-short';
  if (n > MAX_PASSPHRASE) return 'too-long';
  return undefined;
}
