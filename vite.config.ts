import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Cross-origin isolation (COOP + COEP) on both the dev and the preview server:
 * SharedArrayBuffer, and with it tfjs wasm threads, only exist in isolated pages.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
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
