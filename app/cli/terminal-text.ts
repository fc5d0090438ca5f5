// Text bound for the terminal, made safe to print. Stanza types and key ids of a hostile
// envelope, a KMS key's description and the name of a file someone else made can hold control
// characters; printed raw, ESC/CSI/OSC sequences retitle, recolour or rewrite the user's
// terminal. Every human-text writer of the CLI (tables, inspect, failures, notes, the progress
// label) passes what it did not write itself through `printable`. JSON output needs nothing:
// JSON.stringify escapes control characters already. Bidi and isolate controls (which reorder
// text: `invoice<U+202E>fdp.exe` reads as `invoiceexe.pdf`) are shown too, by app/text/bidi.ts.

import { showBidiControls } from '../text/bidi.js';

// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `s` with every control character shown as `\xNN`, and every bidi control as `\uXXXX`. */
export function printable(s: string): string {
  return showBidiControls(s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
