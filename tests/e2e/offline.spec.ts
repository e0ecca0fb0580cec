import { expect, test } from '@playwright/test';
import { failOnPageErrors, replayOf, waitForStatus } from './helpers';

test('after one visit the app works offline: shell, workers and the shipped dataset, through a whole tiny search', async ({ page, context }) => {
  test.setTimeout(900_000);
  const errors = failOnPageErrors(page);
  await page.goto('/?dataset=mnist&preset=tiny&seed=6');
  await expect(page.getByTestId('dataset-info')).toContainText('MNIST', { timeout: 60_000 });
  // The service worker precaches the app shell and worker bundles on install.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // Once it controls the page, the dataset is fetched through it and cached on first use.
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 30_000 }).toBe(true);
  await expect(page.getByTestId('dataset-info')).toContainText('MNIST', { timeout: 60_000 });
  await expect.poll(() => page.evaluate(async () => (await (await caches.open('datasets')).keys()).length), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);

  await context.setOffline(true);
  await page.goto('/?dataset=mnist&preset=tiny&seed=6&autostart=1');
  await expect(page.getByTestId('backend')).toContainText('webgpu', { timeout: 60_000 });
  await waitForStatus(page, 'done', 840_000);
  await expect(page.getByTestId('final-results')).toBeVisible();
  const replay = await replayOf(page);
  expect(replay).toHaveLength(10);
  for (const entry of replay) expect(entry.backend).toBe('webgpu');
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  expect(errors).toEqual([]);
});
