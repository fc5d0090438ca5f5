// Runs the test suite with node's test runner; TypeScript test files load through tsx.
// Usage: node scripts/test.mjs [file or glob ...]   (default: every test/**/*.test.ts)
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const files = args.length > 0 ? args : ['test/**/*.test.ts', 'test/**/*.test.tsx'];
const r = spawnSync(process.execPath, [
  '--import', 'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-timeout=300000',
  '--test-reporter=spec',
  ...files,
], { stdio: 'inherit' });
process.exit(r.status ?? 1);
