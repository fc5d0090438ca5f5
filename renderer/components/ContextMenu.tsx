// A context menu at a point (right-click, the Menu key, Shift+F10): role="menu" with menu items,
// the first focused, arrows / Home / End move, Enter or a click runs one, Escape, Tab or a click
// outside closes it. Props only; the caller returns focus to the list on close.

import { useEffect, useRef, type KeyboardEvent } from 'react';

export interface MenuAction {
  readonly label: string;
  readonly run: () => void;
  readonly disabled?: boolean;
  readonly danger?: boolean;
}

export interface ContextMenuProps {
  readonly x: number;
  readonly y: number;
  readonly label: string;
  readonly actions: readonly MenuAction[];
  readonly onClose: () => void;
}

export function ContextMenu({ x, y, label, actions, onClose }: ContextMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
    const outside = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', outside, true);
    return () => document.removeEventListener('pointerdown', outside, true);
  }, [onClose]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button:not([disabled])') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const go = (i: number) => {
      e.preventDefault();
      buttons[(i + buttons.length) % buttons.length]?.focus();
    };
    if (e.key === 'ArrowDown') return go(at + 1);
    if (e.key === 'ArrowUp') return go(at - 1);
    if (e.key === 'Home') return go(0);
    if (e.key === 'End') return go(buttons.length - 1);
    if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      onClose();
    }
  };

  // Kept inside the window: the menu is at most ~320 px high and 220 px wide.
  const left = Math.max(4, Math.min(x, window.innerWidth - 228));
  const top = Math.max(4, Math.min(y, window.innerHeight - 330));
  return (
    <div ref={ref} className="context-menu" role="menu" aria-label={label} style={{ left, top }} onKeyDown={onKeyDown}>
      {actions.map((a) => (
        <button
          key={a.label}
          type="button"
          role="menuitem"
          className={`menu-item ${a.danger ? 'menu-item-danger' : ''}`}
          disabled={a.disabled}
          onClick={() => {
            onClose();
            a.run();
          }}
        >
          {a.label}
        </button>
      ))}
    </div>
  );
}
