// The decisions part of adding files, as pure functions (unit-tested in node): which planned
// entries conflict with existing items, and the answers collected one conflict at a time, where
// "apply to all" answers every remaining conflict the same way. The hook (use-add.ts) does the
// calls; this module only keeps the bookkeeping right.

import type { ConflictDecisionT, PlannedAddT } from '../../../contract/ipc.js';

export interface ConflictQueue {
  /** Vault paths that already hold an item, in plan order. */
  readonly conflicts: readonly string[];
  /** Index of the conflict being asked about. */
  readonly index: number;
  readonly decisions: Readonly<Record<string, ConflictDecisionT>>;
}

export function conflictsOf(entries: readonly PlannedAddT[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of entries) {
    if (e.existingId !== null && !seen.has(e.vaultPath)) {
      seen.add(e.vaultPath);
      out.push(e.vaultPath);
    }
  }
  return out;
}

export function startQueue(entries: readonly PlannedAddT[]): ConflictQueue {
  return { conflicts: conflictsOf(entries), index: 0, decisions: {} };
}

export function isSettled(q: ConflictQueue): boolean {
  return q.index >= q.conflicts.length;
}

export function currentConflict(q: ConflictQueue): string | undefined {
  return q.conflicts[q.index];
}

/** Record the answer for the current conflict (and the rest, with applyToAll). */
export function decide(q: ConflictQueue, decision: ConflictDecisionT, applyToAll: boolean): ConflictQueue {
  if (isSettled(q)) return q;
  const decisions = { ...q.decisions };
  const until = applyToAll ? q.conflicts.length : q.index + 1;
  for (let i = q.index; i < until; i++) decisions[q.conflicts[i]!] = decision;
  return { conflicts: q.conflicts, index: until, decisions };
}

/** Files that will actually be sealed once the decisions are applied (skips left out). */
export function filesToSeal(entries: readonly PlannedAddT[], decisions: Readonly<Record<string, ConflictDecisionT>>): number {
  let n = 0;
  for (const e of entries) if (e.existingId === null || (decisions[e.vaultPath] ?? 'skip') !== 'skip') n++;
  return n;
}
