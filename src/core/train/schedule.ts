/**
 * Learning-rate schedules with linear warmup, as transformers' get_*_schedule_with_warmup
 * define them: `step` is the 0-based index of the optimizer step about to run.
 */
import type { ScheduleKind } from '../types';

export function lrMultiplier(kind: ScheduleKind, step: number, totalSteps: number, warmupSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  switch (kind) {
    case 'constant':
      return 1;
    case 'linear':
      return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    case 'cosine':
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
  }
}

export function learningRateAt(base: number, kind: ScheduleKind, step: number, totalSteps: number, warmupSteps: number): number {
  return base * lrMultiplier(kind, step, totalSteps, warmupSteps);
}
