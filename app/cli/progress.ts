// Progress on a terminal: pure formatters (bytes, rates, durations, one status line) and a small
// bar that redraws one stderr line at most every REDRAW_MS. It writes nothing when stderr is not
// a TTY, so pipes and logs stay clean. It does not measure anything itself beyond the clock.

import { printable } from './terminal-text.js';

export const REDRAW_MS = 100;
/** Rate smoothing: weight of the newest sample in the moving average. */
const RATE_ALPHA = 0.3;

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Decimal units, as disk and network rates are usually shown: 1 MB = 10^6 bytes. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  let u = 0;
  let v = n;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${UNITS[u]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return Number.isFinite(bytesPerSecond) && bytesPerSecond >= 0 ? `${formatBytes(bytesPerSecond)}/s` : '?/s';
}

/** `m:ss` or `h:mm:ss`; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export interface ProgressState {
  /** What is being worked on: a file name, or a count like `3/10 photos/a.jpg`. */
  readonly label: string;
  readonly bytes: number;
  /** null when unknown (a stream from stdin). */
  readonly total: number | null;
  /** Bytes per second, smoothed; 0 before the first sample. */
  readonly rate: number;
}

/**
 * One status line that fits `width` columns:
 * `label  [#######.......]  45%  12.3 MB / 27.4 MB  150 MB/s  ETA 0:03`.
 * The label is shortened from the left (the end of a path says most).
 */
export function formatProgressLine(p: ProgressState, width: number): string {
  const known = p.total !== null && p.total > 0;
  const frac = known ? Math.min(1, p.bytes / p.total!) : p.total === 0 ? 1 : 0;
  const pct = `${String(Math.floor(frac * 100)).padStart(3)}%`;
  const amount = p.total === null ? formatBytes(p.bytes) : `${formatBytes(p.bytes)} / ${formatBytes(p.total)}`;
  const eta = known && p.rate > 0 ? formatDuration((p.total! - p.bytes) / p.rate) : '--:--';
  const stats = `${known || p.total === 0 ? `${pct}  ` : ''}${amount}  ${formatRate(p.rate)}${known ? `  ETA ${eta}` : ''}`;
  const barWidth = Math.max(0, Math.min(30, width - stats.length - 20));
  const bar = barWidth >= 5 && (known || p.total === 0) ? `[${'#'.repeat(Math.round(frac * barWidth)).padEnd(barWidth, '.')}]  ` : '';
  const room = Math.max(0, width - stats.length - bar.length - 3);
  const label = shortenLeft(printable(p.label), room);
  return `${label}${label ? '  ' : ''}${bar}${stats}`.slice(0, Math.max(0, width - 1));
}

export function shortenLeft(s: string, max: number): string {
  if (max <= 0) return '';
  if (s.length <= max) return s;
  if (max <= 3) return s.slice(s.length - max);
  return `...${s.slice(s.length - (max - 3))}`;
}

/**
 * Whether terminal escape codes may be written at all: not when NO_COLOR is set (no-color.org:
 * any non-empty value) or TERM=dumb (a terminal that cannot move the cursor). The bar redraws
 * with `\r` and an erase-line code, so it is then left out, as a colour would be.
 */
export function escapesAllowed(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

/** The slice of a TTY stream the bar needs (process.stderr fits). */
export interface BarStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

/**
 * A single-line progress display. `start(label, total)` per file, `update(bytes)` as work goes,
 * `end()` clears the line. With a non-TTY stream every call is a no-op.
 */
export class ProgressBar {
  readonly #stream: BarStream;
  readonly #enabled: boolean;
  readonly #now: () => number;
  #label = '';
  #total: number | null = null;
  #bytes = 0;
  #rate = 0;
  #lastSample = { t: 0, bytes: 0 };
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: BarStream, opts: { enabled?: boolean; now?: () => number } = {}) {
    this.#stream = stream;
    this.#enabled = opts.enabled ?? stream.isTTY === true;
    this.#now = opts.now ?? (() => performance.now());
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  start(label: string, total: number | null): void {
    this.#label = label;
    this.#total = total;
    this.#bytes = 0;
    this.#rate = 0;
    // The rate's baseline is set by the first update: a passphrase prompt or a KMS call may come
    // between start() and the first byte.
    this.#lastSample = { t: -1, bytes: 0 };
    this.#lastDraw = 0;
  }

  /** A new label (the file being worked on) without restarting the rate. */
  relabel(label: string): void {
    this.#label = label;
  }

  update(bytes: number, total?: number | null): void {
    if (total !== undefined) this.#total = total;
    this.#bytes = bytes;
    const t = this.#now();
    if (this.#lastSample.t < 0) {
      this.#lastSample = { t, bytes };
      this.#draw(true);
      return;
    }
    const dt = (t - this.#lastSample.t) / 1000;
    if (dt >= 0.05) {
      const sample = (bytes - this.#lastSample.bytes) / dt;
      this.#rate = this.#rate === 0 ? sample : RATE_ALPHA * sample + (1 - RATE_ALPHA) * this.#rate;
      this.#lastSample = { t, bytes };
    }
    this.#draw(false);
  }

  /** Clears the line (the caller prints a summary, if any, itself). */
  end(): void {
    if (!this.#enabled || !this.#drawn) return;
    this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }

  /** A line to show when nothing is drawn yet. */
  state(): ProgressState {
    return { label: this.#label, bytes: this.#bytes, total: this.#total, rate: this.#rate };
  }

  #draw(force: boolean): void {
    if (!this.#enabled) return;
    const t = this.#now();
    if (!force && t - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = t;
    const width = this.#stream.columns && this.#stream.columns > 20 ? this.#stream.columns : 80;
    this.#stream.write(`\r\x1b[2K${formatProgressLine(this.state(), width)}`);
    this.#drawn = true;
  }
}
