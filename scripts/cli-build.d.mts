// Types of scripts/cli-build.mjs for the TypeScript test harness.
import type { BuildOptions, LogLevel } from 'esbuild';

export function cliBuildOptions(o: { outdir: string; logLevel?: LogLevel; absWorkingDir?: string }): BuildOptions;
