// Actions on the selection, under the search box; it names what they act on ("notes.txt",
// "3 items"). Preview, Open and Rename need exactly one item; the rest take any selection.
// Props only.

export interface ItemActionsBarProps {
  /** What is selected, in words ('' when nothing is). */
  readonly label: string;
  /** Exactly one item (not a folder) is selected. */
  readonly single: boolean;
  /** Anything is selected. */
  readonly any: boolean;
  readonly busy: boolean;
  readonly onPreview: () => void;
  readonly onOpenExternal: () => void;
  readonly onExport: () => void;
  readonly onRename: () => void;
  readonly onMove: () => void;
  readonly onRekey: () => void;
  readonly onDelete: () => void;
}

export function ItemActionsBar(p: ItemActionsBarProps) {
  const one = !p.single || p.busy;
  const some = !p.any || p.busy;
  return (
    <div className="item-actions" role="toolbar" aria-label={p.any ? `Actions for ${p.label}` : 'Item actions'}>
      <span className="selection-label muted" aria-live="polite" data-testid="selection-label">
        {p.any ? `Selected: ${p.label}` : 'Nothing selected'}
      </span>
      <button type="button" className="button button-small" onClick={p.onPreview} disabled={one}>
        Preview
      </button>
      <button type="button" className="button button-small" onClick={p.onOpenExternal} disabled={one}>
        Open
      </button>
      <button type="button" className="button button-small" onClick={p.onExport} disabled={some}>
        Export
      </button>
      <button type="button" className="button button-small" onClick={p.onRename} disabled={one}>
        Rename / move
      </button>
      <button type="button" className="button button-small" onClick={p.onMove} disabled={some}>
        Move to…
      </button>
      <button type="button" className="button button-small" onClick={p.onRekey} disabled={some}>
        Re-key…
      </button>
      <button type="button" className="button button-small button-danger-quiet" onClick={p.onDelete} disabled={some}>
        Delete
      </button>
    </div>
  );
}
