// Container for a loose envelope the OS opened: its hook (envelope:inspect and the two actions)
// into the props-only EnvelopeDialog. Shown by the welcome screen and by an open vault.

import { EnvelopeDialog } from '../../components/EnvelopeDialog.js';
import { useEnvelope } from './use-envelope.js';

export function EnvelopeView(p: { readonly path: string; readonly addFolder: string | null; readonly keyName?: (keyId: string) => string | undefined; readonly onClose: () => void }) {
  const env = useEnvelope(p.path);
  return (
    <EnvelopeDialog
      path={p.path}
      info={env.info}
      busy={env.busy}
      error={env.error}
      done={env.done}
      keyName={p.keyName ?? (() => undefined)}
      addFolder={p.addFolder}
      onDecrypt={env.decrypt}
      wrote={env.wrote}
      onShowInFolder={env.showInFolder}
      onAdd={env.add}
      onClose={p.onClose}
    />
  );
}
