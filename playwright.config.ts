import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, systemChromium } from './e2e/chromium';

const PORT = Number(process.env.E2E_PORT ?? 4173);
/** E2E_SERVER=dev runs the suite against the Vite dev server instead of the production build. */
const DEV = process.env.E2E_SERVER === 'dev';

export default defineConfig({
  testDir: 'e2e',
  // Screenshot generators, not tests: `npm run screenshots` (playwright.screenshots.config.ts).
  testIgnore: 'screenshots/**',
  globalSetup: './e2e/global-setup.ts',
  // One browser at a time: the machine has 2 cores and training uses both.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1440, height: 1000 },
    acceptDownloads: true,
    // The production build registers a service worker that serves the page from its cache;
    // it would hide requests from page.route. Only e2e/offline.spec.ts lets it run.
    serviceWorkers: 'block',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: systemChromium(),
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    // The production build (or the dev server), served with the COOP/COEP headers from vite.config.ts.
    command: DEV ? `npx vite --port ${PORT} --strictPort` : `npx vite build && npx vite preview --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
