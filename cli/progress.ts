/**
 * Progress of a long command on stderr: one line redrawn in place (count, rate, time left where the
 * total is known), at most five times a second. Only on a terminal: when stderr is a file or a pipe,
 * or with --quiet, nothing is written, so logs and scripts see the command's own output alone.
 */
import type { Writable } from 'node:stream';

export interface Progress {
  /** `done` units so far; `detail` is shown after the figures; `total` sets or changes the known total. */
  update(done: number, detail?: string, total?: number): void;
  /** Clears the line (call before printing results). */
  end(): void;
}

export interface ProgressOptions {
  readonly label: string;
  /** What is counted, e.g. "frames" or "s of drive". */
  readonly unit: string;
  /** Known total, for a percentage and the time left. */
  readonly total?: number;
  readonly quiet?: boolean;
  /** Wall clock in ms, for tests; default performance.now. */
  readonly now?: () => number;
  /** Treat the stream as a terminal whatever it says (tests). */
  readonly forceTty?: boolean;
}

const REDRAW_MS = 200;
const SILENT: Progress = { update: () => undefined, end: () => undefined };

function isTty(stream: Writable): boolean {
  return (stream as Writable & { isTTY?: boolean }).isTTY === true;
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

function count(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** A progress line on `stream`, or a silent one where progress must not be shown. */
export function createProgress(stream: Writable, o: ProgressOptions): Progress {
  if (o.quiet || !(o.forceTty || isTty(stream))) return SILENT;
  const now = o.now ?? (() => performance.now());
  const start = now();
  let total = o.total;
  let lastDraw = -Infinity;
  let width = 0;
  const draw = (text: string): void => {
    const pad = width > text.length ? ' '.repeat(width - text.length) : '';
    width = text.length;
    stream.write(`\r${text}${pad}`);
  };
  return {
    update(done, detail, newTotal) {
      if (newTotal !== undefined) total = newTotal;
      const t = now();
      if (t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      const elapsedS = (t - start) / 1000;
      const rate = elapsedS > 0 ? done / elapsedS : 0;
      const parts = [`${o.label}: ${count(done)}${total !== undefined ? ` / ${count(total)}` : ''} ${o.unit}`];
      if (total !== undefined && total > 0) parts.push(`${Math.min(100, Math.floor((done / total) * 100))} %`);
      parts.push(`${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} ${o.unit}/s`);
      if (total !== undefined && rate > 0) parts.push(`${duration((total - done) / rate)} left`);
      if (detail) parts.push(detail);
      draw(parts.join(', '));
    },
    end() {
      if (width > 0) stream.write(`\r${' '.repeat(width)}\r`);
      width = 0;
    },
  };
}
