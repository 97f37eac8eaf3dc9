// report.html in a real headless Chromium: verdict first, a failed check opens to its evidence,
// filters work, no console errors, no network requests at all.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-fixture.js';
import { launchChromium, type Browser } from '../helpers/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

it('shows the verdict, expands a failed check to its evidence, filters by outcome, and stays offline', async () => {
  const page = await browser.context.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  // the golden report: a fixed run against the leaky integration
  const url = pathToFileURL(join(ROOT, 'fixtures/golden/report.html')).href;
  await page.goto(url);

  const verdict = page.locator('#verdict h1');
  await expect.poll(() => verdict.textContent()).toBe('NOT READY');
  expect(await verdict.isVisible()).toBe(true);
  // the verdict is the first thing on the page
  expect((await verdict.boundingBox())!.y).toBeLessThan(100);

  const failed = page.locator('details.check[data-outcome="fail"]').first();
  expect(await failed.getAttribute('id')).toMatch(/^SEC-0\d$/);
  const evidence = failed.locator('.exchange').first();
  expect(await evidence.isVisible()).toBe(false);
  await failed.locator('summary').click();
  expect(await evidence.isVisible()).toBe(true);
  expect(await failed.locator('table').textContent()).toContain('expected');
  expect(await evidence.textContent()).toMatch(/‹access-token#\d+ [a-z0-9.-]+›/);

  mkdirSync(join(ROOT, '.vitest-artifacts'), { recursive: true });
  await page.screenshot({ path: join(ROOT, '.vitest-artifacts/report.png'), fullPage: false });

  // unticking "pass" hides the passed checks and nothing else
  const passed = page.locator('details.check[data-outcome="pass"]');
  expect(await passed.first().isVisible()).toBe(true);
  await page.locator('.filters input[value="pass"]').uncheck();
  expect(await passed.first().isVisible()).toBe(false);
  expect(await failed.isVisible()).toBe(true);

  expect(consoleErrors).toEqual([]);
  expect(requests).toEqual([url]);
  expect(browser.refused).toEqual([]);
  await page.close();
});
