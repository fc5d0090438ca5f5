// The two palettes of renderer/styles.css (light, and dark under prefers-color-scheme: dark) held
// to WCAG 2.x contrast (issue 11): text and its background 4.5:1 (1.4.3), and 3:1 for what is not
// text but must be seen (1.4.11): input and button borders, the selected row's mark, focus rings,
// the file and folder icons. axe (test/helpers/axe.ts) checks text it finds on a screen; it does not
// check non-text contrast, and a screen shows only some of the roles, so every role pair is here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/browser.js';

const css = readFileSync(join(ROOT, 'renderer', 'styles.css'), 'utf8');

/** The custom properties of the first `:root { ... }` block after `from` (index in css). */
function rootVars(from: number): Map<string, string> {
  const start = css.indexOf(':root {', from);
  assert.ok(start >= 0, 'a :root block');
  const end = css.indexOf('}', start);
  const vars = new Map<string, string>();
  for (const m of css.slice(start, end).matchAll(/(--[a-z0-9-]+):\s*([^;]+);/g)) vars.set(m[1]!, m[2]!.trim());
  return vars;
}

const light = rootVars(0);
const darkAt = css.indexOf('@media (prefers-color-scheme: dark)');
assert.ok(darkAt > 0, 'styles.css has a dark palette');
const dark = new Map([...light, ...rootVars(darkAt)]);

function rgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  assert.ok(m, `a 6-digit hex colour: ${hex}`);
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** [foreground role, background role, what it is]: text, 4.5:1. */
const TEXT: [string, string, string][] = [
  ['--text', '--bg', 'body text'],
  ['--text', '--surface', 'text on panels and the list'],
  ['--text', '--surface-2', 'text on the header row and hovered buttons'],
  ['--text', '--accent-soft', 'a selected row'],
  ['--text', '--row-hover', 'a hovered row'],
  ['--text', '--danger-soft', 'an error notice'],
  ['--text', '--info-soft', 'an info notice'],
  ['--muted', '--surface', 'secondary text'],
  ['--muted', '--bg', 'secondary text on the window'],
  ['--muted', '--surface-2', 'column headers'],
  ['--muted', '--info-soft', 'secondary text in the pending edits'],
  ['--accent', '--surface', 'links and sort marks'],
  ['--danger', '--surface', 'danger text and quiet danger buttons'],
  ['--danger', '--danger-soft', 'an error inside its notice'],
  ['--ok', '--surface', 'healthy states'],
  ['--on-accent', '--accent', 'a primary button'],
  ['--on-accent', '--accent-hover', 'a hovered primary button'],
  ['--on-accent', '--danger', 'a danger button'],
  ['--on-accent', '--danger-hover', 'a hovered danger button'],
];
/** Not text, 3:1 against what it sits on. */
const NON_TEXT: [string, string, string][] = [
  ['--border-strong', '--surface', 'input and button borders'],
  ['--border-strong', '--bg', 'buttons on the window'],
  ['--accent', '--accent-soft', "the selected row's mark"],
  ['--accent', '--surface', 'the focus ring and the active row'],
  ['--accent', '--bg', 'the focus ring on the window'],
  ['--danger', '--surface', 'an invalid input\'s border'],
  ['--icon-folder', '--surface', 'folder icons'],
  ['--icon-folder', '--accent-soft', 'folder icons in a selected row'],
  ['--icon-file', '--surface', 'file icons'],
  ['--icon-file', '--accent-soft', 'file icons in a selected row'],
];

for (const [name, palette] of [['light', light], ['dark', dark]] as const) {
  describe(`the ${name} palette`, () => {
    const c = (role: string): string => {
      const v = palette.get(role);
      assert.ok(v, `${role} is defined`);
      return v;
    };
    /** The pairs below `min`, one readable line each. */
    const below = (pairs: readonly [string, string, string][], min: number): string[] => pairs
      .map(([f, b, what]) => ({ what, f, b, r: contrast(c(f), c(b)) }))
      .filter((x) => x.r < min)
      .map((x) => `${x.what}: ${x.f} on ${x.b} is ${x.r.toFixed(2)}:1`);
    it('text is 4.5:1 on every background it is shown on', () => assert.deepEqual(below(TEXT, 4.5), []));
    it('borders, the selected row, focus and icons are 3:1', () => assert.deepEqual(below(NON_TEXT, 3), []));
  });
}

describe('the dark theme', () => {
  it('redefines every colour role of the light one (none is left light by mistake)', () => {
    const colours = [...light].filter(([, v]) => v.startsWith('#')).map(([k]) => k);
    const darkOwn = rootVars(darkAt);
    assert.deepEqual(colours.filter((k) => !darkOwn.has(k)), []);
  });
  it('colours in rules come from the roles, so both themes apply (no hex literal outside the palettes)', () => {
    const rules = css.slice(css.indexOf('}', darkAt) + 1).replace(/\/\*[\s\S]*?\*\//g, '');
    const afterDark = rules.slice(rules.indexOf('}') + 1);
    const literals = [...afterDark.matchAll(/#[0-9a-f]{3,6}\b/gi)].map((m) => m[0]);
    // Deliberate literals, the same in both themes: the image preview's transparency checkerboard
    // and the brand mark's gradient beside the app's name.
    assert.deepEqual(literals.filter((l) => !['#eee', '#fff', '#2f5fd0', '#5b8def'].includes(l.toLowerCase())), []);
  });
});

it('the contrast formula matches WCAG (black on white is 21:1, a colour on itself 1:1)', () => {
  assert.equal(contrast('#000000', '#ffffff').toFixed(2), '21.00');
  assert.equal(contrast('#777777', '#777777'), 1);
  assert.equal(contrast('#767676', '#ffffff').toFixed(2), '4.54');
});
