/**
 * Headless Chromium for the bench and the kernel parity checks: the system Chromium
 * (as the browser tests pick it) with the DESIGN.md WebGPU-over-SwiftShader
 * flags, and a Vite dev server (scripts/bench/vite.config.ts) for the pages.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { CHROMIUM_ARGS as E2E_ARGS, systemChromium } from '../../e2e/chromium';

export const CHROMIUM_ARGS = [
  ...E2E_ARGS,
  // A headless page must not be throttled mid-measurement.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
];

/** $CHROMIUM_PATH, else Debian's Chromium, else Playwright's own (as the browser tests). */
export function chromiumPath(): string | undefined {
  return systemChromium();
}

export interface BenchBrowser {
  browser: Browser;
  /** A fresh page on `page` (e.g. "index.html"), loaded and ready. */
  open(page: string, query?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startBenchBrowser(log: (l: string) => void = () => {}): Promise<BenchBrowser> {
  const { createServer } = await import('vite');
  const server = await createServer({ configFile: resolve(fileURLToPath(import.meta.url), '../vite.config.ts'), server: { port: 4319 } });
  await server.listen();
  const base = `${server.resolvedUrls!.local[0]}scripts/bench/page/`;
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  return {
    browser,
    async open(name, query = '') {
      const page = await browser.newPage();
      page.on('pageerror', (e) => log(`  page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') log(`  console ${m.type()}: ${m.text().slice(0, 300)}`);
      });
      await page.goto(`${base}${name}${query}`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 180_000 });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
