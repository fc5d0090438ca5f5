import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatProgressLine, formatRate, ProgressBar, REDRAW_MS, shortenLeft } from '../../../app/cli/progress.js';

test('formatBytes uses decimal units with 3 significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1000), '1.00 kB');
  assert.equal(formatBytes(1536), '1.54 kB');
  assert.equal(formatBytes(12_345_678), '12.3 MB');
  assert.equal(formatBytes(1_073_741_824), '1.07 GB');
  assert.equal(formatBytes(-1), '?');
  assert.equal(formatRate(250_000_000), '250 MB/s');
});

test('formatDuration', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(65), '1:05');
  assert.equal(formatDuration(3723), '1:02:03');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '--:--');
});

test('a progress line shows percent, amounts, rate and ETA, within the width', () => {
  const line = formatProgressLine({ label: 'photos/holiday/a.jpg', bytes: 50_000_000, total: 200_000_000, rate: 50_000_000 }, 100);
  assert.match(line, / 25%/);
  assert.match(line, /50\.0 MB \/ 200 MB/);
  assert.match(line, /50\.0 MB\/s/);
  assert.match(line, /ETA 0:03/);
  assert.match(line, /\[#+\.+\]/);
  assert.match(line, /a\.jpg/);
  assert.ok(line.length < 100);
});

test('a narrow line drops the bar and shortens the label from the left', () => {
  const line = formatProgressLine({ label: 'a/very/long/folder/name/file.bin', bytes: 1, total: 10, rate: 1 }, 50);
  assert.ok(line.length < 50, line);
  assert.match(line, /10%/);
  assert.equal(shortenLeft('abcdefghij', 6), '...hij');
});

test('an unknown total shows bytes and rate, no percent or ETA', () => {
  const line = formatProgressLine({ label: 'stdin', bytes: 3_000_000, total: null, rate: 1_000_000 }, 80);
  assert.doesNotMatch(line, /%|ETA/);
  assert.match(line, /3\.00 MB/);
});

test('the bar writes nothing when not a TTY', () => {
  const writes: string[] = [];
  const bar = new ProgressBar({ isTTY: false, write: (s: string) => writes.push(s) });
  bar.start('x', 10);
  bar.update(5);
  bar.end();
  assert.deepEqual(writes, []);
});

test('the bar throttles redraws and clears its line at the end', () => {
  let now = 0;
  const writes: string[] = [];
  const bar = new ProgressBar({ isTTY: true, columns: 100, write: (s: string) => writes.push(s) }, { now: () => now });
  bar.start('file', 1000);
  assert.equal(writes.length, 0, 'nothing is drawn before the first byte (a prompt may come first)');
  bar.update(0);
  assert.equal(writes.length, 1);
  const afterStart = writes.length;
  for (let i = 1; i <= 10; i++) {
    now += REDRAW_MS / 10;
    bar.update(i * 10);
  }
  assert.ok(writes.length - afterStart <= 2, `throttled: ${writes.length - afterStart} redraws`);
  now += REDRAW_MS;
  bar.update(1000);
  assert.match(writes.at(-1)!, /100%/);
  assert.ok(bar.state().rate > 0);
  bar.end();
  assert.equal(writes.at(-1), '\r\x1b[2K');
});

test('the rate ignores the time between start and the first update', () => {
  let now = 0;
  const bar = new ProgressBar({ isTTY: true, columns: 100, write: () => {} }, { now: () => now });
  bar.start('file', 10_000_000);
  now += 5000; // a slow passphrase prompt
  bar.update(0);
  now += 1000;
  bar.update(1_000_000);
  assert.equal(Math.round(bar.state().rate), 1_000_000);
});

test('the progress label is printed with its control characters escaped (a file name can hold them)', () => {
  const line = formatProgressLine({ label: 'evil\x1b]0;x\x07.txt', bytes: 1, total: 2, rate: 0 }, 200);
  assert.ok(!line.includes('\x1b') && !line.includes('\x07'), JSON.stringify(line));
  assert.ok(line.startsWith(String.raw`evil\x1b]0;x\x07.txt`), line);
});
