// Builds every runnable piece into dist/ with esbuild. Type checking is `npm run typecheck`
// (tsc); esbuild only strips types and bundles.
//   dist/cli/cachet.js      the CLI (ESM, npm packages left external; chunks/ for what it loads lazily)
//   dist/main/main.cjs      Electron main process (only electron external: the packaged app ships
//                           no node_modules, see electron-builder.yml)
//   dist/packaged-cli/      the CLI again with its npm packages inside: the desktop packages' `cachet`
//   dist/main/preload.cjs   the sandboxed preload: one CommonJS file that may require only electron
//   dist/renderer/          the React renderer: app.js, app.css, index.html
import { build } from 'esbuild';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cliBuildOptions } from './cli-build.mjs';

const watch = process.argv.includes('--watch');
await rm('dist', { recursive: true, force: true });
await mkdir('dist/renderer', { recursive: true });

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };

const jobs = [
  build(cliBuildOptions({ outdir: 'dist/cli' })),
  build(cliBuildOptions({ outdir: 'dist/packaged-cli', bundlePackages: true })),
  build({ ...common, platform: 'node', target: 'node24', entryPoints: { 'main/main': 'main/main.ts' }, outdir: 'dist', format: 'cjs', outExtension: { '.js': '.cjs' }, external: ['electron'] }),
  build({ ...common, platform: 'node', target: 'node24', entryPoints: { 'main/preload': 'main/preload.ts' }, outdir: 'dist', format: 'cjs', outExtension: { '.js': '.cjs' }, external: ['electron'] }),
  build({ ...common, platform: 'browser', target: 'chrome140', entryPoints: { 'renderer/app': 'renderer/index.tsx' }, outdir: 'dist', format: 'esm', jsx: 'automatic', minify: !watch, define: { 'process.env.NODE_ENV': '"production"' } }),
];
await Promise.all(jobs);
await cp('renderer/index.html', 'dist/renderer/index.html');
// The packaged CLI runs from a folder with no package.json above it: say its .js files are ESM.
await writeFile('dist/packaged-cli/package.json', '{ "type": "module" }\n');
console.log('built dist/');
