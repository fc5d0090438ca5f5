// A 'local' key provider that passes every call to a real one and keeps a reference to each data
// key it hands out (from generateDataKey and unwrapKey), so a test can check that whoever took the
// key zeroed it. Shared by the envelope and keyring tests.

import type { LocalKeyProvider } from '../../app/keys/local.js';
import type { KeyProvider } from '../../app/keys/provider.js';

export function spyProvider(inner: LocalKeyProvider): { provider: KeyProvider; handed: Buffer[] } {
  const handed: Buffer[] = [];
  return {
    handed,
    provider: {
      type: 'local',
      async generateDataKey(k, c, o) {
        const r = await inner.generateDataKey(k, c, o);
        handed.push(r.plaintext);
        return r;
      },
      wrapKey: (k, p, c, o) => inner.wrapKey(k, p, c, o),
      async unwrapKey(s, c, o) {
        const key = await inner.unwrapKey(s, c, o);
        handed.push(key);
        return key;
      },
    },
  };
}
