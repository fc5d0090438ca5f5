// Peer for scenario 1: a Node process that only copies the file, with the same I/O pattern as the
// cachet CLI (fs/promises, 1 MiB blocks, one read ahead, two positional writes in flight; no
// fsync, like `cp`). The floor for any Node tool that reads and writes the bytes: what is left
// between it and cachet is the cipher and the envelope; what is left between it and `cp` is
// Node's (user-space copies, thread-pool hops) and no tool in Node can take it back.
//
// With `--kms <key-arn> <blob-file>` it first does what any tool opening a file under a KMS key
// must do before it has one byte of plaintext to write: load @aws-sdk/client-kms, make one
// Decrypt of a data key (the endpoint and credentials from the environment, as the CLI takes
// them) and zero the answer. That is `kms-copy`, the floor for cachet's own decrypt.
//   node scripts/bench/node-copy.mjs <in> <out> [--kms <key-arn> <blob-file>]
//   node scripts/bench/node-copy.mjs --make-blob <key-arn> <blob-file>   (set-up: one GenerateDataKey)

import { open, readFile, writeFile } from 'node:fs/promises';

const args = process.argv.slice(2);
/** The encryption context of the blob; any fixed one does (Decrypt must repeat it). */
const CONTEXT = { purpose: 'cachet-bench-kms-copy' };
const kmsClient = async () => {
  const { KMSClient, DecryptCommand, GenerateDataKeyCommand } = await import('@aws-sdk/client-kms');
  return { client: new KMSClient({}), DecryptCommand, GenerateDataKeyCommand };
};
if (args[0] === '--make-blob') {
  const [, keyId, blobFile] = args;
  const { client, GenerateDataKeyCommand } = await kmsClient();
  const out = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT }));
  out.Plaintext.fill(0);
  await writeFile(blobFile, out.CiphertextBlob);
  process.exit(0);
}
const [input, output, flag, keyId, blobFile] = args;
if (!input || !output || (flag !== undefined && (flag !== '--kms' || !keyId || !blobFile))) {
  console.error('usage: node-copy.mjs <in> <out> [--kms <key-arn> <blob-file>]');
  process.exit(2);
}
if (flag === '--kms') {
  const { client, DecryptCommand } = await kmsClient();
  const out = await client.send(new DecryptCommand({ CiphertextBlob: await readFile(blobFile), KeyId: keyId, EncryptionContext: CONTEXT }));
  out.Plaintext.fill(0);
}
const BLOCK = 1024 * 1024;
const src = await open(input, 'r');
const dst = await open(output, 'wx');
const size = (await src.stat()).size;
// Four blocks: one read ahead, the one being handed to a write, and two whose writes may be in flight.
const ring = Array.from({ length: 4 }, () => Buffer.allocUnsafeSlow(BLOCK));
const readAt = async (buf, at) => (at < size ? (await src.read(buf, 0, Math.min(BLOCK, size - at), at)).bytesRead : 0);
const writes = [];
let pos = 0;
let pending = readAt(ring[0], 0);
for (let k = 0; ; k++) {
  const n = await pending;
  if (n === 0) break;
  pending = readAt(ring[(k + 1) % 4], pos + n);
  while (writes.length >= 2) await writes.shift();
  writes.push(dst.write(ring[k % 4], 0, n, pos));
  pos += n;
}
await Promise.all(writes);
await Promise.all([src.close(), dst.close()]);
if (pos !== size) {
  console.error(`node-copy: copied ${pos} of ${size} bytes`);
  process.exit(1);
}
