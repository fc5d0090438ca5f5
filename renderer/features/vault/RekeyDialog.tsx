// Container: choose the keys the vault should be sealed with from now on (the local key and/or
// AWS KMS keys), then start vault:rekey. Content is not rewritten (SPEC: re-wrapping only).

import { useState } from 'react';
import type { AppStateT, KeyRefT } from '../../../contract/ipc.js';
import { AwsPanel } from '../../components/AwsPanel.js';
import { Dialog } from '../../components/Dialog.js';
import { awsPanelProps, useAws } from '../aws/use-aws.js';

export interface RekeyDialogProps {
  readonly state: AppStateT;
  readonly busy: boolean;
  readonly onRekey: (keys: KeyRefT[]) => void;
  readonly onClose: () => void;
}

export function RekeyDialog({ state, busy, onRekey, onClose }: RekeyDialogProps) {
  const aws = useAws(state.aws, true);
  const localId = state.localKey.unlocked ? state.localKey.keyId : null;
  const [useLocal, setUseLocal] = useState(state.vault?.keys.some((k) => k.provider === 'local') ?? false);
  const keys: KeyRefT[] = [...aws.selectedKeys.map((arn): KeyRefT => ({ provider: 'aws-kms', keyId: arn })), ...(useLocal && localId ? [{ provider: 'local' as const, keyId: localId }] : [])];
  return (
    <Dialog title="Re-key the vault" onClose={onClose} className="dialog-wide">
      <p className="muted">Every item's data key is wrapped again under the keys you choose; the contents are not rewritten. The old keys are no longer needed afterwards.</p>
      {localId && (
        <label className="checkbox">
          <input type="checkbox" checked={useLocal} onChange={(e) => setUseLocal(e.target.checked)} />
          Local key
        </label>
      )}
      <AwsPanel {...awsPanelProps(aws)} />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button button-primary" disabled={busy || keys.length === 0} onClick={() => onRekey(keys)}>
          Re-key {keys.length > 0 ? `to ${keys.length} ${keys.length === 1 ? 'key' : 'keys'}` : ''}
        </button>
      </div>
    </Dialog>
  );
}
