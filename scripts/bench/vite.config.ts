/**
 * The bench and kernel-parity pages (scripts/bench/page), served from the repo root
 * with COOP/COEP so the page is cross-origin isolated and wasm gets its threads.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: new URL('../..', import.meta.url).pathname,
  logLevel: 'warn',
  server: {
    // Pages are driven by scripts: never reload them under a running measurement.
    hmr: false,
    watch: { ignored: ['**/*'] },
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
  optimizeDeps: {
    entries: ['scripts/bench/page/*.html'],
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm'],
  },
});
