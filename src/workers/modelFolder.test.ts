import { describe, expect, it } from 'vitest';
import { PASSTHROUGH_FILES } from '../core/io/hfFiles';
import { MODEL_SIDE_FILES, pickModelFiles } from './modelFolder';

const pick = (...paths: string[]) => pickModelFiles(paths.map((path) => ({ path, file: path })));

describe('pickModelFiles()', () => {
  it('keeps the files the studio reads from a picked folder', () => {
    const out = pick('gpt2/config.json', 'gpt2/model.safetensors', 'gpt2/tokenizer.json', 'gpt2/tokenizer_config.json', 'gpt2/README.md', 'gpt2/onnx/model.onnx', 'gpt2/pytorch_model.bin');
    expect(out.folderName).toBe('gpt2');
    expect(Object.keys(out.files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(out.files['config.json']).toBe('gpt2/config.json');
    expect(out.ignored).toEqual(['gpt2/README.md', 'gpt2/onnx/model.onnx', 'gpt2/pytorch_model.bin']);
  });

  it('takes sharded weights with their index', () => {
    const out = pick('m/config.json', 'm/model.safetensors.index.json', 'm/model-00001-of-00002.safetensors', 'm/model-00002-of-00002.safetensors', 'm/adapter_model.safetensors');
    expect(Object.keys(out.files).sort()).toEqual(['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
  });

  it('finds the model inside a dropped parent folder, by its shallowest config.json', () => {
    const out = pick('models/tiny/config.json', 'models/tiny/model.safetensors', 'models/tiny/checkpoint-10/config.json', 'models/tiny/checkpoint-10/model.safetensors');
    expect(out.folderName).toBe('tiny');
    expect(out.files['model.safetensors']).toBe('models/tiny/model.safetensors');
  });

  it('accepts loose files without a folder name', () => {
    const out = pick('config.json', 'model.safetensors', 'tokenizer.json');
    expect(out.folderName).toBeNull();
    expect(Object.keys(out.files)).toHaveLength(3);
  });

  it('says what is missing when there is no config.json', () => {
    expect(() => pick('a/model.safetensors', 'a/tokenizer.json')).toThrow(/No config.json among the 2 files chosen \(a\/model.safetensors, a\/tokenizer.json\): choose the model's folder/);
  });

  it('keeps the same side files as the engine passes through', () => {
    expect(MODEL_SIDE_FILES).toEqual(PASSTHROUGH_FILES);
  });
});
