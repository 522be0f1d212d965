/**
 * `npm run screenshots`: the screenshot generators in e2e/screenshots (README image,
 * model panels, data studio) against the same server and browser as the browser tests.
 * They check only that the flows they photograph complete; they are not part of `npm test`.
 */
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({ ...base, testDir: 'e2e/screenshots', testIgnore: undefined });
