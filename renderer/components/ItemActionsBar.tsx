// Actions on the selected item, under the search box. Props only.

export interface ItemActionsBarProps {
  readonly name: string | null;
  readonly busy: boolean;
  readonly onPreview: () => void;
  readonly onOpenExternal: () => void;
  readonly onExport: () => void;
  readonly onRename: () => void;
  readonly onDelete: () => void;
}

export function ItemActionsBar(p: ItemActionsBarProps) {
  const off = p.name === null || p.busy;
  return (
    <div className="item-actions" role="toolbar" aria-label={p.name ? `Actions for ${p.name}` : 'Item actions'}>
      <button type="button" className="button button-small" onClick={p.onPreview} disabled={off}>
        Preview
      </button>
      <button type="button" className="button button-small" onClick={p.onOpenExternal} disabled={off}>
        Open
      </button>
      <button type="button" className="button button-small" onClick={p.onExport} disabled={off}>
        Export
      </button>
      <button type="button" className="button button-small" onClick={p.onRename} disabled={off}>
        Rename / move
      </button>
      <button type="button" className="button button-small button-danger-quiet" onClick={p.onDelete} disabled={off}>
        Delete
      </button>
    </div>
  );
}
