// Container: switch the AWS profile/region main uses for KMS calls while a vault is open (an
// expired session or the wrong account shows up here as the identity check's error).

import type { AppStateT } from '../../../contract/ipc.js';
import { AwsPanel } from '../../components/AwsPanel.js';
import { Dialog } from '../../components/Dialog.js';
import { awsPanelProps, useAws } from './use-aws.js';

export function AwsProfileDialog({ state, onClose }: { readonly state: AppStateT; readonly onClose: () => void }) {
  const aws = useAws(state.aws, true);
  return (
    <Dialog title="AWS profile" onClose={onClose} className="dialog-wide">
      <p className="muted">Cachet makes every AWS KMS call with this profile's credentials; they never leave the main process.</p>
      <AwsPanel {...awsPanelProps(aws)} showKeys={false} />
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
