// The vault item path check (SPEC §5), on its own so the renderer and the preload can import it
// without the contract's zod schemas (~450 KB in a bundle). The contract's VaultPath/VaultDir
// schemas are built on it and re-export it; app/vault/paths.ts stays the authority when an item
// is written. This module imports nothing.

/** Longest path the contract accepts (item paths and file-system paths alike). */
export const MAX_PATH = 4096;

/** True when `p` is a safe item path inside a vault (SPEC §5). Shared by main and renderer. */
export function isVaultPath(p: string): boolean {
  if (p.length === 0 || p.length > MAX_PATH) return false;
  if (p.startsWith('/') || p.includes('\\') || p.includes('\0') || /^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
