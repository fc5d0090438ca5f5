// The full-window hint shown while files are dragged over the window. Props only.

export function DropOverlay({ folderName }: { readonly folderName: string }) {
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-card">
        <span className="drop-icon">⇩</span>
        <p>Drop to seal into {folderName}</p>
      </div>
    </div>
  );
}
