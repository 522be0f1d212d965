/**
 * Which of the files a person picked or dropped make up a model folder. Pure, so the
 * page checks a pick at once (before any byte is read) and the worker applies the same rule.
 */

export interface PickedFile<T> {
  /** Path inside what was picked: "tiny-gpt2/config.json" for a folder, "config.json" for loose files. */
  path: string;
  file: T;
}

export interface ModelFolder<T> {
  /** The folder's name when one was picked, else null (the worker falls back to config.json). */
  folderName: string | null;
  files: Record<string, T>;
  /** Files left out (other folders, ONNX exports, PyTorch weights, READMEs...). */
  ignored: string[];
}

/** model.safetensors, or shards as transformers names them (model-00001-of-00002.safetensors). */
const WEIGHTS = /^model(-\d+-of-\d+)?\.safetensors$/;
/**
 * The tokenizer and generation files that travel with a model (core/io/hf.ts's
 * PASSTHROUGH_FILES, repeated so the page need not load the engine; a test keeps them equal).
 */
export const MODEL_SIDE_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'vocab.json', 'merges.txt', 'vocab.txt'];
const KEEP = new Set(['config.json', 'model.safetensors.index.json', ...MODEL_SIDE_FILES]);

export class ModelFolderError extends Error {
  override name = 'ModelFolderError';
}

function segments(path: string): string[] {
  return path.split(/[\\/]+/).filter(Boolean);
}

/**
 * The model is the folder holding the shallowest config.json (so dropping a parent folder
 * with one model inside works); only the files the studio reads are kept from it.
 */
export function pickModelFiles<T>(picked: PickedFile<T>[]): ModelFolder<T> {
  const configs = picked.map((p) => segments(p.path)).filter((s) => s[s.length - 1] === 'config.json');
  if (configs.length === 0) {
    const some = picked.slice(0, 4).map((p) => p.path).join(', ');
    throw new ModelFolderError(
      `No config.json among the ${picked.length} file${picked.length === 1 ? '' : 's'} chosen${some ? ` (${some}${picked.length > 4 ? ', …' : ''})` : ''}: choose the model's folder, or its config.json, tokenizer.json and model.safetensors together`,
    );
  }
  const root = configs.reduce((a, b) => (b.length < a.length ? b : a)).slice(0, -1);
  const inRoot = (s: string[]) => s.length === root.length + 1 && root.every((seg, i) => s[i] === seg);
  const files: Record<string, T> = {};
  const ignored: string[] = [];
  for (const p of picked) {
    const s = segments(p.path);
    const name = s[s.length - 1];
    if (inRoot(s) && (KEEP.has(name) || WEIGHTS.test(name))) files[name] = p.file;
    else ignored.push(p.path);
  }
  return { folderName: root.length ? root[root.length - 1] : null, files, ignored };
}
