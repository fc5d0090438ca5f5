// A pre-check of a vault path typed in the rename/move dialog, so the person sees a problem
// before anything is sent. Main decides (the contract's VaultPath schema, then
// app/vault/paths.ts); this is the very check that schema runs, from the zod-free
// main/ipc/vault-path.ts, so the UI never accepts what main refuses at the schema, nor refuses
// what it accepts.

export { isVaultPath as looksLikeVaultPath } from '../../../main/ipc/vault-path.js';
