// The renderer's layering (STYLE "React"): components are props-only and never reach the API;
// only api.ts touches window.cachet; nothing in the renderer imports the contract's runtime
// values (types only: the zod schemas stay out of the bundle). Node, electron, main/ and
// non-pure app/ modules are test/layering.test.ts's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from '../helpers/browser.js';

async function sources(dir: string): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.tsx?$/.test(e.name)) {
      const file = join(e.parentPath, e.name);
      out.push({ file: relative(ROOT, file), text: await readFile(file, 'utf8') });
    }
  }
  return out;
}

test('components never import the API or feature hooks', async () => {
  const files = await sources(join(ROOT, 'renderer/components'));
  assert.ok(files.length > 10);
  for (const { file, text } of files) {
    assert.doesNotMatch(text, /from '\.\.\/api\.js'/, file);
    assert.doesNotMatch(text, /from '\.\.\/features\/[^']*\/use-[^']*'/, file);
  }
});

test('only renderer/api.ts touches window.cachet', async () => {
  for (const { file, text } of await sources(join(ROOT, 'renderer'))) {
    if (file === 'renderer/api.ts') {
      assert.match(text, /CachetBridge/);
      continue;
    }
    assert.doesNotMatch(text, /(window|globalThis)[^;\n]*\bcachet\b/, file);
    assert.doesNotMatch(text, /declare global/, file);
  }
});

// No node or electron module in the renderer: test/layering.test.ts, with the rest of the layers.
test('the renderer imports only types from the contract', async () => {
  for (const { file, text } of await sources(join(ROOT, 'renderer'))) {
    for (const m of text.matchAll(/^import (.*) from '[./]*contract\/ipc\.js';$/gm)) assert.match(m[1]!, /^type /, `${file}: ${m[0]}`);
  }
});

test('the renderer bundle holds no zod (its runtime imports from main/ are zod-free)', async () => {
  const r = await build({
    entryPoints: [join(ROOT, 'renderer/index.tsx')], bundle: true, write: false, metafile: true, platform: 'browser',
    format: 'esm', jsx: 'automatic', logLevel: 'silent', outdir: join(ROOT, 'dist-unused'),
  });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.some((i) => i.includes('renderer/features/browse/path-check.ts')), 'the metafile lists renderer sources');
  assert.deepEqual(inputs.filter((i) => /node_modules\/zod\/|contract\/ipc\.ts/.test(i)), []);
});
