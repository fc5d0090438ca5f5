// The layers of the tree, held by reading every import of every source file (STYLE "Hold the
// layers with a test"): static `import`/`export … from`, side-effect `import 'x'`, dynamic
// `import()`, `require()`, and type-only imports (`import type`, `typeof import()`).
//   - app/ (the core) never imports electron, react, main/, renderer/ or contract/: the contract
//     sits above the core (it is built from app's pure modules), so the core cannot depend on it.
//   - contract/ imports neither main/ nor renderer/; main/ never imports renderer/.
//   - only the Electron shell files (ELECTRON_SHELL) import electron.
//   - the renderer imports no Node builtin, nothing from main/, and at run time nothing from app/
//     or contract/ but modules tagged `// @pure` (types are erased, so type imports are free).
//   - a `@pure` module imports no Node builtin, electron or react, uses no Node global (Buffer,
//     process, __dirname), and imports at run time only other `@pure` modules (or npm packages).
// test/ is not checked: tests load fakes of electron and reach into every layer on purpose.
// The last test runs the same checks on a temp tree of bad imports, so each rule is seen to fail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { transformSync } from 'esbuild';
import { ROOT } from './helpers/browser.js';
import { tempDir } from './main/helpers.js';

const SOURCE_DIRS = ['app', 'bin', 'contract', 'main', 'renderer', 'scripts'];
/** The only files that may import electron: the process entry, the window, the preload and the platform. */
const ELECTRON_SHELL = ['main/main.ts', 'main/window.ts', 'main/preload.ts', 'main/electron-platform.ts'];
const PURE_TAG = /^\/\/ @pure\b/m;
const BUILTINS = new Set(builtinModules);

interface Source {
  file: string;
  pure: boolean;
  /** Specifiers that exist at run time (what esbuild keeps under verbatimModuleSyntax). */
  runtime: string[];
  /** Specifiers of type-only imports. */
  types: string[];
  /** The code without types and comments, for the Node-global check. */
  code: string;
}

async function listSources(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of SOURCE_DIRS) {
    let entries;
    try {
      entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
    } catch {
      continue;
    }
    for (const e of entries) if (e.isFile() && /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts') && !e.name.endsWith('.d.mts')) out.push(relative(root, join(e.parentPath, e.name)));
  }
  return out.sort();
}

const matches = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]!);

function parse(file: string, text: string): Source {
  const loader = file.endsWith('.tsx') ? 'tsx' : /\.[mc]?ts$/.test(file) ? 'ts' : 'js';
  // minifyWhitespace drops comments, so an import named in a comment is not an import.
  const code = transformSync(text, { loader, minifyWhitespace: true, tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } } }).code;
  const runtime = [
    ...matches(code, /(?:^|[;}\s])import\s*(?:[\w$*{},\s]+?\s*from\s*)?"([^"]+)"/g),
    ...matches(code, /(?:^|[;}\s])export\s*[\w$*{},\s]*?from\s*"([^"]+)"/g),
    ...matches(code, /(?<![\w$.#])import\(\s*"([^"]+)"\s*\)/g),
    ...matches(code, /(?<![\w$.#])require\(\s*"([^"]+)"\s*\)/g),
  ];
  const types = [
    ...matches(text, /^\s*(?:import|export)\s+type\s[^;]*?from\s*['"]([^'"]+)['"]/gm),
    ...matches(text, /\btypeof\s+import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return { file, pure: PURE_TAG.test(text), runtime, types, code };
}

/** The tree file a relative specifier names (`./x.js` is `./x.ts` in source), or undefined. */
function target(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = relative('/', resolve('/', dirname(from), spec));
  const stem = base.replace(/\.(js|mjs|cjs|jsx)$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`, `${base}/index.ts`]) if (files.has(c)) return c;
  return base;
}

const isBuiltin = (spec: string) => spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0]!);
const isElectron = (spec: string) => spec === 'electron' || spec.startsWith('electron/');
const isReact = (spec: string) => spec === 'react' || spec.startsWith('react/') || spec === 'react-dom' || spec.startsWith('react-dom/');
const layerOf = (file: string | undefined) => file?.split('/')[0];
/** String literals, blanked before looking for Node globals ('credential-process' is no use of process). */
const STRING = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g;
const NODE_GLOBAL = /(?<![\w$.#])(Buffer|process|__dirname|__filename)(?![\w$])/;

/** Every broken rule, as `file: what`. */
async function layeringProblems(root: string): Promise<{ problems: string[]; sources: Source[] }> {
  const names = await listSources(root);
  const files = new Set(names);
  const sources = await Promise.all(names.map(async (f) => parse(f, await readFile(join(root, f), 'utf8'))));
  const pure = new Set(sources.filter((s) => s.pure).map((s) => s.file));
  const problems: string[] = [];
  for (const s of sources) {
    const layer = layerOf(s.file);
    const check = (spec: string, runtime: boolean) => {
      const to = target(s.file, spec, files);
      const toLayer = to === undefined ? undefined : layerOf(to);
      const say = (what: string) => problems.push(`${s.file}: ${what} (${runtime ? '' : 'type '}import '${spec}')`);
      if (isElectron(spec) && !ELECTRON_SHELL.includes(s.file)) say('imports electron outside the Electron shell');
      if (layer === 'app') {
        if (isReact(spec)) say('app/ imports react');
        if (toLayer === 'main' || toLayer === 'renderer' || toLayer === 'contract') say(`app/ imports ${toLayer}/`);
      }
      if (layer === 'contract' && (toLayer === 'main' || toLayer === 'renderer')) say(`contract/ imports ${toLayer}/`);
      if (layer === 'main' && toLayer === 'renderer') say('main/ imports renderer/');
      if (layer === 'renderer') {
        if (isBuiltin(spec)) say('the renderer imports a Node builtin');
        if (toLayer === 'main') say('the renderer imports main/');
        if (runtime && (toLayer === 'app' || toLayer === 'contract') && !pure.has(to!)) say(`the renderer imports ${to} at run time, which is not @pure`);
      }
      if (s.pure && runtime) {
        if (isBuiltin(spec)) say('a @pure module imports a Node builtin');
        if (isReact(spec) || isElectron(spec)) say('a @pure module imports react or electron');
        if (to !== undefined && !pure.has(to)) say(`a @pure module imports ${to}, which is not @pure`);
      }
    };
    for (const spec of s.runtime) check(spec, true);
    for (const spec of s.types) check(spec, false);
    const global = NODE_GLOBAL.exec(s.code.replace(STRING, '""'));
    if (s.pure && global) problems.push(`${s.file}: a @pure module uses the Node global ${global[1]}`);
  }
  return { problems, sources };
}

test('the tree keeps its layers', async () => {
  const { problems, sources } = await layeringProblems(ROOT);
  assert.deepEqual(problems, []);
  // The scan saw what it must see, so an empty list means something.
  const by = new Map(sources.map((s) => [s.file, s]));
  assert.ok(sources.filter((s) => s.file.startsWith('renderer/')).length > 20, 'renderer sources read');
  for (const f of ELECTRON_SHELL) assert.ok(by.get(f)?.runtime.includes('electron'), `${f} is a shell file that imports electron`);
  assert.ok(by.get('app/cli/keys.ts')?.runtime.includes('../keys/aws-kms.js'), 'dynamic import() is read');
  assert.ok(by.get('renderer/api.ts')?.types.includes('../contract/ipc.js'), 'type-only imports are read');
  assert.ok(by.get('renderer/features/browse/path-check.ts')?.runtime.includes('../../../app/vault/path-rules.js'), 'export … from is read');
  for (const f of ['app/errors.ts', 'app/format/limits.ts', 'app/vault/path-rules.ts', 'contract/ipc.ts', 'contract/names.ts']) assert.ok(by.get(f)?.pure, `${f} is tagged @pure`);
});

test('each rule fails on a tree that breaks it', async () => {
  const { dir, cleanup } = await tempDir('cachet-layering-');
  try {
    const put = async (file: string, text: string) => {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    };
    await put('app/pure.ts', "// @pure\nimport { createHash } from 'node:crypto';\nexport const h = () => createHash('sha256');\n");
    await put('app/pure-global.ts', "// @pure\nexport const n = (s: string) => Buffer.byteLength(s);\n");
    await put('app/pure-dep.ts', "// @pure\nexport { x } from './impure.js';\n");
    await put('app/impure.ts', "export const x = 1;\n");
    await put('app/core.ts', "import { app } from 'electron';\nimport type { ReactNode } from 'react';\nexport const a = app;\nexport type N = ReactNode;\n");
    await put('app/up.ts', "export const m = () => import('../main/handlers.js');\nexport type C = typeof import('../contract/ipc.js');\n");
    await put('main/handlers.ts', "const e = require('electron');\nexport { e };\nexport * from '../renderer/view.js';\n");
    await put('contract/ipc.ts', "// @pure\nimport '../main/handlers.js';\n");
    await put('renderer/view.ts', "import { readFile } from 'fs';\nimport { x } from '../app/impure.js';\nimport type { T } from '../main/types.js';\n// import { nope } from 'node:os';\nexport const v = [readFile, x];\nexport type U = T;\n");
    await put('renderer/ok.ts', "import { isItemId } from '../app/limits.js';\nimport type { Big } from '../app/impure.js';\nexport const ok = isItemId;\nexport type B = Big;\n");
    await put('app/limits.ts', "// @pure\nexport const isItemId = (s: string) => /^[0-9a-f]{32}$/.test(s);\n");
    const { problems } = await layeringProblems(dir);
    const expected = [
      "app/core.ts: imports electron outside the Electron shell (import 'electron')",
      "app/core.ts: app/ imports react (type import 'react')",
      "app/pure-dep.ts: a @pure module imports app/impure.ts, which is not @pure (import './impure.js')",
      'app/pure-global.ts: a @pure module uses the Node global Buffer',
      "app/pure.ts: a @pure module imports a Node builtin (import 'node:crypto')",
      "app/up.ts: app/ imports main/ (import '../main/handlers.js')",
      "app/up.ts: app/ imports contract/ (type import '../contract/ipc.js')",
      "contract/ipc.ts: contract/ imports main/ (import '../main/handlers.js')",
      "contract/ipc.ts: a @pure module imports main/handlers.ts, which is not @pure (import '../main/handlers.js')",
      "main/handlers.ts: imports electron outside the Electron shell (import 'electron')",
      "main/handlers.ts: main/ imports renderer/ (import '../renderer/view.js')",
      "renderer/view.ts: the renderer imports a Node builtin (import 'fs')",
      "renderer/view.ts: the renderer imports app/impure.ts at run time, which is not @pure (import '../app/impure.js')",
      "renderer/view.ts: the renderer imports main/ (type import '../main/types.js')",
    ];
    assert.deepEqual([...problems].sort(), [...expected].sort());
  } finally {
    await cleanup();
  }
});
