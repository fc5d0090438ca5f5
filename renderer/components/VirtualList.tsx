// A fixed-row-height virtual list: only the rows in view (plus a few above and below) are in the
// DOM, so 100,000 rows cost what 40 do. Written here instead of taking a package because it is
// the ~60 lines below plus the pure math in virtual-window.ts (unit-tested).
// It renders rows and keeps `activeIndex` in view; it does not know what a row is, nor handle
// keys or focus (the parent grid does, with aria-activedescendant).
// CSP note: the two `style` props (spacer height, row offset) are set by React through the CSSOM
// (element.style.height = ...), which `style-src 'self'` allows; they cannot be classes because
// the values are computed.

import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { scrollToRow, virtualWindow } from './virtual-window.js';

export interface VirtualListProps {
  readonly count: number;
  readonly rowHeight: number;
  readonly renderRow: (index: number) => ReactNode;
  readonly activeIndex?: number | undefined;
  readonly className?: string;
  /** Rows the container can show, for PageUp/PageDown in the parent. */
  readonly onPageSize?: (rows: number) => void;
}

export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight, renderRow, activeIndex, onPageSize } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setViewport(el.clientHeight);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    onPageSize?.(Math.max(1, Math.floor(viewport / rowHeight)));
  }, [viewport, rowHeight, onPageSize]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || activeIndex === undefined || activeIndex < 0) return;
    const next = scrollToRow(activeIndex, rowHeight, el.scrollTop, el.clientHeight);
    if (next !== el.scrollTop) el.scrollTop = next;
  }, [activeIndex, rowHeight]);

  const win = virtualWindow(count, rowHeight, scrollTop, viewport);
  const rows: ReactNode[] = [];
  for (let i = win.start; i < win.end; i++) rows.push(renderRow(i));

  return (
    <div
      ref={ref}
      className={`vlist ${props.className ?? ''}`}
      role="rowgroup"
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div className="vlist-spacer" style={{ height: win.total }}>
        <div className="vlist-rows" style={{ transform: `translateY(${win.offset}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
