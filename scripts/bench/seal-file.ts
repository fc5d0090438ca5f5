// Fallback for scenario 1 when the CLI bundle (dist/cli/cachet.js) is missing: the same core
// calls the CLI makes (app/envelope.ts sealFile/openFile) on one file with a local key, from a
// node process run under /usr/bin/time. The master key is fixed and no key file is unlocked, so
// this row has no scrypt cost: peers.mjs says so in its notes.
//   node --import tsx scripts/bench/seal-file.ts encrypt|decrypt <in> <out>

import { openFile, sealFile } from '../../app/envelope.js';
import { LocalKeyProvider } from '../../app/keys/local.js';
import { Keyring } from '../../app/keys/provider.js';
import { newId } from '../../app/vault/layout.js';

const [mode, input, output] = process.argv.slice(2);
if ((mode !== 'encrypt' && mode !== 'decrypt') || !input || !output) {
  console.error('usage: seal-file.ts encrypt|decrypt <in> <out>');
  process.exit(2);
}
const local = LocalKeyProvider.fromMasterKey(Buffer.alloc(32, 9));
const keyring = new Keyring([local]);
if (mode === 'encrypt') {
  await sealFile(input, output, {
    keyring, keys: [{ provider: 'local', keyId: local.keyId }], context: { 'cachet:item': newId(), 'cachet:purpose': 'item' },
    metadata: { path: 'bench.bin', size: null, mtime: null }, overwrite: true,
  });
} else {
  await openFile(input, output, { keyring, overwrite: true });
}
