// A pre-check of a vault path typed in the rename/move dialog, so the person sees a problem
// before anything is sent. Main decides (the contract's VaultPath schema, then
// app/vault/paths.ts); this only mirrors the contract's `isVaultPath`, which the renderer cannot
// import without bundling zod (~450 KB) with it. test/renderer/path-check.test.ts keeps the two
// in agreement.

const MAX_PATH = 4096;

export function looksLikeVaultPath(p: string): boolean {
  if (p.length === 0 || p.length > MAX_PATH) return false;
  if (p.startsWith('/') || p.includes('\\') || p.includes('\0') || /^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
