// Auto-lock: calls `onIdle` once when no activity was reported for `minutes` (0 = never). Activity
// is any request from the renderer plus `app:activity` pings from user input. It only keeps time;
// the caller does the locking, and re-arms with `touch` after the vault is opened again.

import type { Clock, Timer } from '../platform.js';

export class AutoLock {
  readonly #clock: Clock;
  readonly #onIdle: () => void;
  #minutes: number;
  #timer: Timer | undefined;
  #armed = false;

  constructor(opts: { clock: Clock; minutes: number; onIdle: () => void }) {
    this.#clock = opts.clock;
    this.#minutes = opts.minutes;
    this.#onIdle = opts.onIdle;
  }

  /** Start counting (a vault was opened). */
  arm(): void {
    this.#armed = true;
    this.touch();
  }

  /** Stop counting (the vault was closed or locked). */
  disarm(): void {
    this.#armed = false;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Activity: restart the idle period. */
  touch(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (!this.#armed || this.#minutes <= 0) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#armed) return;
      this.#armed = false;
      this.#onIdle();
    }, this.#minutes * 60_000);
  }

  setMinutes(minutes: number): void {
    this.#minutes = minutes;
    this.touch();
  }

  get minutes(): number {
    return this.#minutes;
  }
}
