import { expect, test } from '@playwright/test';
import { failOnPageErrors, waitForStatus } from './helpers';

/**
 * The live view of a budgeted search (issue 14): the clock time it ends by, that it measures
 * this device first, then the data plan it made. A one-minute tiny search on the cpu backend
 * (seconds a net), stopped once the plan shows.
 */
test('a budgeted search shows when it ends, that it measures this device, then its data plan', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = failOnPageErrors(page);
  await page.goto('/?dataset=mnist&preset=tiny&seed=11&backend=cpu&budget=1');
  await expect(page.getByTestId('backend')).toContainText('cpu', { timeout: 60_000 });
  await expect(page.getByTestId('dataset-info')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('budget')).toHaveValue('1');
  await page.getByTestId('start').click();
  await waitForStatus(page, 'running', 60_000);

  // The end is a clock time within the minute from now, as this browser writes clock times.
  const eta = page.getByTestId('budget-eta');
  await expect(eta).toContainText(/ends by about \S+/);
  const shown = (await eta.innerText()).replace(/^ends by about /, '').trim();
  const within = await page.evaluate(() =>
    Array.from({ length: 8 }, (_, i) => new Date(Date.now() - 10_000 + i * 10_000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })),
  );
  expect(within).toContain(shown);

  // Before two nets are timed it says it is measuring; then it shows the plan and what it came from.
  const plan = page.getByTestId('budget-plan');
  await expect(plan).toContainText(/Measuring this device|Each net trains on/);
  await expect(plan).toContainText(/Each net trains on [\d,]+ images(, nets up to [\d.,]+ M multiply-adds)? \(measured on cpu: [\d.e-]+ ms per image and [\d.e-]+ ns per multiply-add per epoch, from \d+ nets?\)/, { timeout: 120_000 });
  const stored = await page.evaluate(async () => {
    const app = globalThis.__metaqnn!;
    await app.refresh();
    return JSON.parse(JSON.stringify(app.search?.plan ?? null));
  });
  expect(stored?.calibration.backend).toBe('cpu');
  await expect(plan).toContainText(`from ${stored.calibration.nets} net`);

  // A minute may be over by now: stop it if it still runs, else it ends by itself.
  if (await page.getByTestId('stop').isVisible()) await page.getByTestId('stop').click();
  await expect(page.getByTestId('search-status')).toHaveAttribute('data-status', /stopped|done/, { timeout: 120_000 });
  expect(errors).toEqual([]);
});
