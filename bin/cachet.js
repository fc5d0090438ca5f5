#!/usr/bin/env node
// The `cachet` command: runs the CLI built into dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/cachet.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('cachet: the CLI is not built yet. Run `npm run build` in the Cachet folder.\n');
  process.exit(1);
}
await import(cli.href);
