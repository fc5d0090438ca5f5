// One verdict for every vault path (issue 10): the core (app/vault/paths.ts), the IPC contract's
// VaultPath/VaultDir schemas and the renderer's rename pre-check all accept, or all refuse, each
// path of a table of tricky cases, and the table's expectations say which. They used to be three
// rules that disagreed (`a:b.txt`, control characters, depth, segment bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DEPTH, MAX_PATH_BYTES, MAX_SEGMENT_BYTES, normalizeFolderPath, normalizeVaultPath } from '../../../app/vault/paths.js';
import { utf8Length } from '../../../app/format/limits.js';
import { VaultDir, VaultPath } from '../../../contract/ipc.js';
import { looksLikeVaultPath } from '../../../renderer/features/browse/path-check.js';

const seg = (n: number, c = 'x') => c.repeat(n);
const deep = (n: number) => Array.from({ length: n }, () => 'd').join('/');
/** A path of exactly MAX_PATH_BYTES: 17 segments of 240 bytes and 16 slashes. */
const FULL = Array.from({ length: 17 }, () => seg(240)).join('/');

// [path, is an item path]
const TABLE: [string, boolean][] = [
  ['a.txt', true], ['docs/a.txt', true], ['.hidden', true], ['a..b', true], ['...', true], ['a/...', true],
  ['name with spaces.txt', true], [' lead and trail ', true], ['ünïcödé/файл.txt', true], ['日本/ファイル.pdf', true],
  ['caf\u0065\u0301.txt', true], // NFD: normalised to NFC, accepted everywhere
  ['a:b.txt', true], ['C:notes.txt', true], ['c:x', true], ['C:/x', true], ['CON', true], ['nul.txt', true], ['trailing.', true],
  ['a<b>c|d?e*f"g', true], ['emoji 😀.txt', true],
  [seg(MAX_SEGMENT_BYTES), true], [seg(MAX_SEGMENT_BYTES + 1), false],
  [seg(127, 'é') + 'x', true], [seg(128, 'é'), false], // 256 UTF-8 bytes in 128 UTF-16 units
  [seg(63, '😀') + 'xxx', true], [seg(64, '😀'), false], // 4 bytes and 2 UTF-16 units each
  [deep(MAX_DEPTH), true], [deep(MAX_DEPTH + 1), false],
  [FULL.slice(1), true], [FULL, true], [`${FULL}x`, false], [`${FULL.slice(2)}é`, true], [`${FULL.slice(1)}é`, false],
  ['', false], ['/abs', false], ['/', false], ['a//b', false], ['a/', false], ['a/./b', false], ['./a', false],
  ['a/../b', false], ['..', false], ['.', false], ['a\\b', false], ['..\\x', false],
  ['a\0b', false], ['a\nb', false], ['a\tb', false], ['a\u001bb', false], ['a\u007fb', false], ['a\u009bb', false],
  ['a\ud800b', false], ['a\udc00', false], ['\ud83d', false],
];

/** The core's verdict: its normaliser returns, or throws bad-request. */
function accepts(normalize: (p: string) => string, p: string): boolean {
  try {
    normalize(p);
    return true;
  } catch (e) {
    assert.equal((e as { code?: unknown }).code, 'bad-request');
    return false;
  }
}

test('the table measures what it says it does', () => {
  assert.equal(utf8Length(FULL), MAX_PATH_BYTES);
  assert.equal(utf8Length(seg(64, '😀')), 256);
  for (const s of ['a', 'é', '日本', '😀', 'a\ud800b', '\udc00', seg(300, 'é')]) assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'), s);
});

test('core, contract and renderer give every item path the same verdict', () => {
  for (const [p, expected] of TABLE) {
    const name = JSON.stringify(p.slice(0, 40));
    assert.equal(accepts(normalizeVaultPath, p), expected, `core ${name}`);
    assert.equal(VaultPath.safeParse(p).success, expected, `contract ${name}`);
    assert.equal(looksLikeVaultPath(p), expected, `renderer ${name}`);
  }
});

test('core and contract give every folder path the same verdict ("", "/" and one trailing "/" too)', () => {
  const folders: [string, boolean][] = [
    ['', true], ['/', true], ['docs/', true], ['docs//', false], ['//', false],
    ...TABLE.map(([p, ok]): [string, boolean] => [p, ok || p === '' || p === '/' || p === 'a/']),
  ];
  for (const [p, expected] of folders) {
    const name = JSON.stringify(p.slice(0, 40));
    assert.equal(accepts(normalizeFolderPath, p), expected, `core ${name}`);
    assert.equal(VaultDir.safeParse(p).success, expected, `contract ${name}`);
  }
});
