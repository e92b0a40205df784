/**
 * Progress of long work on a terminal (stderr): nothing at all for work that ends within `delayMs`, nothing
 * when the stream is not a TTY or `quiet` is set; otherwise one line rewritten in place at most every
 * `intervalMs`, erased by `done()`. The clock is injected so tests need not wait.
 */
export interface Progress {
  /** `done` of `total` units finished. */
  update(done: number, total: number): void;
  /** Erases the line (if one was drawn). */
  done(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  label: string;
  stream?: ProgressStream;
  quiet?: boolean;
  delayMs?: number;
  intervalMs?: number;
  now?: () => number;
}

const SILENT: Progress = { update() {}, done() {} };

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY) return SILENT;
  const now = options.now ?? (() => performance.now());
  const start = now();
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  let last = -Infinity;
  let drawn = false;
  return {
    update(done, total) {
      const t = now();
      if (t - start < delay || (t - last < interval && done < total)) return;
      last = t;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
      const line = `${options.label} ${done}/${total} (${pct}%)`;
      stream.write(`\r${line.slice(0, Math.max(10, (stream.columns || 80) - 1))}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/**
 * For work whose size is not known up front (a promotion: fetch, plan, gates, commit, push): after `delayMs`
 * on a TTY, one line `<label> (Ns)` updated every second until `done()`; nothing otherwise. The timer is
 * unref'ed, so it never keeps the process alive.
 */
export function createActivity(options: Omit<ProgressOptions, 'now' | 'intervalMs'>): { done(): void } {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY) return { done() {} };
  const delay = options.delayMs ?? 1000;
  let seconds = 0;
  let drawn = false;
  const draw = () => {
    seconds += 1;
    if (seconds * 1000 < delay) return;
    stream.write(`\r${options.label} (${seconds}s)\x1b[K`);
    drawn = true;
  };
  const timer = setInterval(draw, 1000);
  timer.unref();
  return {
    done() {
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
