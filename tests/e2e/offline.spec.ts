import { expect, test, type Page } from '@playwright/test';
import { failOnPageErrors, replayOf, waitForStatus } from './helpers';

/** Every error the page showed (notices and the dataset screen's alerts). */
async function shownErrors(page: Page): Promise<string[]> {
  return page.getByRole('alert').allInnerTexts();
}

const offlineCell = (page: Page, name: RegExp) => page.getByTestId('dataset-row').filter({ has: page.getByRole('cell', { name, exact: true }) }).getByTestId('dataset-offline');

test('one visit is enough: offline, the reload has the shell, the dataset list and MNIST, and a whole tiny search trains on WebGPU', async ({ page, context }) => {
  test.setTimeout(900_000);
  const errors = failOnPageErrors(page);
  await page.goto('/?dataset=mnist&preset=tiny&seed=6&backend=webgpu');
  await expect(page.getByTestId('dataset-info')).toContainText('MNIST', { timeout: 60_000 });
  // Said only once the shell is precached and MNIST's files are in the cache.
  await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 120_000 });
  expect(await page.evaluate(async () => (await (await caches.open('datasets')).keys()).map((r) => new URL(r.url).pathname).sort())).toEqual([
    '/datasets/mnist/test-images.bin',
    '/datasets/mnist/test-labels.bin',
    '/datasets/mnist/train-images.bin',
    '/datasets/mnist/train-labels.bin',
  ]);
  await expect(offlineCell(page, /^MNIST/)).toHaveText('✓ yes');
  // The worker claimed this first page (what it fetches from now on goes through it).
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 30_000 }).toBe(true);

  await context.setOffline(true);
  await page.goto('/?dataset=mnist&preset=tiny&seed=6&autostart=1&backend=webgpu');
  await expect(page.getByTestId('backend')).toContainText('webgpu', { timeout: 60_000 });
  await expect(page.getByTestId('dataset-row')).toHaveCount(2); // the list came from the precached index
  await waitForStatus(page, 'done', 840_000);
  await expect(page.getByTestId('final-results')).toBeVisible();
  const replay = await replayOf(page);
  expect(replay).toHaveLength(10);
  for (const entry of replay) expect(entry.backend).toBe('webgpu');
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  expect(await shownErrors(page)).toEqual([]);
  expect(errors).toEqual([]);
});

test('Fashion-MNIST made available offline on purpose loads offline', async ({ page, context }) => {
  test.setTimeout(600_000);
  const errors = failOnPageErrors(page);
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 120_000 });
  const fashion = offlineCell(page, /^Fashion-MNIST/);
  await fashion.getByRole('button', { name: 'Make Fashion-MNIST available offline' }).click();
  await expect(fashion).toHaveText('✓ yes', { timeout: 300_000 });

  await context.setOffline(true);
  await page.goto('/?dataset=fashion-mnist&preset=tiny&seed=1&backend=webgpu');
  await expect(page.getByTestId('dataset-info')).toContainText('Fashion-MNIST', { timeout: 120_000 });
  await expect(page.getByTestId('dataset-info')).toContainText('60,000 train / 10,000');
  await expect(offlineCell(page, /^Fashion-MNIST/)).toHaveText('✓ yes');
  expect(await shownErrors(page)).toEqual([]);
  expect(errors).toEqual([]);
});

test('an unknown dataset in the URL is named once, with the ones there are', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await page.goto('/?dataset=nosuchdataset');
  await expect(page.getByRole('alert').filter({ hasText: 'nosuchdataset' })).toHaveCount(1);
  const [shown] = await page.getByRole('alert').filter({ hasText: 'nosuchdataset' }).allInnerTexts();
  expect(shown).toContain('no dataset named "nosuchdataset" (available: mnist, fashion-mnist)');
  expect(shown).not.toMatch(/JSON|manifest/);
  // Asked to start at once, it still names the dataset once, and says the search did not start.
  await page.goto('/?dataset=nosuchdataset&autostart=1');
  await expect(page.getByText('The search did not start: its dataset could not be loaded.')).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'nosuchdataset' })).toHaveCount(1);
  expect(errors).toEqual([]);
});
