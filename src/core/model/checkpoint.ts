/**
 * Gradient checkpointing (transformers' `gradient_checkpointing_enable()`): a block's
 * forward pass keeps only its input; the backward pass runs the block again under
 * autodiff and differentiates that. tfjs otherwise keeps every tensor of the forward pass
 * and each one's gradient until the backward pass ends (see train/memory.ts), so this
 * trades about one more forward pass per step for holding one block's tensors at a time.
 *
 * The block must be a pure function of its input and the weights (dropout replays its
 * masks from the same per-site seeds: the caller gives each run of the block its own
 * copy of the Dropout at the same position).
 */
import { tf } from '../backend';
import type { Dropout } from './dropout';

interface TapeState {
  state: { activeTape: unknown };
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
}

/**
 * `block(x)` whose gradient flows to `x` and to `wrt` (the trainable tensors it reads;
 * the rest are constants here). Runs the block once now, without recording it, and once
 * more in the backward pass.
 */
export function checkpointed(block: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, wrt: tf.Tensor[]): tf.Tensor {
  const run = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const input = args[0] as tf.Tensor;
    save([input]);
    const value = tf.tidy(() => block(input));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const engine = tf.engine() as unknown as TapeState;
      // The backward pass of the whole step is under way: its tape is read, but it
      // disposes the saved tensors of that tape at its end, so the tape this nested
      // pass makes (and clears) must not replace it.
      const outer = engine.state.activeTape;
      try {
        const { value: again, grads } = engine.gradients(() => block(saved[0]), [saved[0], ...wrt], dy, true);
        again.dispose();
        return grads.map((g, i) => g ?? tf.zerosLike(i === 0 ? saved[0] : wrt[i - 1]));
      } finally {
        engine.state.activeTape = outer;
      }
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return run(x, ...wrt);
}

/** The trainable tensors a block reads: its own weights (by name prefix) and its LoRA adapters. */
export function blockTensors(params: ReadonlyMap<string, tf.Tensor>, lora: { modules: ReadonlyMap<string, { A: tf.Tensor; B: tf.Tensor }> } | null | undefined, prefix: string): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const [name, t] of params) if (name.startsWith(prefix)) out.push(t);
  if (lora) for (const [name, m] of lora.modules) if (name.startsWith(prefix)) out.push(m.A, m.B);
  return out;
}

/**
 * One block of a forward pass, checkpointed when the pass asks for it (training, no KV
 * cache, masks that replay); `drop` moves on past the block's dropout sites either way.
 */
export function runBlock<X extends tf.Tensor>(
  x: X,
  drop: Dropout,
  opts: { training: boolean; cache?: unknown; checkpoint?: ReadonlySet<tf.Tensor> | null },
  tensors: tf.Tensor[],
  block: (x: X, drop: Dropout, recomputing: boolean) => X,
): X {
  if (!opts.checkpoint || !opts.training || opts.cache || !drop.replayable) return block(x, drop, false);
  const start = drop.fork();
  const forward = start.fork();
  let first = true;
  const y = checkpointed(
    (input) => {
      // The first run is the forward pass; later ones replay it from the same dropout position.
      const d = first ? forward : start.fork();
      const recomputing = !first;
      first = false;
      return block(input as X, d, recomputing);
    },
    x,
    tensors.filter((t) => opts.checkpoint!.has(t)),
  );
  drop.catchUp(forward);
  return y as X;
}
