// A one-line progress bar on a terminal (redrawn at most 10 times a second),
// or a plain line every 10 % when the output is a file or a pipe.

/** What one progress line shows. */
export interface ProgressState {
  label: string;
  done: number;
  total: number;
  /** Wall-clock milliseconds since the start. */
  elapsedMs: number;
  /** Running (online) accuracy in [0, 1], if known: samples predicted right before they were learnt. */
  accuracy?: number;
}

/** Where progress goes: a stream with `write` and, for terminals, `isTTY`. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR = 24;

/** One progress line, e.g. `train ██████░░ 25% 15.0k/60.0k · 1.9k samples/s · ETA 0:24 · online acc 91.2%`. */
export function formatProgress(s: ProgressState, bar = true): string {
  const frac = s.total > 0 ? Math.min(1, s.done / s.total) : 1;
  const rate = s.elapsedMs > 0 ? (s.done * 1000) / s.elapsedMs : 0;
  const eta = rate > 0 ? (s.total - s.done) / rate : NaN;
  const parts = [
    `${s.label} ${bar ? `${"█".repeat(Math.round(frac * BAR)).padEnd(BAR, "░")} ` : ""}${`${Math.floor(frac * 100)}%`.padStart(4)} ${count(s.done)}/${count(s.total)}`,
    `${count(rate)} samples/s`,
    `ETA ${duration(eta)}`,
  ];
  if (s.accuracy !== undefined) parts.push(`online acc ${(s.accuracy * 100).toFixed(1)}%`);
  return parts.join(" · ");
}

/** 1234 → "1.2k", 60000 → "60.0k", 999 → "999". */
export function count(n: number): string {
  if (!Number.isFinite(n)) return "?";
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

/** Seconds → "m:ss" (or "h:mm:ss"); "?" when unknown. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const t = Math.round(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = `${t % 60}`.padStart(2, "0");
  return h > 0 ? `${h}:${`${m}`.padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Draws progress on `sink`; `now` is injectable for tests. */
export class Progress {
  private readonly start: number;
  private lastDraw = -Infinity;
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
  }

  /** Reports `done` samples; draws when it is time to. */
  update(done: number, accuracy?: number): void {
    const t = this.now();
    const state: ProgressState = { label: this.label, done, total: this.total, elapsedMs: t - this.start };
    if (accuracy !== undefined) state.accuracy = accuracy;
    if (this.sink.isTTY) {
      if (t - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = t;
      this.sink.write(`\r\x1b[2K${formatProgress(state)}`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor((10 * done) / this.total);
    if (decile === this.lastDecile) return;
    this.lastDecile = decile;
    this.sink.write(`${formatProgress(state, false)}\n`);
  }

  /** Ends the bar's line (terminals only). */
  finish(): void {
    if (this.drawn) this.sink.write("\n");
    this.drawn = false;
  }

  /** Clears the bar so other output can be printed; the next update redraws it. */
  clear(): void {
    if (this.drawn) this.sink.write("\r\x1b[2K");
    this.lastDraw = -Infinity;
  }
}
