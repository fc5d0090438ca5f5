// @pure — imports nothing Node-only, so main, the preload and the renderer can bundle it
// (test/layering.test.ts checks the tag).
// The limits the format fixes, each in one place, and the UTF-8 length every byte limit is
// counted in. This module only states them; it does not throw or word anything.

/**
 * Bytes of UTF-8 in `s`, counted the way Buffer.byteLength and TextEncoder count (a lone surrogate
 * encodes as U+FFFD, 3 bytes), without either: Buffer is Node-only and TextEncoder allocates.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
