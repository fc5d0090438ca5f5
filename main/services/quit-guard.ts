// Quitting with edits not saved back (issue 11, issue 15): a copy opened with the default app and
// changed there is the person's unsaved work, and quitting wipes it. Before quitting, main asks:
// save them back and quit, quit and discard them, or stay. If a save-back fails, nothing is
// wiped: main asks again, saying what failed, without the save choice. The question's words live
// here; the platform shows them (a native message box on Electron, a scripted answer in tests).
// This module does not import electron.

export type QuitAnswer = 'save' | 'discard' | 'cancel';

export interface QuitQuestion {
  /** Vault paths of the edited copies. */
  readonly pending: readonly string[];
  /** Whether saving back is possible now: a vault is open (after a lock it is not). */
  readonly canSave: boolean;
  /** What went wrong saving back, when asking again. */
  readonly failure?: string | undefined;
}

export interface QuitPrompt {
  readonly message: string;
  readonly detail: string;
  /** In display order; the first is the default, the last answers Escape. */
  readonly buttons: readonly { readonly label: string; readonly answer: QuitAnswer }[];
}

/** How many paths the question names before "and N more". */
const NAMED = 8;

export function quitPrompt(q: QuitQuestion): QuitPrompt {
  const n = q.pending.length;
  const names = q.pending.slice(0, NAMED).map((p) => `• ${p}`).join('\n') + (n > NAMED ? `\n… and ${n - NAMED} more` : '');
  const copies = n === 1 ? 'An item opened with its default app has changes' : `${n} items opened with their default apps have changes`;
  const why = q.failure
    ? `Saving back failed: ${q.failure}\nNothing was wiped.`
    : q.canSave
      ? 'Quitting wipes the decrypted copies, with the changes.'
      : 'Quitting wipes the decrypted copies, with the changes. To save them back, unlock the vault first.';
  const buttons: { label: string; answer: QuitAnswer }[] = [];
  if (q.canSave && !q.failure) buttons.push({ label: n === 1 ? 'Save back and quit' : 'Save all back and quit', answer: 'save' });
  buttons.push({ label: 'Quit and discard the changes', answer: 'discard' }, { label: "Don't quit", answer: 'cancel' });
  return { message: `${copies} that are not saved back.`, detail: `${names}\n\n${why}`, buttons };
}
