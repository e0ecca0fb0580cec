import { expect, test } from '@playwright/test';
import { failOnPageErrors } from './helpers';

test('a trainer worker initialises TF.js on WebGPU and the page says so', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await page.goto('/?backend=webgpu');
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

test('auto measures every backend once, picks the fastest (WebGPU within 10%), names the software adapter, and an explicit backend is kept', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = failOnPageErrors(page);
  await page.goto('/');
  const choice = page.getByTestId('backend-choice');
  await expect(choice).toContainText('auto, fastest measured', { timeout: 120_000 });
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('metaqnn.backend-choice.v1') ?? 'null'));
  expect(stored.key).toContain(await page.evaluate(() => navigator.userAgent));
  const speeds = stored.speeds as { backend: string; imagesPerSecond: number | null; adapter: { software?: boolean } | null }[];
  expect(speeds.map((s) => s.backend)).toEqual(['webgpu', 'webgl', 'cpu']);
  const ran = speeds.filter((s) => (s.imagesPerSecond ?? 0) > 0) as { backend: string; imagesPerSecond: number }[];
  expect(ran.length).toBeGreaterThan(0);
  const best = ran.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
  const webgpu = ran.find((s) => s.backend === 'webgpu');
  const expected = webgpu && webgpu.imagesPerSecond >= 0.9 * best.imagesPerSecond ? 'webgpu' : best.backend;
  expect(stored.backend).toBe(expected);
  // The trainers run on the pick, and the header says what was measured, the software adapter named.
  expect(await page.evaluate(() => globalThis.__metaqnn!.backend!.backend)).toBe(expected);
  await expect(page.getByTestId('backend')).toContainText(expected);
  await expect(choice).toContainText('webgpu (software adapter)');

  // A reload reads the choice cached for this adapter and browser instead of measuring again.
  await page.reload();
  await expect(choice).toContainText('auto, fastest measured', { timeout: 60_000 });
  const again = await page.evaluate(() => JSON.parse(localStorage.getItem('metaqnn.backend-choice.v1') ?? 'null'));
  expect(again.measuredAt).toBe(stored.measuredAt);

  // An explicit backend is never overridden.
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend')).toContainText('webgpu', { timeout: 60_000 });
  await expect(page.getByTestId('adapter')).toContainText('swiftshader (software adapter');
  await expect(choice).toHaveCount(0);
  expect(errors).toEqual([]);
});
