/** Makes sure a Chromium (see chromium.ts) and the tiny test model exist before any test runs. */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { playwrightChromiumInstalled, systemChromium } from './chromium';
import { FIXTURES } from './helpers';

export default function globalSetup(): void {
  if (!existsSync(join(FIXTURES, 'tiny-gpt2', 'model.safetensors'))) {
    execSync('npx tsx scripts/make-tiny-model.ts', { stdio: 'inherit' });
  }
  if (systemChromium() || playwrightChromiumInstalled()) return;
  console.log('No Chromium at $CHROMIUM_PATH or /usr/bin/chromium and none in the Playwright cache: installing Playwright\'s Chromium…');
  execSync('npx playwright install chromium', { stdio: 'inherit' });
}
