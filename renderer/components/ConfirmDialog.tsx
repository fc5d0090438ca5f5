// "Are you sure?" for destructive actions (delete). Props only; the safe choice has focus first.

import { Dialog } from './Dialog.js';

export interface ConfirmDialogProps {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

export function ConfirmDialog(p: ConfirmDialogProps) {
  return (
    <Dialog title={p.title} onClose={p.onCancel}>
      <p>{p.message}</p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={p.onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className={`button ${p.danger ? 'button-danger' : 'button-primary'}`} onClick={p.onConfirm}>
          {p.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
