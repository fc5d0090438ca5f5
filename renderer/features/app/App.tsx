// The root: the welcome screen when no vault is open, the vault view when one is; each handles
// what the OS asked to open (use-open-requests.ts). Switching on
// the vault id remounts the vault view, so nothing of a locked vault (items, names, previews)
// survives in React state.

import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useActivity } from '../activity/use-activity.js';
import { VaultView } from '../vault/VaultView.js';
import { Welcome } from '../vault/Welcome.js';
import { useAppState } from './use-app-state.js';
import { useOpenRequests } from './use-open-requests.js';

export function App() {
  const { state, error, lockReason, refresh } = useAppState();
  const open = useOpenRequests();
  useActivity(state?.vault != null);
  if (!state) {
    return (
      <main className="boot">
        {error ? <ErrorNotice error={error} onRetry={refresh} /> : <p className="muted" role="status">Starting Cachet…</p>}
      </main>
    );
  }
  if (state.vault) return <VaultView key={state.vault.id} state={state} vault={state.vault} openRequest={open.request} onOpenRequestDone={open.done} />;
  return <Welcome state={state} lockReason={lockReason} openRequest={open.request} onOpenRequestDone={open.done} />;
}
