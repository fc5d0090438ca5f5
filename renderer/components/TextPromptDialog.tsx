// Asks for one line of text (rename, move to folder, new key alias) and checks it with
// `validate` before `onSubmit`. Props only; the typed text is the dialog's own state.

import { useState, type FormEvent } from 'react';
import { Dialog } from './Dialog.js';

export interface TextPromptDialogProps {
  readonly title: string;
  readonly label: string;
  readonly initial: string;
  readonly submitLabel: string;
  /** A problem with the text, or undefined when it is fine. */
  readonly validate: (text: string) => string | undefined;
  readonly onSubmit: (text: string) => void;
  readonly onCancel: () => void;
  readonly busy?: boolean;
}

export function TextPromptDialog(p: TextPromptDialogProps) {
  const [text, setText] = useState(p.initial);
  const [touched, setTouched] = useState(false);
  const problem = p.validate(text);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!problem) p.onSubmit(text);
  };
  return (
    <Dialog title={p.title} onClose={p.onCancel}>
      <form onSubmit={submit} className="form">
        <label className="field">
          <span className="field-label">{p.label}</span>
          <input
            className="input"
            value={text}
            autoFocus
            onFocus={(e) => {
              // Select the name without its extension, as file managers do.
              const dot = e.currentTarget.value.lastIndexOf('.');
              const slash = e.currentTarget.value.lastIndexOf('/');
              e.currentTarget.setSelectionRange(slash + 1, dot > slash + 1 ? dot : e.currentTarget.value.length);
            }}
            onChange={(e) => {
              setText(e.target.value);
              setTouched(true);
            }}
            aria-invalid={touched && problem !== undefined}
          />
        </label>
        {touched && problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={p.onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={p.busy || (touched && problem !== undefined)}>
            {p.submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
