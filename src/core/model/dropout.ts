import { tf } from '../backend';

/**
 * Dropout for one forward pass. Each call site gets its own seed derived from the
 * pass's seed, so masks differ between sites but the whole pass replays exactly.
 */
export class Dropout {
  private n = 0;
  constructor(
    private readonly rate: number,
    private readonly seed: number | undefined,
    readonly active: boolean,
  ) {}

  /** A copy at this position: it draws the masks this one would draw next (to run a block again). */
  fork(): Dropout {
    const d = new Dropout(this.rate, this.seed, this.active);
    d.n = this.n;
    return d;
  }

  /** Move on to where `other` (a fork of this one) has got to. */
  catchUp(other: Dropout): void {
    this.n = other.n;
  }

  /** Whether two runs of the same sites draw the same masks (no dropout, or a seeded pass). */
  get replayable(): boolean {
    return !this.active || this.seed !== undefined;
  }

  apply<T extends tf.Tensor>(x: T, rate: number = this.rate): T {
    if (!this.active || rate <= 0) return x;
    this.n++;
    const seed = this.seed === undefined ? undefined : (this.seed * 7919 + this.n * 104729) % 2147483647;
    return tf.dropout(x, rate, undefined, seed) as T;
  }
}
