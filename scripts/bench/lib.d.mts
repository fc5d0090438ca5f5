// Types of scripts/bench/lib.mjs for the TypeScript scenarios (see lib.mjs for what each does).

export interface BenchRow { name: string; value: string | number | null; unit?: string }
export interface BenchTarget { name: string; value: string | number | null; pass: boolean | null }
export interface BenchResult {
  scenario: string;
  title: string;
  text?: string;
  rows: BenchRow[];
  targets: BenchTarget[];
  notes?: string[];
  [extra: string]: unknown;
}

export const ROOT: string;
export const QUICK: boolean;
export const LARGE: boolean;
export function positive(v: string | undefined, dflt: number): number;
export function runs(dflt?: number): number;
export function median(xs: readonly number[]): number;
export function percentile(xs: readonly number[], p: number): number;
export function round(x: number, d?: number): number | null;
export function timed(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; rssFile: string }): Promise<{ seconds: number; rssMB: number }>;
export function makeRandomFile(path: string, bytes: number): Promise<void>;
export function table(rows: (string | number | null | undefined)[][]): string;
export function targetLine(t: BenchTarget): string;
export function report(result: BenchResult): Promise<void>;
export function cliPath(): string | null;
export function log(msg: string): void;
export function startBenchMoto(): Promise<{ keyArn: string; env: Record<string, string>; stop(): Promise<void> }>;
