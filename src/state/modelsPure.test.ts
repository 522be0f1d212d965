import { describe, expect, it } from 'vitest';
import { FALLBACK_BUDGET, gpuLimitWarning, memoryBudget, WASM_MEMORY_LIMIT, type DeviceFacts } from './deviceMemory';
import { effectiveLoraTargets, withProgress, type HubDownload } from './modelsSlice';
import { trainedRowIds } from './evaluation';
import { generationSettings, parseStopSequences, DEFAULT_PLAYGROUND_SETTINGS } from './playgroundSlice';
import { formatCount } from './units';
import type { ModelInfo } from '../storage/modelDb';

const facts = (over: Partial<DeviceFacts> = {}): DeviceFacts => ({ deviceMemoryGB: null, jsHeapLimit: null, gpu: null, ...over });

describe('memoryBudget()', () => {
  it('plans on half of what the device reports', () => {
    expect(memoryBudget(facts({ deviceMemoryGB: 8 }), 'webgpu')).toEqual({ bytes: 4e9, basis: 'half of the 8 GB of memory this device reports' });
  });

  it('takes the tighter of the device and the backend limit', () => {
    expect(memoryBudget(facts({ deviceMemoryGB: 16 }), 'wasm').bytes).toBe(WASM_MEMORY_LIMIT);
    expect(memoryBudget(facts({ deviceMemoryGB: 2 }), 'wasm').bytes).toBe(1e9);
    expect(memoryBudget(facts({ deviceMemoryGB: 8, jsHeapLimit: 2e9 }), 'cpu')).toMatchObject({ bytes: 2e9, basis: expect.stringContaining('JavaScript heap') });
    // The heap limit is for the JS backend only.
    expect(memoryBudget(facts({ deviceMemoryGB: 8, jsHeapLimit: 2e9 }), 'webgl').bytes).toBe(4e9);
  });

  it('falls back to a cautious figure when the browser says nothing', () => {
    expect(memoryBudget(facts(), 'auto')).toMatchObject({ bytes: FALLBACK_BUDGET, basis: expect.stringContaining('does not say') });
  });
});

describe('gpuLimitWarning()', () => {
  const gpu = { maxBufferSize: 256e6, maxStorageBufferBindingSize: 128e6 };
  it('warns when one tensor is over the WebGPU binding limit', () => {
    expect(gpuLimitWarning({ name: 'transformer.wte.weight', bytes: 200e6 }, facts({ gpu }), 'webgpu')).toMatch(/transformer.wte.weight, 200 MB\) is over this GPU's 128 MB buffer limit/);
    expect(gpuLimitWarning({ name: 'x', bytes: 200e6 }, facts({ gpu }), 'auto')).toMatch(/^If WebGPU runs this/);
  });
  it('stays quiet under the limit, off WebGPU, or without adapter limits', () => {
    expect(gpuLimitWarning({ name: 'x', bytes: 100e6 }, facts({ gpu }), 'webgpu')).toBeNull();
    expect(gpuLimitWarning({ name: 'x', bytes: 200e6 }, facts({ gpu }), 'wasm')).toBeNull();
    expect(gpuLimitWarning({ name: 'x', bytes: 200e6 }, facts(), 'webgpu')).toBeNull();
  });
});

describe('withProgress()', () => {
  it('lists files in download order and updates them in place', () => {
    let d: HubDownload = { repoId: 'o/m', status: 'downloading', files: [], overall: { loaded: 0, total: null }, error: null };
    d = withProgress(d, { file: 'config.json', loaded: 10, total: 10, overallLoaded: 10, overallTotal: null });
    d = withProgress(d, { file: 'model.safetensors', loaded: 5, total: 100, overallLoaded: 15, overallTotal: 120 });
    d = withProgress(d, { file: 'model.safetensors', loaded: 100, total: 100, overallLoaded: 110, overallTotal: 120 });
    expect(d.files).toEqual([
      { name: 'config.json', loaded: 10, total: 10 },
      { name: 'model.safetensors', loaded: 100, total: 100 },
    ]);
    expect(d.overall).toEqual({ loaded: 110, total: 120 });
  });
});

describe('effectiveLoraTargets()', () => {
  const info = { loraTargets: { default: ['c_attn'], all: ['c_attn', 'mlp.c_fc'] } } as ModelInfo;
  it('uses the chosen modules, else the family defaults', () => {
    expect(effectiveLoraTargets([], info)).toEqual(['c_attn']);
    expect(effectiveLoraTargets(['mlp.c_fc'], info)).toEqual(['mlp.c_fc']);
    expect(effectiveLoraTargets([], undefined)).toEqual([]);
  });
});

describe('playground settings', () => {
  it('reads one stop sequence per line, with \\n escapes, dropping blanks', () => {
    expect(parseStopSequences('User:\n\n\\n\\n')).toEqual(['User:', '\n\n']);
    expect(parseStopSequences('')).toEqual([]);
  });
  it('rounds slider values for the engine', () => {
    expect(generationSettings({ ...DEFAULT_PLAYGROUND_SETTINGS, topK: 40.4, maxNewTokens: 0 }, 7)).toMatchObject({ topK: 40, maxNewTokens: 1, seed: 7, stopSequences: [] });
    // Min new tokens is a whole number no larger than max new tokens.
    expect(generationSettings({ ...DEFAULT_PLAYGROUND_SETTINGS, minNewTokens: 9.6, maxNewTokens: 5 }, 7)).toMatchObject({ minNewTokens: 5, maxNewTokens: 5 });
    expect(generationSettings({ ...DEFAULT_PLAYGROUND_SETTINGS, minNewTokens: 2.2 }, 7)).toMatchObject({ minNewTokens: 2 });
  });
});

describe('units', () => {
  it('formats counts at a glance', () => {
    expect(formatCount(134_515_008)).toBe('135M');
    expect(formatCount(41_344)).toBe('41.3K');
    expect(formatCount(1_100_000_000)).toBe('1.1B');
    expect(formatCount(512)).toBe('512');
  });
});

describe('trainedRowIds', () => {
  it('counts train and unsplit rows, an augmented row as the row it was made from, and no held-out rows', () => {
    const ids = trainedRowIds([
      { id: 2, text: 'a', split: 'train' },
      { id: 3, text: 'b' },
      { id: 4, text: 'c', split: 'validation' },
      { id: 5, text: 'd', split: 'test' },
      { id: 900, text: 'a!', split: 'train', augmented: true, sourceId: 2 },
      { id: 901, text: 'e!', split: 'train', augmented: true, sourceId: 6 },
    ]);
    expect([...ids].sort((a, b) => a - b)).toEqual([2, 3, 6]);
  });
});
