// In-app preview of one item (item:preview): text is decoded here, images and PDFs become a
// blob: URL that is revoked in the effect cleanup (when the item changes or the pane closes), so
// decrypted bytes do not outlive the preview. Nothing is written to disk.

import { useEffect, useState } from 'react';
import { call, toErrorPayload } from '../../api.js';
import type { PreviewContent } from '../../components/PreviewPane.js';

export function usePreview(itemId: string | null): PreviewContent | null {
  const [content, setContent] = useState<PreviewContent | null>(null);

  useEffect(() => {
    if (itemId === null) {
      setContent(null);
      return;
    }
    let live = true;
    let url: string | null = null;
    setContent({ status: 'loading' });
    call('item:preview', { id: itemId })
      .then((r) => {
        // The Blob and the decoded text hold their own copies: the received bytes are zeroed
        // once used, or at once when the preview is no longer wanted.
        if (!live) return void r.data.fill(0);
        if (r.kind === 'text') {
          setContent({ status: 'text', text: new TextDecoder('utf-8').decode(r.data), truncated: r.truncated });
        } else if (r.kind === 'image' || r.kind === 'pdf') {
          // The blob's type is ours to set: only image/* (shown by <img>, where SVG scripts do not
          // run) or application/pdf, never text/html.
          const type = r.kind === 'pdf' ? 'application/pdf' : r.mediaType.startsWith('image/') ? r.mediaType : 'application/octet-stream';
          url = URL.createObjectURL(new Blob([r.data as Uint8Array<ArrayBuffer>], { type }));
          setContent({ status: r.kind, url, truncated: r.truncated });
        } else {
          setContent({ status: 'binary', mediaType: r.mediaType });
        }
        r.data.fill(0);
      })
      .catch((e: unknown) => live && setContent({ status: 'error', error: toErrorPayload(e) }));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [itemId]);

  return content;
}
