/** How a training session keeps resumable state, on both doors to the engine (worker and in-process). */
import { decodeCheckpoint, encodeCheckpoint } from '../core/train/checkpoint';
import type { TrainCallbacks } from '../core/train/trainer';

export interface CheckpointAt {
  step: number;
  totalSteps: number;
}

export interface Checkpointing {
  /** A checkpoint's bytes (core/train/checkpoint.ts) to go on from. */
  resume?: Uint8Array;
  everyMs: number;
  /** Stores a checkpoint; it should not throw (a refused write is the caller's to report). */
  onCheckpoint: (bytes: Uint8Array, at: CheckpointAt) => Promise<void>;
}

/** The trainer's callbacks for `c`; `send` hands the bytes over (the worker transfers them rather than copying). */
export function checkpointCallbacks(
  c: Omit<Checkpointing, 'onCheckpoint'> | null | undefined,
  onCheckpoint: Checkpointing['onCheckpoint'] | undefined,
  send: (bytes: Uint8Array) => Uint8Array = (b) => b,
): Pick<TrainCallbacks, 'resume' | 'checkpoints'> {
  if (!c) return {};
  return {
    resume: c.resume ? decodeCheckpoint(c.resume, 'the saved checkpoint') : undefined,
    checkpoints: onCheckpoint
      ? {
          everyMs: c.everyMs,
          save: async (ck) => {
            const bytes = encodeCheckpoint(ck);
            await onCheckpoint(send(bytes), { step: ck.step, totalSteps: ck.totalSteps });
          },
        }
      : undefined,
  };
}
