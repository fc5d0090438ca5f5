// Builds every runnable piece into dist/ with esbuild. Type checking is `npm run typecheck`
// (tsc); esbuild only strips types and bundles.
//   dist/cli/cachet.js      the CLI (ESM, npm packages left external; chunks/ for what it loads lazily)
//   dist/main/main.cjs      Electron main process (electron and npm packages external)
//   dist/main/preload.cjs   the sandboxed preload: one CommonJS file that may require only electron
//   dist/renderer/          the React renderer: app.js, app.css, index.html
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import { cliBuildOptions } from './cli-build.mjs';

const watch = process.argv.includes('--watch');
await rm('dist', { recursive: true, force: true });
await mkdir('dist/renderer', { recursive: true });

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };
const node = { ...common, platform: 'node', target: 'node24', packages: 'external' };

const jobs = [
  build(cliBuildOptions({ outdir: 'dist/cli' })),
  build({ ...node, entryPoints: { 'main/main': 'main/main.ts' }, outdir: 'dist', format: 'cjs', outExtension: { '.js': '.cjs' }, external: ['electron'] }),
  build({ ...common, platform: 'node', target: 'node24', entryPoints: { 'main/preload': 'main/preload.ts' }, outdir: 'dist', format: 'cjs', outExtension: { '.js': '.cjs' }, external: ['electron'] }),
  build({ ...common, platform: 'browser', target: 'chrome140', entryPoints: { 'renderer/app': 'renderer/index.tsx' }, outdir: 'dist', format: 'esm', jsx: 'automatic', minify: !watch, define: { 'process.env.NODE_ENV': '"production"' } }),
];
await Promise.all(jobs);
await cp('renderer/index.html', 'dist/renderer/index.html');
console.log('built dist/');
