/**
 * What each bundle loads. Only the workers that run models need TensorFlow.js (train and
 * playground), and only workers tokenise; the page and the workers that read, clean or
 * measure data must not pull either in through a stray import. TensorFlow.js is 4 MB to
 * fetch, parse and keep cached per bundle. Tree-shaking does not save a stray import: it
 * left TensorFlow.js's WebGPU and wasm backends in the page (2.4 MB; 1.1 MB without them).
 * Follows the static and dynamic imports of the source, as the bundler does; imports of
 * types only are erased by the compiler and are not followed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '..');

/** The specifiers a module imports at run time (static, re-exports and dynamic). */
function runtimeImports(source: string): string[] {
  const out: string[] = [];
  const statement = /(?:^|\n)\s*(import|export)\s+([^'";()=:]*?)\s*from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(statement)) {
    if (m[4] ?? m[5]) {
      out.push((m[4] ?? m[5])!);
      continue;
    }
    const clause = m[2].trim();
    if (clause.startsWith('type ')) continue;
    const braces = /^\{([^}]*)\}$/.exec(clause);
    if (braces) {
      const names = braces[1].split(',').map((s) => s.trim()).filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    }
    out.push(m[3]);
  }
  return out;
}

/** The file a relative import names: as written when it has an extension, else as the bundler resolves it. */
function resolveLocal(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  const candidates = /\.(ts|tsx|json|css)$/.test(base) ? [base] : [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`${relative(SRC, from)} imports "${spec}", which is not a file`);
  return found;
}

/** What a bundle that starts at `entry` loads: each package and each source file, with the chain of files that brings it in. */
function bundleOf(entry: string): { packages: Map<string, string[]>; files: Map<string, string[]> } {
  const packages = new Map<string, string[]>();
  const files = new Map<string, string[]>();
  const walk = (file: string, chain: string[]) => {
    const name = relative(SRC, file);
    if (files.has(name)) return;
    files.set(name, chain);
    if (!/\.(ts|tsx)$/.test(file)) return;
    for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
      const here = [...chain, name];
      if (spec.startsWith('.')) walk(resolveLocal(file, spec), here);
      else if (!packages.has(spec)) packages.set(spec, here);
    }
  };
  walk(entry, []);
  return { packages, files };
}

/** The packages matching `pattern` that the bundle starting at `entry` loads, each with the chain of files that brings it in. */
const loads = (entry: string, pattern: RegExp) =>
  [...bundleOf(join(SRC, entry)).packages].filter(([name]) => pattern.test(name)).map(([name, chain]) => `${name} via ${chain.join(' -> ')}`);
const TFJS = /^@tensorflow\//;
const TOKENIZERS = /^@huggingface\/(tokenizers|jinja)$/;

describe('runtimeImports()', () => {
  it('follows values, re-exports, side effects and dynamic imports, not types', () => {
    const source = [
      "import { a, type B } from './values';",
      "import type { C } from './types-only';",
      "import { type D, type E } from './inline-types';",
      "export { f } from './re-export';",
      "export type { G } from './type-re-export';",
      "import './side-effect';",
      "import Default, { h } from 'a-package';",
      "const lazy = () => import('./lazy');",
    ].join('\n');
    expect(runtimeImports(source)).toEqual(['./values', './re-export', './side-effect', 'a-package', './lazy']);
  });
});

describe('TensorFlow.js stays out of the bundles that do not run models', () => {
  for (const entry of ['main.tsx', 'workers/import.worker.ts', 'workers/data.worker.ts', 'workers/rowLengths.worker.ts', 'workers/model.worker.ts']) {
    it(entry, () => {
      expect(loads(entry, TFJS)).toEqual([]);
    });
  }

  it('is in the training worker (the walk finds what is there)', () => {
    expect(loads('workers/train.worker.ts', TFJS).length).toBeGreaterThan(0);
  });
});

describe('the page does not bundle the engines its workers run', () => {
  const jobs = readdirSync(join(SRC, 'workers')).filter((f) => /Job\.ts$/.test(f)).map((f) => `workers/${f}`);
  it('finds the jobs', () => {
    expect(jobs).toContain('workers/dataJob.ts');
  });
  for (const job of jobs) {
    it(job, () => {
      const chain = bundleOf(join(SRC, 'main.tsx')).files.get(job);
      expect(chain && [...chain, job].join(' -> ')).toBeUndefined();
    });
  }
});

describe('the page does not tokenise (workers do)', () => {
  it('main.tsx', () => {
    expect(loads('main.tsx', TOKENIZERS)).toEqual([]);
  });

  it('the row-length worker does (the walk finds what is there)', () => {
    expect(loads('workers/rowLengths.worker.ts', TOKENIZERS).length).toBeGreaterThan(0);
  });
});
