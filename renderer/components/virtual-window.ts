// The arithmetic of a fixed-row-height virtual list: from the scroll position and the viewport
// height, which rows to render and where. Pure, so it is unit-tested in node; VirtualList.tsx
// applies it. It does not measure anything: the caller passes the heights it observed.

export interface VirtualWindow {
  /** First row index to render (inclusive). */
  readonly start: number;
  /** Last row index to render (exclusive). */
  readonly end: number;
  /** Pixel offset of row `start` from the top of the content. */
  readonly offset: number;
  /** Height of all rows together. */
  readonly total: number;
}

export function virtualWindow(count: number, rowHeight: number, scrollTop: number, viewport: number, overscan = 6): VirtualWindow {
  const total = count * rowHeight;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total: Math.max(0, total) };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, total - viewport));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewport) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offset: start * rowHeight, total };
}

/** The scrollTop that brings row `index` fully into view, or `scrollTop` if it already is. */
export function scrollToRow(index: number, rowHeight: number, scrollTop: number, viewport: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return scrollTop;
}
