import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * After a production build, lists every file of the output (the page, its chunks, the
 * workers, the wasm binaries, the starter model and the samples) in `precache.json`,
 * with a version that changes when any of them does. `public/sw.js` caches that list when
 * it installs, so the studio opens and trains with no network at all.
 */
function offlinePrecache(): Plugin {
  let outDir = 'dist';
  return {
    name: 'studio-offline-precache',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const skip = new Set(['precache.json', 'sw.js']);
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const name of readdirSync(dir).sort()) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (!skip.has(relative(outDir, path))) files.push(relative(outDir, path).split(sep).join('/'));
        }
      };
      walk(outDir);
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      writeFileSync(join(outDir, 'precache.json'), JSON.stringify({ version: hash.digest('hex').slice(0, 16), files }));
    },
  };
}

/**
 * Cross-origin isolation (COOP + COEP) on both the dev and the preview server:
 * SharedArrayBuffer, and with it tfjs wasm threads, only exist in isolated pages.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), offlinePrecache()],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: {
    format: 'es',
    rolldownOptions: {
      output: {
        // No minification in workers: tfjs-backend-wasm starts its threads from the
        // source text of a function (fn.toString()), and renamed variables break it.
        minify: 'dce-only',
      },
    },
  },
  build: {
    target: 'es2022',
    // tfjs alone is well over the default warning size; that is expected here.
    chunkSizeWarningLimit: 4000,
  },
  optimizeDeps: {
    // Pre-bundle what the workers import, so the dev server does not reload mid-session.
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'comlink', 'papaparse', 'dexie', 'hyparquet'],
  },
});
