import { describe, expect, it } from 'vitest';
import { DatasetError } from '../core/data/errors';
import { gpuLostError, toTravellingError } from './errors';

describe('errors across the worker boundary', () => {
  it('keeps a dataset error’s file, row and field', () => {
    const e = new DatasetError({ file: 'a.csv', code: 'missing-value', row: 3, field: 'label' }, 'the label is empty');
    expect(toTravellingError(e)).toEqual({ code: 'missing-value', message: 'a.csv, row 3: the label is empty', file: 'a.csv', row: 3, unit: 'row', field: 'label' });
  });

  it('says where a run lost its GPU, what is kept and what to do', () => {
    const loss = { backend: 'webgpu' as const, reason: 'destroyed', message: 'Device was destroyed.' };
    const mid = gpuLostError(loss, { step: 37, totalSteps: 240 });
    expect(mid.code).toBe('gpu-lost');
    expect(mid.message).toMatch(/^The GPU was lost at step 37 of 240 \(webgpu: destroyed: Device was destroyed\.\)\. /);
    expect(mid.message).toContain('the curves up to step 37 are kept');
    expect(mid.advice).toBe('Start the run again, or choose WebAssembly (CPU): slower, but it does not depend on the GPU.');
    expect(mid.resumeAdvice).toBe('If the GPU fails again, choose WebAssembly (CPU): slower, but it does not depend on the GPU.');
    const early = gpuLostError({ backend: 'webgl', reason: 'context lost', message: '' }, null);
    expect(early.message).toMatch(/^The GPU was lost before the first step \(webgl: context lost\)\. /);
    expect(early.message).not.toContain('curves');
    expect(gpuLostError(loss, null, 'playground').message).toBe(
      'The GPU was lost (webgpu: destroyed: Device was destroyed.), and the model loaded on it with it. Choose the model again to reload it, or run it on WebAssembly (CPU).',
    );
  });
});
