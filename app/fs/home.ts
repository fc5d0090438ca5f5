// The Cachet home: the folder of this user's Cachet state (the local key, known vaults, the
// record of in-flight plaintext outputs). `$CACHET_HOME`, default `~/.cachet`. It only names the
// folder; each module that keeps a file there creates it.

import { homedir } from 'node:os';
import { join } from 'node:path';

export function cachetHome(): string {
  const home = process.env['CACHET_HOME'];
  return home && home.length > 0 ? home : join(homedir(), '.cachet');
}
