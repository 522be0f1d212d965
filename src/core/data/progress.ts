/**
 * Progress and cancellation for long data jobs. The app runs them in a worker: progress goes out
 * through a callback, and a cancel check is polled between rows (a worker cannot be interrupted
 * mid-function, so the job itself must look).
 */

export interface RunOptions {
  /** Called every few thousand rows and at the end of each step. */
  onProgress?(done: number, total: number, step: string): void;
  /** Polled with progress; returning true stops the job with a CancelledError. */
  shouldCancel?(): boolean;
}

export class CancelledError extends Error {
  readonly code = 'cancelled';
  constructor(step: string) {
    super(`cancelled during ${step}`);
    this.name = 'CancelledError';
  }
}

/** Rows between progress reports: often enough for a smooth bar, rare enough to cost nothing. */
const EVERY = 4096;

/**
 * A per-step ticker: call `tick(i)` for every row i; it reports and polls every EVERY rows.
 * `done()` reports the step complete.
 */
export function ticker(opts: RunOptions | undefined, step: string, total: number): { tick(i: number): void; done(): void } {
  const check = () => {
    if (opts?.shouldCancel?.()) throw new CancelledError(step);
  };
  check();
  return {
    tick(i: number) {
      if ((i & (EVERY - 1)) !== 0) return;
      opts?.onProgress?.(i, total, step);
      check();
    },
    done() {
      opts?.onProgress?.(total, total, step);
    },
  };
}
