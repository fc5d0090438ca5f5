// The root: the welcome screen when no vault is open, the vault view when one is. Switching on
// the vault id remounts the vault view, so nothing of a locked vault (items, names, previews)
// survives in React state.

import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useActivity } from '../activity/use-activity.js';
import { VaultView } from '../vault/VaultView.js';
import { Welcome } from '../vault/Welcome.js';
import { useAppState } from './use-app-state.js';

export function App() {
  const { state, error, lockReason, refresh } = useAppState();
  useActivity(state?.vault != null);
  if (!state) {
    return (
      <main className="boot">
        {error ? <ErrorNotice error={error} onRetry={refresh} /> : <p className="muted" role="status">Starting Cachet…</p>}
      </main>
    );
  }
  if (state.vault) return <VaultView key={state.vault.id} state={state} vault={state.vault} />;
  return <Welcome state={state} lockReason={lockReason} />;
}
