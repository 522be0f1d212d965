/**
 * Browser parity checks of the WGSL kernels (`npm run test:kernels`): headless system
 * Chromium with the WebGPU-over-SwiftShader flags, against the Vite dev server of
 * scripts/bench/vite.config.ts. Separate from the app's e2e config: nothing is built.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './browser';

const PORT = 4321;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  workers: 1,
  timeout: 600_000,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
  },
  webServer: {
    command: `npx vite --config scripts/bench/vite.config.ts --port ${PORT} --strictPort`,
    cwd: '../..',
    url: `http://localhost:${PORT}/scripts/bench/page/kernels.html`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
