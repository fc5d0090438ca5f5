// Bidi and isolate controls in names a person did not write (issue 16 #11): `ls` must not show
// `invoice<U+202E>fdp.exe` as `invoiceexe.pdf`. The CLI (printable, every table and note) and the
// app (the item list, its key column and the breadcrumbs) show each control as visible `\uXXXX`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { formatList } from '../../app/cli/output.js';
import { printable } from '../../app/cli/terminal-text.js';
import { Breadcrumbs } from '../../renderer/components/Breadcrumbs.js';
import { ItemTable } from '../../renderer/components/ItemTable.js';
import { browseRows, indexItems } from '../../renderer/features/browse/browse-logic.js';

(globalThis as unknown as { React?: typeof React }).React = React;

const CONTROLS = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const hex = (c: number): string => c.toString(16).padStart(4, '0');
const RAW = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

test('printable shows every bidi and isolate control as \\uXXXX and keeps the rest', () => {
  for (const c of CONTROLS) {
    const s = `invoice${String.fromCharCode(c)}fdp.exe`;
    assert.equal(printable(s), `invoice\\u${hex(c)}fdp.exe`);
  }
  assert.equal(printable('naïve € 日本 עברית.txt'), 'naïve € 日本 עברית.txt', 'letters of any script are not controls');
  assert.equal(printable('a\u001b[2Jb'), 'a\\x1b[2Jb', 'C0 escaping still holds');
});

test('cachet ls shows a hostile name visibly', () => {
  const out = formatList([{ id: '0'.repeat(32), path: 'invoice\u202efdp.exe', size: 1, mtime: null, keyIds: ['local:\u2066x\u2069'] }]);
  assert.doesNotMatch(out, RAW);
  assert.match(out, /invoice\\u202efdp\.exe/);
  assert.match(out, /\\u2066x\\u2069/);
});

test('the app shows a hostile name, folder, key and breadcrumb visibly', () => {
  const entries = indexItems([{ id: '1'.repeat(32), path: 'in\u2067box/invoice\u202efdp.exe', size: 1, mtime: null, keyIds: ['local:\u200fk'] }]);
  const noop = (): void => {};
  const props = { sort: { key: 'name', dir: 'asc' } as const, activeIndex: 0, label: 'items', emptyText: 'empty', isSelected: () => false, onSort: noop, onClickRow: noop, onMoveTo: noop, onSelectAll: noop, onOpenFolder: noop, onOpenItem: noop, onPreview: noop, onDelete: noop, onRename: noop, onUp: noop };
  const html = [
    renderToStaticMarkup(<ItemTable {...props} rows={browseRows(entries, '', '', props.sort)} />),
    renderToStaticMarkup(<ItemTable {...props} rows={browseRows(entries, 'in\u2067box', '', props.sort)} />),
    renderToStaticMarkup(<ItemTable {...props} rows={browseRows(entries, '', 'invoice', props.sort)} />),
    renderToStaticMarkup(<Breadcrumbs folder={'in\u2067box'} rootName="vault" onNavigate={noop} />),
  ].join('\n');
  // data-item / data-folder carry the path as data (never displayed): only what is shown counts.
  const shown = html.replace(/ data-(item|folder)="[^"]*"/g, '');
  assert.doesNotMatch(shown, RAW);
  assert.match(html, /invoice\\u202efdp\.exe/);
  assert.match(html, /in\\u2067box/);
});
