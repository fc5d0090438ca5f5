// Asked when an added file would land on an item that already exists: replace it, keep both
// (the new one gets "name (2)"), or skip; "apply to all" answers the rest the same way.

import { useState } from 'react';
import type { ConflictDecisionT } from '../../contract/ipc.js';
import { Dialog } from './Dialog.js';

export interface ConflictDialogProps {
  readonly path: string;
  /** Conflicts still to answer after this one. */
  readonly remaining: number;
  readonly onDecide: (decision: ConflictDecisionT, applyToAll: boolean) => void;
  readonly onCancel: () => void;
}

export function ConflictDialog({ path, remaining, onDecide, onCancel }: ConflictDialogProps) {
  const [all, setAll] = useState(false);
  return (
    <Dialog title="An item with this name already exists" onClose={onCancel} className="conflict-dialog">
      <p>
        <strong className="path">{path}</strong> is already in the vault. What should Cachet do with the file you are adding?
      </p>
      {remaining > 0 && (
        <label className="checkbox">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          Apply to all {remaining + 1} conflicts
        </label>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel adding
        </button>
        <button type="button" className="button" onClick={() => onDecide('skip', all)}>
          Skip
        </button>
        <button type="button" className="button" onClick={() => onDecide('keep-both', all)}>
          Keep both
        </button>
        <button type="button" className="button button-primary" onClick={() => onDecide('replace', all)} autoFocus>
          Replace
        </button>
      </div>
    </Dialog>
  );
}
