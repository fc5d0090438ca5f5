import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { isCachetError } from '../../../app/errors.js';
import {
  isUnder, joinVaultPath, keepBothName, MAX_DEPTH, MAX_PATH_BYTES, MAX_SEGMENT_BYTES, normalizeFolderPath, normalizeVaultPath, portableFileName, toFsPath, windowsNameProblem,
} from '../../../app/vault/paths.js';

function reason(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    assert.ok(isCachetError(e, 'bad-request'), `expected bad-request, got ${String(e)}`);
    return String(e.detail['reason']);
  }
  return undefined;
}

describe('normalizeVaultPath', () => {
  const accepted: [string, string][] = [
    ['a', 'a'],
    ['a/b/c.txt', 'a/b/c.txt'],
    ['.hidden', '.hidden'],
    ['..foo', '..foo'],
    ['a/...', 'a/...'],
    ['with space/ x ', 'with space/ x '],
    ['caf\u0065\u0301.txt', 'caf\u00e9.txt'], // NFD in, NFC out
    ['日本/ファイル.pdf', '日本/ファイル.pdf'],
    ['x'.repeat(MAX_SEGMENT_BYTES), 'x'.repeat(MAX_SEGMENT_BYTES)],
  ];
  for (const [input, out] of accepted) {
    it(`accepts ${JSON.stringify(input).slice(0, 40)}`, () => assert.equal(normalizeVaultPath(input), out));
  }

  const refused: [unknown, string][] = [
    ['', 'empty'],
    [42, 'not-a-string'],
    [null, 'not-a-string'],
    ['/etc/passwd', 'absolute'],
    ['a//b', 'empty-segment'],
    ['a/', 'empty-segment'],
    ['./a', 'dot-segment'],
    ['a/./b', 'dot-segment'],
    ['..', 'dot-segment'],
    ['a/../../b', 'dot-segment'],
    ['a\\b', 'backslash'],
    ['..\\..\\x', 'backslash'],
    ['a\u0000b', 'control-character'],
    ['a\nb', 'control-character'],
    ['a\u001bb', 'control-character'],
    ['a\u007fb', 'control-character'],
    ['a\u009bb', 'control-character'],
    ['a\ud800b', 'invalid-unicode'],
    ['x'.repeat(MAX_SEGMENT_BYTES + 1), 'segment-too-long'],
    ['é'.repeat(128), 'segment-too-long'], // 256 UTF-8 bytes in 128 characters
    [Array.from({ length: 20 }, () => 'y'.repeat(250)).join('/'), 'too-long'],
    [Array.from({ length: MAX_DEPTH + 1 }, () => 'd').join('/'), 'too-deep'],
    ['z/'.repeat(MAX_PATH_BYTES), 'too-long'],
  ];
  for (const [input, why] of refused) {
    it(`refuses ${JSON.stringify(input)?.slice(0, 40)} (${why})`, () => assert.equal(reason(() => normalizeVaultPath(input)), why));
  }
});

describe('folder paths', () => {
  it('treats "", "/" and undefined as the root and allows one trailing slash', () => {
    assert.equal(normalizeFolderPath(''), '');
    assert.equal(normalizeFolderPath('/'), '');
    assert.equal(normalizeFolderPath(undefined), '');
    assert.equal(normalizeFolderPath('a/b/'), 'a/b');
    assert.equal(reason(() => normalizeFolderPath('a//')), 'empty-segment');
    assert.equal(reason(() => normalizeFolderPath('/a')), 'absolute');
  });

  it('joins and tests containment by whole segments', () => {
    assert.equal(joinVaultPath('', 'a'), 'a');
    assert.equal(joinVaultPath('x/y', 'a'), 'x/y/a');
    assert.equal(reason(() => joinVaultPath('x', '..')), 'dot-segment');
    assert.ok(isUnder('a/b', 'a'));
    assert.ok(isUnder('a', 'a'));
    assert.ok(isUnder('a', ''));
    assert.ok(!isUnder('ab/c', 'a'));
  });
});

describe('keepBothName', () => {
  const cases: [string, number, string][] = [
    ['report.pdf', 2, 'report (2).pdf'],
    ['dir/report.pdf', 3, 'dir/report (3).pdf'],
    ['.bashrc', 2, '.bashrc (2)'],
    ['notes', 2, 'notes (2)'],
    ['a.tar.gz', 2, 'a.tar (2).gz'],
  ];
  for (const [p, n, out] of cases) it(`${p} -> ${out}`, () => assert.equal(keepBothName(p, n), out));
});

describe('toFsPath', () => {
  it('maps a vault path under the destination', () => {
    assert.equal(toFsPath('/tmp/out', 'a/b.txt'), join(resolve('/tmp/out'), 'a', 'b.txt'));
  });
  it('refuses what would leave the destination', () => {
    assert.equal(reason(() => toFsPath('/tmp/out', '../x')), 'dot-segment');
    assert.equal(reason(() => toFsPath('/tmp/out', '/etc/passwd')), 'absolute');
  });
  it('on Windows refuses a segment Windows cannot create, anywhere in the path', () => {
    for (const p of ['CON', 'docs/con.txt', 'NUL.tar.gz', 'a/COM1.log', 'lpt9', 'COM\u00b9', 'CONIN$', 'a:b', 'q?.txt', 'x/y*', '"quoted"', 'a<b>', 'pipe|d', 'dot.', 'space ', 'dir./file']) {
      assert.equal(reason(() => toFsPath('/tmp/out', p, 'win32')), 'not-portable', p);
      assert.doesNotThrow(() => toFsPath('/tmp/out', p, 'linux'), p);
    }
    for (const p of ['console.txt', 'CONFIG', 'nul1', 'com10', 'lpt', 'a.b', '.bashrc', 'x/ y', '12h30 notes.txt']) {
      assert.doesNotThrow(() => toFsPath('/tmp/out', p, 'win32'), p);
    }
  });
});

describe('windowsNameProblem and portableFileName', () => {
  it('say why a name cannot be created on Windows', () => {
    assert.match(windowsNameProblem('a:b')!, /character/);
    assert.match(windowsNameProblem('aux.c')!, /device/);
    assert.match(windowsNameProblem('end.')!, /dot or a space/);
    assert.equal(windowsNameProblem('fine.txt'), undefined);
  });
  it('make any name creatable on Windows, and leave it alone elsewhere', () => {
    const cases: [string, string][] = [['CON', '_CON'], ['nul.txt', '_nul.txt'], ['a:b?.txt', 'a_b_.txt'], ['trail. . ', 'trail'], ['...', '_'], ['ok.txt', 'ok.txt']];
    for (const [name, want] of cases) {
      const got = portableFileName(name, 'win32');
      assert.equal(got, want, name);
      assert.equal(windowsNameProblem(got), undefined, `${name} -> ${got}`);
      assert.equal(portableFileName(name, 'linux'), name);
    }
  });
});
