/** Node-only helpers for tests and the CLI: model folders on disk <-> ModelFiles. */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFiles } from '../core/types';

export function readFolder(dir: string): ModelFiles {
  const files: ModelFiles = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isFile()) files[name] = new Uint8Array(readFileSync(p));
  }
  return files;
}

export function writeFolder(dir: string, files: ModelFiles): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
