import { expect, test } from '@playwright/test';
import { failOnPageErrors } from './helpers';

test('a trainer worker initialises TF.js on WebGPU and the page says so', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await page.goto('/');
  // The backend comes from the trainer worker (a dedicated module worker), not the page.
  await expect(page.getByTestId('backend')).toContainText('webgpu', { timeout: 60_000 });
  await expect(page.getByTestId('adapter')).toContainText('swiftshader');
  const info = await page.evaluate(() => {
    const app = globalThis.__metaqnn!;
    return app.backend!;
  });
  expect(info.backend).toBe('webgpu');
  expect(info.adapter?.architecture).toBe('swiftshader');
  // The worker read the largest tensor from TF.js's device: the adapter's limits, which TF.js requests.
  const adapterLimit = await page.evaluate(async () => {
    const adapter = await navigator.gpu.requestAdapter();
    return adapter ? Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize) : null;
  });
  expect(adapterLimit).toBeGreaterThan(0);
  expect(info.largestTensorBytes).toBe(adapterLimit);
  // The page opens on a dataset that ships with the app.
  await expect(page.getByTestId('dataset-info')).toContainText('MNIST', { timeout: 60_000 });
  expect(errors).toEqual([]);
});
