// Handlers of a loose envelope the OS opened (issue 15: a double-click on a sealed `.env` file;
// main grants read access to what the OS hands over, main/main.ts openFromOs): what it says about
// itself (header without a key, the stored name and size with one), decrypt it to the file
// confirmed in the save dialog, or add its content into the open vault. The rules are the core's
// (app/loose-envelope.ts, app/envelope.ts): no plaintext is written before its chunk
// authenticates, and an add that fails leaves no item.

import { PassThrough } from 'node:stream';
import { openFile, readMetadata } from '../../../app/envelope.js';
import { CachetError } from '../../../app/errors.js';
import { isProviderType } from '../../../app/format/limits.js';
import { decryptedName, describeEnvelope } from '../../../app/loose-envelope.js';
import { normalizeVaultPath } from '../../../app/vault/paths.js';
import type { Handlers } from '../handlers.js';
import { toErrorPayload } from '../../services/errors.js';
import { toItemT, type HandlerContext } from './context.js';

export function envelopeHandlers(c: HandlerContext) {
  const { s } = c;
  const keyring = () => s.session.keyring;
  return {
    'envelope:inspect': async (req) => {
      const path = await s.grants.checkOnDisk(req.path, 'read');
      const d = await describeEnvelope(path, { keyring: keyring() });
      return {
        path,
        fileSize: d.fileSize,
        modifiedAt: d.modifiedAt,
        keys: d.header.stanzas.flatMap((st) => (isProviderType(st.type) ? [{ provider: st.type, keyId: st.keyId }] : [])),
        vault: d.vault,
        content: d.metadata ? { path: d.metadata.path, size: d.metadata.size, mtime: d.metadata.mtime } : null,
        error: d.error ? toErrorPayload(d.error) : null,
        suggestedName: decryptedName(d.metadata?.path, path) ?? null,
      };
    },
    'envelope:decrypt': async (req) => {
      const src = await s.grants.checkOnDisk(req.path, 'read');
      // Only the file confirmed in dialog:save may be overwritten ('save' is exact).
      const dest = await s.grants.checkOnDisk(req.to, 'save');
      await openFile(src, dest, { keyring: keyring(), overwrite: true });
      return null;
    },
    'envelope:add': async (req) => {
      const v = c.vault();
      const src = await s.grants.checkOnDisk(req.path, 'read');
      const to = normalizeVaultPath(req.to);
      const { metadata } = await readMetadata(src, { keyring: keyring() });
      // Decrypted chunks flow straight into the new item's seal; a chunk that does not
      // authenticate fails both, and the vault's atomic write leaves no item (SPEC §9).
      const pass = new PassThrough();
      // Its error is reported through `first`; the add may not be reading yet when it fails.
      pass.on('error', () => {});
      // Whichever fails first says what happened (the other then fails because of it).
      let first: { error: unknown } | undefined;
      const opening = openFile(src, pass, { keyring: keyring() }).then(
        () => void pass.end(),
        (e: unknown) => {
          first ??= { error: e };
          pass.destroy(e as Error);
        },
      );
      const adding = v.addStream(pass, to, { conflict: 'fail', size: metadata.size, mtime: metadata.mtime }).catch((e: unknown) => {
        first ??= { error: e };
        pass.destroy();
        return undefined;
      });
      const [added] = await Promise.all([adding, opening]);
      if (first) {
        if (added) await v.remove(added.id).catch(() => {});
        throw first.error;
      }
      if (!added) throw new CachetError('internal', 'the add ended without an item');
      s.emit('vault:changed', {});
      return toItemT(added);
    },
  } satisfies Partial<Handlers>;
}
