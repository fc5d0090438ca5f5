import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInspect, formatList, formatTable, shortKey } from '../../../app/cli/output.js';

test('formatTable aligns columns and right-aligns the asked ones', () => {
  const t = formatTable(['A', 'SIZE', 'C'], [['long-name', '1', 'x'], ['b', '100', 'yy']], [1]);
  const lines = t.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[1]!.indexOf('1'), lines[2]!.indexOf('100') + 2);
  assert.equal(lines[0]!.indexOf('C'), lines[1]!.indexOf('x'));
});

test('formatList shows path, size, time, short keys and a total', () => {
  const arn = 'arn:aws:kms:eu-west-1:111122223333:key/12345678-aaaa-bbbb-cccc-1234567890ab';
  const out = formatList([
    { id: 'a'.repeat(32), path: 'docs/a.txt', size: 1500, mtime: Date.UTC(2026, 0, 2, 3, 4), keyIds: [arn, 'local:abcd'] },
    { id: 'b'.repeat(32), path: 'b.bin', size: null, mtime: null, keyIds: [] },
  ]);
  assert.match(out, /^PATH\s+SIZE\s+MODIFIED\s+KEYS\n/);
  assert.match(out, /docs\/a\.txt\s+1\.50 kB\s+2026-01-0\d \d\d:\d\d\s+key\/12345678… \(eu-west-1\), local:abcd/);
  assert.match(out, /b\.bin\s+-\s+-/);
  assert.match(out, /2 items, 1\.50 kB\n$/);
  assert.equal(formatList([]), '(no items)\n');
  assert.equal(shortKey('local:ff'), 'local:ff');
});

test('formatInspect lists the context sorted and every wrapped key', () => {
  const out = formatInspect({
    path: 'f.env', version: 1, chunkSize: 65536, headerLength: 300, payloadLength: 1016,
    context: { 'cachet:purpose': 'item', 'cachet:item': 'ab' },
    stanzas: [{ type: 'local', keyId: 'local:01', blobLength: 60 }, { type: 'aws-kms', keyId: 'arn:k', blobLength: 180 }],
  });
  assert.match(out, /version 1/);
  assert.ok(out.indexOf('cachet:item') < out.indexOf('cachet:purpose'));
  assert.match(out, /1\. local\s+local:01\n\s+2\. aws-kms\s+arn:k/);
});

test('formatTable escapes control characters (a KMS key description is someone else\'s text) and aligns on the escaped text', () => {
  const t = formatTable(['ALIAS', 'DESCRIPTION'], [['alias/a', 'evil\x1b[2Jtext'], ['alias/bb', 'ok']]);
  assert.ok(!t.includes('\x1b'));
  assert.ok(t.includes(String.raw`evil\x1b[2Jtext`));
  const lines = t.trimEnd().split('\n');
  assert.equal(lines[1]!.indexOf('evil'), lines[2]!.indexOf('ok'));
});
