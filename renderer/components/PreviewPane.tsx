// The in-app preview of one item, shown beside the list: text in a <pre>, an image through a
// blob: URL, a PDF in an <iframe src=blob:> rendered by Chromium's built-in viewer (see the
// contract header; no plaintext touches the disk). Other types offer "Open with default app".
// Props only: the hook (features/preview) owns the bytes and revokes the blob URL.

import type { ErrorLike } from '../errors/messages.js';
import { ErrorNotice } from './ErrorNotice.js';
import { formatSize } from '../features/browse/browse-logic.js';

export type PreviewContent =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly error: ErrorLike }
  | { readonly status: 'text'; readonly text: string; readonly truncated: boolean }
  | { readonly status: 'image' | 'pdf'; readonly url: string; readonly truncated: boolean }
  | { readonly status: 'binary'; readonly mediaType: string };

export interface PreviewPaneProps {
  readonly name: string;
  readonly path: string;
  readonly size: number | null;
  readonly content: PreviewContent;
  readonly onClose: () => void;
  readonly onOpenExternal: () => void;
  readonly onExport: () => void;
}

export function PreviewPane({ name, path, size, content, onClose, onOpenExternal, onExport }: PreviewPaneProps) {
  return (
    <aside className="preview" aria-label={`Preview of ${name}`}>
      <header className="preview-header">
        <div className="preview-title">
          <h2 title={path}>{name}</h2>
          <span className="muted">{formatSize(size)}</span>
        </div>
        <button type="button" className="icon-button" aria-label="Close preview" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="preview-actions">
        <button type="button" className="button" onClick={onOpenExternal}>
          Open with default app
        </button>
        <button type="button" className="button" onClick={onExport}>
          Export…
        </button>
      </div>
      <div className="preview-body" data-preview={content.status}>
        {content.status === 'loading' && <p className="muted" role="status">Decrypting…</p>}
        {content.status === 'error' && <ErrorNotice error={{ ...content.error, detail: { path, ...content.error.detail } }} />}
        {content.status === 'text' && <pre className="preview-text" tabIndex={0}>{content.text}</pre>}
        {content.status === 'image' && <img className="preview-image" src={content.url} alt={name} />}
        {content.status === 'pdf' && <iframe className="preview-pdf" src={content.url} title={`PDF: ${name}`} />}
        {content.status === 'binary' && (
          <p className="muted">
            No preview for this kind of file ({content.mediaType}). Use “Open with default app” or “Export”.
          </p>
        )}
        {(content.status === 'text' || content.status === 'image' || content.status === 'pdf') && content.truncated && (
          <p className="muted preview-truncated">Only the beginning is shown. Open or export the item to see all of it.</p>
        )}
      </div>
    </aside>
  );
}
