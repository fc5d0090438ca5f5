// Names for the vault's KMS keys (ARN -> alias) for the Key column, from one aws:keys call when
// the vault uses AWS keys. A failure only means ARNs are shortened instead: it is not shown.

import { useCallback, useEffect, useState } from 'react';
import type { VaultSummaryT } from '../../../contract/ipc.js';
import { call } from '../../api.js';

export function useKeyLabels(vault: VaultSummaryT): (keyId: string) => string | undefined {
  const [labels, setLabels] = useState<ReadonlyMap<string, string>>(new Map());
  const usesAws = vault.keys.some((k) => k.provider === 'aws-kms');

  useEffect(() => {
    if (!usesAws) return;
    let live = true;
    call('aws:keys', {}).then(
      (r) => {
        if (!live) return;
        const m = new Map<string, string>();
        for (const k of r.keys) {
          const alias = k.aliases[0]?.replace(/^alias\//, '');
          if (alias) {
            m.set(k.arn, alias);
            m.set(k.keyId, alias);
          }
        }
        setLabels(m);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [usesAws, vault.id]);

  return useCallback((keyId: string) => labels.get(keyId), [labels]);
}
