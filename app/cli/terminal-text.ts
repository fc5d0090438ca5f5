// Text bound for the terminal, made safe to print. Stanza types and key ids of a hostile
// envelope, a KMS key's description and the name of a file someone else made can hold control
// characters; printed raw, ESC/CSI/OSC sequences retitle, recolour or rewrite the user's
// terminal. Every human-text writer of the CLI (tables, inspect, failures, notes, the progress
// label) passes what it did not write itself through `printable`. JSON output needs nothing:
// JSON.stringify escapes control characters already.

// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `s` with every control character shown as `\xNN`. */
export function printable(s: string): string {
  return s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
