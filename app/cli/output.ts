// Output formatting for stdout: aligned tables and the human views of `ls`, `inspect`,
// `profiles` and `keys`. Pure functions from plain rows to text; the JSON forms are built by the
// commands (they are data, not words).

import { formatBytes } from './progress.js';
import { printable } from './terminal-text.js';
import type { VaultItem } from '../vault/vault.js';

/** Left-aligned columns (right-aligned where `right` says), two spaces apart, a header row. Cells are made printable. */
export function formatTable(headers: readonly string[], rawRows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const rows = rawRows.map((r) => r.map(printable));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `2026-11-28 20:15` in local time; `-` when unknown. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function formatSize(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : formatBytes(n);
}

/** A key for a human: the alias-like tail of an ARN (`key/1234…`), or a local key id as is. */
export function shortKey(keyId: string): string {
  const m = /^arn:aws[\w-]*:kms:([^:]*):[^:]*:(key|alias)\/(.+)$/.exec(keyId);
  if (!m) return keyId;
  return `${m[2]}/${m[3]!.length > 13 ? `${m[3]!.slice(0, 8)}…` : m[3]} (${m[1]})`;
}

/** What `cachet ls` shows of an item: the core's VaultItem, not a copy of its shape. */
export type ListRow = Pick<VaultItem, 'id' | 'path' | 'size' | 'mtime' | 'keyIds'>;

export function formatList(rows: readonly ListRow[]): string {
  if (rows.length === 0) return '(no items)\n';
  const body = rows.map((r) => [r.path, formatSize(r.size), formatTime(r.mtime), r.keyIds.map(shortKey).join(', ')]);
  const total = rows.reduce((s, r) => s + (r.size ?? 0), 0);
  return formatTable(['PATH', 'SIZE', 'MODIFIED', 'KEYS'], body, [1]) + `${rows.length} item${rows.length === 1 ? '' : 's'}, ${formatBytes(total)}\n`;
}

export interface InspectView {
  path: string;
  version: number;
  chunkSize: number;
  headerLength: number;
  payloadLength: number | null;
  context: Record<string, string>;
  stanzas: { type: string; keyId: string; blobLength: number }[];
}

export function formatInspect(v: InspectView): string {
  const lines = [
    `file:        ${v.path}`,
    `format:      Cachet envelope, version ${v.version}`,
    `chunk size:  ${v.chunkSize} bytes`,
    `header:      ${v.headerLength} bytes${v.payloadLength === null ? '' : `; payload ${v.payloadLength} bytes`}`,
    `context:${Object.keys(v.context).length === 0 ? '     (none)' : ''}`,
    ...Object.keys(v.context)
      .sort()
      .map((k) => `  ${k} = ${v.context[k]}`),
    `wrapped keys (${v.stanzas.length}; any one opens the file):`,
    ...v.stanzas.map((s, i) => `  ${i + 1}. ${s.type}  ${s.keyId}`),
  ];
  return lines.map(printable).join('\n') + '\n';
}
