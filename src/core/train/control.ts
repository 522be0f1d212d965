/**
 * Pause, resume and cancel for a running training loop. The loop awaits
 * `checkpoint()` between optimizer steps; the caller flips the state from anywhere
 * (a worker message, a CLI signal handler, a test).
 */
export type ControlState = 'running' | 'paused' | 'cancelled';

export class TrainControl {
  private _state: ControlState = 'running';
  private wake: (() => void) | null = null;

  get state(): ControlState {
    return this._state;
  }

  pause(): void {
    if (this._state === 'running') this._state = 'paused';
  }

  resume(): void {
    if (this._state !== 'paused') return;
    this._state = 'running';
    this.release();
  }

  cancel(): void {
    this._state = 'cancelled';
    this.release();
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /**
   * Resolves true to go on, false when cancelled; waits while paused. `onPause` runs once
   * when a pause is found, before waiting (the trainer saves its resumable state there).
   */
  async checkpoint(onPause?: () => Promise<void>): Promise<boolean> {
    if (this._state === 'paused') await onPause?.();
    while (this._state === 'paused') {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this._state !== 'cancelled';
  }
}
