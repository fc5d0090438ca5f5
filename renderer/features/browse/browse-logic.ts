// Pure browse logic for the item list: split paths into folder and name, list one folder's
// direct subfolders and items, filter by a search text, sort by a column. No React and no API
// here, so the same code is unit-tested in node and used by the hooks.
// Built for 100,000 items: `indexItems` does the per-item string work once (lower-cased name and
// path), and the per-keystroke work is one pass of `includes` plus a sort of what matched.

import { providerOfKeyId } from '../../../app/format/limits.js';

/** An item as the list shows it (the contract's Item: `path` is `/`-separated, in the vault). */
export interface BrowseItem {
  readonly id: string;
  readonly path: string;
  readonly size: number | null;
  readonly mtime: number | null;
  readonly keyIds: readonly string[];
}

export interface IndexedItem {
  readonly item: BrowseItem;
  readonly name: string;
  /** Folder path without a trailing slash; '' is the vault's root. */
  readonly folder: string;
  readonly lowerName: string;
  readonly lowerPath: string;
  readonly keyLabel: string;
}

export type SortKey = 'name' | 'folder' | 'size' | 'modified' | 'key';
export interface SortSpec {
  readonly key: SortKey;
  readonly dir: 'asc' | 'desc';
}

export type Row =
  | { readonly kind: 'folder'; readonly path: string; readonly name: string; readonly count: number }
  | { readonly kind: 'item'; readonly entry: IndexedItem };

export function splitPath(path: string): { folder: string; name: string } {
  const i = path.lastIndexOf('/');
  return i < 0 ? { folder: '', name: path } : { folder: path.slice(0, i), name: path.slice(i + 1) };
}

export function joinPath(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** The short form of a key for the Key column: an alias, or the tail of an ARN/id. */
export function shortKeyLabel(key: string): string {
  if (providerOfKeyId(key) === 'local') return 'Local key';
  const alias = key.match(/alias\/(.+)$/);
  if (alias?.[1]) return alias[1];
  const slash = key.lastIndexOf('/');
  const tail = slash >= 0 ? key.slice(slash + 1) : key;
  return tail.length > 12 ? `${tail.slice(0, 8)}…` : tail;
}

/** `labelOf` may name a key better (a KMS alias the AWS panel knows); else `shortKeyLabel`. */
export function indexItems(items: readonly BrowseItem[], labelOf?: (keyId: string) => string | undefined): IndexedItem[] {
  const label = (k: string) => labelOf?.(k) ?? shortKeyLabel(k);
  const out = new Array<IndexedItem>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const { folder, name } = splitPath(item.path);
    out[i] = {
      item,
      name,
      folder,
      lowerName: name.toLowerCase(),
      lowerPath: item.path.toLowerCase(),
      keyLabel: item.keyIds.map(label).join(', '),
    };
  }
  return out;
}

function inFolder(folder: string, prefix: string): boolean {
  return prefix === '' || folder === prefix || folder.startsWith(`${prefix}/`);
}

/**
 * The rows of a folder. With no search: its direct subfolders (with item counts), then its
 * items. With a search: every item under the folder whose path contains every word of the text.
 */
export function browseRows(entries: readonly IndexedItem[], folder: string, search: string, sort: SortSpec): Row[] {
  const words = search.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length > 0) {
    const hits: IndexedItem[] = [];
    for (const e of entries) {
      if (!inFolder(e.folder, folder)) continue;
      if (words.every((w) => e.lowerPath.includes(w))) hits.push(e);
    }
    return sortEntries(hits, sort).map((entry) => ({ kind: 'item', entry }));
  }
  const subfolders = new Map<string, number>();
  const here: IndexedItem[] = [];
  const depthPrefix = folder === '' ? '' : `${folder}/`;
  for (const e of entries) {
    if (e.folder === folder) {
      here.push(e);
    } else if (inFolder(e.folder, folder)) {
      const rest = e.folder.slice(depthPrefix.length);
      const child = rest.split('/', 1)[0]!;
      subfolders.set(child, (subfolders.get(child) ?? 0) + 1);
    }
  }
  const folderRows: Row[] = [...subfolders.entries()]
    .sort((a, b) => collator.compare(a[0], b[0]) * (sort.key === 'name' && sort.dir === 'desc' ? -1 : 1))
    .map(([name, count]) => ({ kind: 'folder', path: joinPath(folder, name), name, count }));
  return [...folderRows, ...sortEntries(here, sort).map((entry): Row => ({ kind: 'item', entry }))];
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareNullable(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}

/** A stable sort; ties fall back to the full path so the order never depends on input order. */
export function sortEntries(entries: readonly IndexedItem[], sort: SortSpec): IndexedItem[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const by = (a: IndexedItem, b: IndexedItem): number => {
    switch (sort.key) {
      case 'name':
        return collator.compare(a.name, b.name);
      case 'folder':
        return collator.compare(a.folder, b.folder);
      case 'size':
        return compareNullable(a.item.size, b.item.size);
      case 'modified':
        return compareNullable(a.item.mtime, b.item.mtime);
      case 'key':
        return collator.compare(a.keyLabel, b.keyLabel);
    }
  };
  return [...entries].sort((a, b) => by(a, b) * sign || collator.compare(a.item.path, b.item.path));
}

/** Clicking a column header: same column flips direction, another column starts ascending. */
export function nextSort(current: SortSpec, key: SortKey): SortSpec {
  return current.key === key ? { key, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
}

/** Breadcrumb parts of a folder: [{name:'Vault',path:''}, {name:'a',path:'a'}, {name:'b',path:'a/b'}]. */
export function breadcrumbs(folder: string, rootName: string): { name: string; path: string }[] {
  const out = [{ name: rootName, path: '' }];
  if (folder === '') return out;
  let acc = '';
  for (const part of folder.split('/')) {
    acc = joinPath(acc, part);
    out.push({ name: part, path: acc });
  }
  return out;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

export function formatSize(size: number | null): string {
  if (size === null) return '—';
  let v = size;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(ms: number | null): string {
  return ms === null ? '—' : dateFormat.format(new Date(ms));
}
