// @pure — imports nothing Node-only, so the renderer bundles it too (test/layering.test.ts checks the tag).
// Unicode bidirectional and isolate controls (U+202A-202E embeddings and overrides, U+2066-2069
// isolates, U+200E/200F marks, U+061C the Arabic letter mark), shown as visible `\uXXXX` text.
// A name like `invoice<U+202E>fdp.exe` is displayed as `invoiceexe.pdf` when printed raw: any
// name from a shared vault or a hostile envelope must go through this before a person sees it.
// Pure (no node, no DOM): the CLI (terminal-text.ts) and the renderer share this one rule.
// It does not escape C0/C1 controls (terminal-text.ts does, for the terminal).

export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every bidi or isolate control shown as `\uXXXX`, so none can reorder what follows. */
export function showBidiControls(s: string): string {
  return s.replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
