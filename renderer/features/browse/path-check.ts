// A pre-check of a vault path typed in the rename/move dialog, so the person sees a problem
// before anything is sent. Main decides (the contract's VaultPath schema, then the core); all
// three run the same pure rules, app/vault/path-rules.ts, so the UI never accepts what main
// refuses nor refuses what it accepts (test/app/vault/path-rules.test.ts holds them to it).

export { isValidVaultPath as looksLikeVaultPath } from '../../../app/vault/path-rules.js';
