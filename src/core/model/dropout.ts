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

  apply<T extends tf.Tensor>(x: T, rate: number = this.rate): T {
    if (!this.active || rate <= 0) return x;
    this.n++;
    const seed = this.seed === undefined ? undefined : (this.seed * 7919 + this.n * 104729) % 2147483647;
    return tf.dropout(x, rate, undefined, seed) as T;
  }
}
