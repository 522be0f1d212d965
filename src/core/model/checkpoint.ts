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

interface PassOptions {
  training: boolean;
  cache?: unknown;
  checkpoint?: ReadonlySet<tf.Tensor> | null;
}

/**
 * Whether a pass's blocks run checkpointed: asked for, training, no KV cache, and masks
 * that replay. Such a block runs again after the pass's own tensors are gone, so it must
 * make what it reads besides its input and weights (masks, rotary tables) itself.
 */
export function checkpointsBlocks(opts: PassOptions, drop: Dropout): boolean {
  return !!opts.checkpoint && opts.training && !opts.cache && drop.replayable;
}

/** One block of a forward pass, checkpointed when `checkpointsBlocks`; `drop` moves on past the block's dropout sites either way. */
export function runBlock<X extends tf.Tensor>(x: X, drop: Dropout, opts: PassOptions, tensors: tf.Tensor[], block: (x: X, drop: Dropout) => X): X {
  if (!checkpointsBlocks(opts, drop)) return block(x, drop);
  const start = drop.fork();
  const forward = start.fork();
  let first = true;
  const y = checkpointed(
    (input) => {
      // The first run is the forward pass; later ones replay it from the same dropout position.
      const d = first ? forward : start.fork();
      first = false;
      return block(input as X, d);
    },
    x,
    tensors.filter((t) => opts.checkpoint!.has(t)),
  );
  drop.catchUp(forward);
  return y as X;
}
