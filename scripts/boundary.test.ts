/**
 * The layering rule from DESIGN.md: src/core imports nothing from ui/, state/, storage/,
 * workers/, React, Dexie or the other page-side libraries. Checked on the import text of every file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const CORE = join(SRC, 'core');
const FORBIDDEN_DIRS = ['ui', 'state', 'storage', 'workers'].map((d) => join(SRC, d));
const FORBIDDEN_PACKAGES = ['react', 'react-dom', 'dexie', 'zustand', 'recharts', 'comlink', 'fflate'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function violation(file: string, spec: string): string | null {
  if (spec.startsWith('.')) {
    const target = resolve(dirname(file), spec);
    const dir = FORBIDDEN_DIRS.find((d) => target === d || target.startsWith(d + '/'));
    return dir ? `${relative(SRC, file)} imports ${spec} (src/${relative(SRC, dir)})` : null;
  }
  const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  return FORBIDDEN_PACKAGES.includes(pkg) ? `${relative(SRC, file)} imports ${spec}` : null;
}

describe('src/core boundary', () => {
  it('finds the imports it checks', () => {
    const sample = `import { a } from './x';\nexport * from "../y";\nimport 'z';\nconst m = import('w');\nimport type { T } from 'dexie';`;
    expect(specifiers(sample)).toEqual(['./x', '../y', 'z', 'w', 'dexie']);
    expect(violation(join(CORE, 'train/x.ts'), '../../storage/db')).toMatch(/storage/);
    expect(violation(join(CORE, 'train/x.ts'), 'react')).toMatch(/react/);
    expect(violation(join(CORE, 'train/x.ts'), '../data/parse')).toBeNull();
  });

  it('core imports nothing from ui, state, storage, workers, React or Dexie', () => {
    const problems = files(CORE).flatMap((f) => specifiers(readFileSync(f, 'utf8')).map((s) => violation(f, s)).filter((v): v is string => v !== null));
    expect(problems).toEqual([]);
  });
});
