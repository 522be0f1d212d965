import { chromium } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await ctx.newPage();
await page.goto('http://localhost:4300/');
await page.getByRole('button', { name: 'Add sample' }).waitFor();
const report = async (name) => {
  const r = await new AxeBuilder({ page }).analyze();
  console.log(`== ${name}: ${r.violations.length} violations`);
  for (const v of r.violations) console.log(`  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length}) e.g. ${v.nodes[0].target.join(' ')} :: ${v.nodes[0].failureSummary?.split('\n').slice(0,2).join(' | ')}`);
};
await report('open');
await page.getByRole('button', { name: 'Add sample' }).click();
await page.getByLabel('Data format').waitFor({ timeout: 60000 });
await page.waitForTimeout(2000);
await report('sample');
await page.getByRole('tab', { name: 'Data studio' }).click();
await page.waitForTimeout(2000);
await report('studio explore');
for (const t of ['Clean', 'Augment', 'Split']) { await page.getByRole('tab', { name: t, exact: true }).click(); await page.waitForTimeout(800); await report('studio ' + t); }
await browser.close();
