// Container for the no-vault screen: wires useVaultSetup, useLocalKey and useAws into the
// WelcomeScreen, CreateVaultForm, LocalKeyForm and AwsPanel components.

import { useEffect, useRef, useState } from 'react';
import type { AppStateT, KeyRefT } from '../../../contract/ipc.js';
import { AwsPanel } from '../../components/AwsPanel.js';
import { CreateVaultForm, type KeyMode } from '../../components/CreateVaultForm.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { LocalKeyForm } from '../../components/LocalKeyForm.js';
import { WelcomeScreen } from '../../components/WelcomeScreen.js';
import { AwsProfileDialog } from '../aws/AwsProfileDialog.js';
import { awsPanelProps, useAws } from '../aws/use-aws.js';
import { useLocalKey } from '../local-key/use-local-key.js';
import type { LockReason } from '../app/use-app-state.js';
import { useVaultSetup } from './use-vault-setup.js';
import type { OpenRequest } from '../app/use-open-requests.js';
import { EnvelopeView } from '../envelope/EnvelopeView.js';
import { S3VaultPicker } from './S3VaultPicker.js';
import type { S3Purpose } from '../../components/S3VaultDialog.js';

export interface WelcomeProps {
  readonly state: AppStateT;
  readonly lockReason: LockReason | null;
  readonly openRequest: OpenRequest | null;
  readonly onOpenRequestDone: () => void;
}

export function Welcome({ state, lockReason, openRequest, onOpenRequestDone }: WelcomeProps) {
  const setup = useVaultSetup();
  // A vault the OS opened opens at once (asking for the local key first if it needs it); an
  // envelope shows its view until closed.
  const [envelope, setEnvelope] = useState<string | null>(null);
  const [dropHint, setDropHint] = useState(false);
  const openVault = useRef(setup.open);
  openVault.current = setup.open;
  useEffect(() => {
    if (!openRequest) return;
    onOpenRequestDone();
    if (openRequest.kind === 'vault') void openVault.current(openRequest.path);
    else setEnvelope(openRequest.path);
  }, [openRequest, onOpenRequestDone]);
  const local = useLocalKey(state.localKey);
  const [mode, setMode] = useState<KeyMode>('local');
  const [withLocalRecovery, setWithLocalRecovery] = useState(false);
  const [awsDialog, setAwsDialog] = useState(false);
  const [s3Dialog, setS3Dialog] = useState<S3Purpose | null>(null);
  const aws = useAws(state.aws, mode === 'aws');

  const localRef: KeyRefT | null = local.status.unlocked && local.status.keyId ? { provider: 'local', keyId: local.status.keyId } : null;
  const keys: KeyRefT[] =
    mode === 'local'
      ? localRef
        ? [localRef]
        : []
      : [...aws.selectedKeys.map((arn): KeyRefT => ({ provider: 'aws-kms', keyId: arn })), ...(withLocalRecovery && localRef ? [localRef] : [])];
  const blocker = !setup.createFolder
    ? 'Choose a folder or an S3 location first.'
    : mode === 'local' && !localRef
      ? 'Create or unlock the local key.'
      : mode === 'aws' && aws.selectedKeys.length === 0
        ? 'Choose at least one key.'
        : undefined;

  const localSection = (
    <>
      <LocalKeyForm status={local.status} busy={local.busy} onCreate={(r) => void local.create(r)} onUnlock={(p) => void local.unlock(p)} />
      {local.error && !setup.pendingOpen && <ErrorNotice error={local.error} compact />}
    </>
  );
  const awsSection = (
    <>
      <AwsPanel {...awsPanelProps(aws)} />
      {localRef && (
        <label className="checkbox">
          <input type="checkbox" checked={withLocalRecovery} onChange={(e) => setWithLocalRecovery(e.target.checked)} />
          Also seal with the local key (a recovery copy if AWS is unavailable)
        </label>
      )}
    </>
  );

  const unlockForm = setup.pendingOpen ? (
    <section className="card card-attention" aria-labelledby="unlock-title">
      <h2 id="unlock-title">Unlock the local key to open this vault</h2>
      <LocalKeyForm
        status={local.status}
        busy={local.busy || setup.busy}
        unlockLabel="Unlock the local key to open the vault"
        onCreate={(r) => void local.create(r)}
        onUnlock={async (p) => {
          if (await local.unlock(p)) await setup.open(setup.pendingOpen!);
        }}
      />
      {local.error && <ErrorNotice error={local.error} compact />}
    </section>
  ) : undefined;

  return (
    <div
      className="welcome-drop-zone"
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'none';
      }}
      onDrop={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDropHint(true);
      }}
    >
      {dropHint && (
        <div className="notice notice-info welcome-drop-hint" role="status">
          <div className="notice-text">
            <span className="notice-title">Open or create a vault first.</span>
            <span className="notice-hint">Files dropped here are not added anywhere. Once a vault is open, drop them onto its window to seal them into it.</span>
          </div>
          <div className="notice-actions">
            <button type="button" className="button" onClick={() => setDropHint(false)}>
              Dismiss
            </button>
          </div>
        </div>
      )}
      {awsDialog && <AwsProfileDialog state={state} onClose={() => setAwsDialog(false)} />}
      {s3Dialog && (
        <S3VaultPicker
          purpose={s3Dialog}
          profile={state.aws.profile}
          onClose={() => setS3Dialog(null)}
          onChoose={(location) => {
            setS3Dialog(null);
            if (s3Dialog === 'open') void setup.open(location);
            else setup.chooseCreateLocation(location);
          }}
        />
      )}
      {envelope && <EnvelopeView key={envelope} path={envelope} addFolder={null} onClose={() => setEnvelope(null)} />}
      <WelcomeScreen
        awsProfile={state.aws.profile}
        onAwsProfile={() => setAwsDialog(true)}
        recent={state.recentVaults}
        lockedVault={state.lockedVault}
        lockReason={lockReason}
        busy={setup.busy}
        error={setup.error}
        onDismissError={setup.clearError}
        onOpen={() => void setup.openDialog()}
        onOpenPath={(p) => void setup.open(p)}
        onOpenS3={() => setS3Dialog('open')}
        onForget={(p) => void setup.forget(p)}
        unlockForm={unlockForm}
        createForm={
          <CreateVaultForm
            folder={setup.createFolder}
            mode={mode}
            localSection={localSection}
            awsSection={awsSection}
            blocker={blocker}
            busy={setup.busy}
            onPickFolder={() => void setup.pickCreateFolder()}
            onPickS3={() => setS3Dialog('create')}
            onMode={setMode}
            onCreate={() => void setup.create(keys)}
          />
        }
      />
    </div>
  );
}
