// Test helpers for main: a manual clock (timers fire only when the test advances time) and a
// temp folder per test, and `invokeOk`: a request through the real dispatch that must succeed.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, Timer } from '../../main/platform.js';

export class ManualClock implements Clock {
  #now = 1_700_000_000_000;
  #timers: { at: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t = { at: this.#now + ms, fn, live: true };
    this.#timers.push(t);
    return { cancel: () => void (t.live = false) };
  }

  /** Move time forward, firing due timers in order (bounded). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let i = 0; i < 10_000; i++) {
      const due = this.#timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.#now = due.at;
      due.fn();
    }
    this.#timers = this.#timers.filter((t) => t.live);
    this.#now = end;
  }

  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }
}

export async function tempDir(prefix = 'cachet-main-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `app.invoke(channel, req)` that must succeed: its value, or the test fails naming the error. */
export async function invokeOk<T = any>(app: { invoke(channel: string, req: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string; detail?: unknown } }> }, channel: string, req: unknown): Promise<T> {
  const r = await app.invoke(channel, req);
  if (!r.ok) assert.fail(`${channel} failed: ${r.error.code} ${r.error.message} ${JSON.stringify(r.error.detail)}`);
  return r.value as T;
}
