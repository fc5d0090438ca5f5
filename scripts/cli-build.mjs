// The esbuild job of the `cachet` CLI bundle, shared by scripts/build.mjs (into dist/cli) and the
// CLI tests' private builds (test/app/cli/harness.ts), so the two cannot drift apart.
// ESM with code splitting: what a dynamic import() reaches (the AWS provider and with it the AWS
// SDK, ~40 ms and ~27 MB to load) goes into dist/cli/chunks/ and is loaded only by the commands
// that use AWS; `--local`, help and version never load it. npm packages stay external, except in
// the copy the desktop packages ship (`bundlePackages`): the app has no node_modules, so that copy
// carries its packages inside (a CommonJS package bundled into ESM needs a real `require` for
// node:* built-ins, hence the banner).

/** @param {{ outdir: string, logLevel?: import('esbuild').LogLevel, absWorkingDir?: string, bundlePackages?: boolean }} o */
export function cliBuildOptions({ outdir, logLevel = 'warning', absWorkingDir, bundlePackages = false }) {
  return {
    bundle: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel,
    platform: 'node',
    target: 'node24',
    ...(bundlePackages
      ? { banner: { js: "import { createRequire as __cachetRequire } from 'node:module'; const require = __cachetRequire(import.meta.url);" } }
      : { packages: 'external' }),
    format: 'esm',
    splitting: true,
    entryPoints: { cachet: 'app/cli/main.ts' },
    chunkNames: 'chunks/[name]-[hash]',
    outdir,
    ...(absWorkingDir ? { absWorkingDir } : {}),
  };
}
