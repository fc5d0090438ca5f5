// Peer for scenario 1: the AWS Encryption SDK for JavaScript (@aws-crypto/client-node) encrypting
// or decrypting one file with a raw AES-256 keyring and the SDK's defaults (committing, signed
// algorithm suite; 4 KiB frames), as its README's stream example does. Run under /usr/bin/time
// by peers.mjs. The wrapping key is a fixed test key: this measures throughput, not secrecy.
//   node scripts/bench/esdk-file.mjs encrypt|decrypt <in> <out>

import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';

const [mode, input, output] = process.argv.slice(2);
if (!['encrypt', 'decrypt'].includes(mode) || !input || !output) {
  console.error('usage: esdk-file.mjs encrypt|decrypt <in> <out>');
  process.exit(2);
}
const { encryptStream, decryptStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const keyring = new RawAesKeyringNode({
  keyName: 'bench-key',
  keyNamespace: 'cachet-bench',
  unencryptedMasterKey: new Uint8Array(32).fill(7),
  wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
});
const step = mode === 'encrypt' ? encryptStream(keyring, { encryptionContext: { purpose: 'bench' } }) : decryptStream(keyring);
await pipeline(createReadStream(input), step, createWriteStream(output));
