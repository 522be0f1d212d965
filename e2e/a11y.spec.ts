/**
 * Accessibility: axe-core (WCAG 2 A and AA rules) on every view a newcomer passes through:
 * the empty studio, a dataset and its preview, each data-studio tool, the training panel with
 * every section open, a finished run with its curves, and the playground's evaluation of it. Any violation fails, named with where it is.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { FIXTURES, holdOutTestSplit, openStudio, shortRun, tryInPlayground } from './helpers';

test.describe.configure({ timeout: 300_000 });

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`));
}

test('every main view passes axe', async ({ page }) => {
  await openStudio(page);
  expect(await violations(page), 'the empty studio').toEqual([]);

  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'reviews.csv'));
  await expect(page.getByRole('table', { name: 'Dataset preview' })).toBeVisible();
  expect(await violations(page), 'a dataset and its preview').toEqual([]);

  await holdOutTestSplit(page, 0.25);
  await page.getByRole('tab', { name: 'Data studio' }).click();
  for (const tool of ['Explore', 'Clean', 'Augment', 'Split']) {
    await page.getByRole('tab', { name: tool, exact: true }).click();
    await expect(page.getByRole('tab', { name: tool, exact: true })).toHaveAttribute('aria-selected', 'true');
    expect(await violations(page), `the data studio's ${tool} tool`).toEqual([]);
  }
  await page.getByRole('tab', { name: 'Clean', exact: true }).click();
  await page.getByRole('button', { name: 'Preview cleaning' }).click();
  await expect(page.getByText(/rows → \d+ rows/)).toBeVisible();
  expect(await violations(page), 'a cleaning preview').toEqual([]);

  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByRole('button', { name: 'Add a model' }).click();
  await expect(page.getByRole('group', { name: 'Add a model' })).toBeVisible();
  await page.locator('details.more-settings summary').click();
  expect(await violations(page), 'the training panel with Add a model and More settings open').toEqual([]);
  await page.getByRole('button', { name: 'Add a model' }).click();
  await shortRun(page, null);
  expect(await violations(page), 'a finished run, its curves and the runs list').toEqual([]);

  await tryInPlayground(page, /^classify-lora-1 /);
  const evaluation = page.getByRole('region', { name: 'Evaluate' });
  await evaluation.getByRole('button', { name: 'Evaluate', exact: true }).click();
  await expect(evaluation.getByRole('table', { name: 'Robustness' })).toBeVisible({ timeout: 120_000 });
  expect(await violations(page), 'the playground and an evaluation').toEqual([]);
});

test('the view and tool tabs work from the keyboard', async ({ page }) => {
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'reviews.csv'));
  await expect(page.getByRole('table', { name: 'Dataset preview' })).toBeVisible();
  const views = page.getByRole('tablist', { name: 'Views' });
  await views.getByRole('tab', { name: 'Training' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(views.getByRole('tab', { name: 'Data studio' })).toBeFocused();
  await expect(page.getByRole('tabpanel', { name: 'Data studio' })).toBeVisible();
  // One tab of each list is in the Tab order: the chosen one.
  await expect(views.getByRole('tab', { name: 'Training' })).toHaveAttribute('tabindex', '-1');
  const tools = page.getByRole('tablist', { name: 'Data studio tools' });
  await tools.getByRole('tab', { name: 'Explore' }).focus();
  await page.keyboard.press('End');
  await expect(tools.getByRole('tab', { name: 'Split' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Split' })).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(tools.getByRole('tab', { name: 'Explore' })).toBeFocused();
  await views.getByRole('tab', { name: 'Data studio' }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tabpanel', { name: 'Training' })).toBeVisible();
});

test('a text generator in the playground, writing beside the base model, passes axe', async ({ page }) => {
  await openStudio(page);
  await shortRun(page, 'capitals.jsonl');
  await tryInPlayground(page, /^generate-lora-1 /);
  await page.getByLabel('Prompt', { exact: true }).fill('The capital of France is');
  await page.getByLabel('Compare with').selectOption({ index: 1 });
  await expect(page.getByRole('region', { name: 'Compared text' })).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /tokens\/s/ }).first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled({ timeout: 60_000 });
  expect(await violations(page), 'the playground after generating').toEqual([]);
});
