import { readFile } from 'node:fs/promises';
import { type Download, expect, test } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { agentConsistency, claimedJobs, failOnPageErrors, replayOf, waitForStatus } from './helpers';

test('a tiny search on the shipped MNIST survives pause, resume and a reload mid-job and runs through the final phase on WebGPU', async ({ page }) => {
  test.setTimeout(900_000);
  const errors = failOnPageErrors(page);
  await page.goto('/?dataset=mnist&preset=tiny&seed=3&autostart=1&backend=webgpu');
  // The address bar shows the setup without autostart, so a reload does not start another search.
  await expect(page).toHaveURL(/\?dataset=mnist&preset=tiny&seed=3&backend=webgpu$/);
  await expect(page.getByTestId('backend')).toContainText('webgpu', { timeout: 60_000 });

  // Pause mid-epoch: the running job is cancelled and goes back to the queue; resume trains on.
  await expect.poll(async () => (await replayOf(page)).length, { timeout: 300_000 }).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('live-job')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('pause').click();
  await waitForStatus(page, 'paused', 30_000);
  await expect(page.getByTestId('live-job')).toHaveCount(0, { timeout: 30_000 });
  expect(await claimedJobs(page)).toBe(0);
  const afterPause = (await replayOf(page)).length;
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('live-job')).toBeVisible({ timeout: 60_000 });

  // Reload while a candidate is training, after more results are in.
  await expect.poll(async () => (await replayOf(page)).length, { timeout: 300_000 }).toBeGreaterThan(afterPause);
  await expect(page.getByTestId('live-job')).toBeVisible({ timeout: 120_000 });
  await page.reload();
  await waitForStatus(page, 'done', 840_000);
  await expect(page.getByTestId('final-results')).toBeVisible();

  const replay = await replayOf(page);
  expect(replay).toHaveLength(10); // the tiny schedule's unique nets
  expect(new Set(replay.map((e) => e.netString)).size).toBe(10);
  for (const entry of replay) expect(entry.backend).toBe('webgpu');
  // Every agent iteration recorded exactly once: no gap, no repeat.
  const iterations = replay.flatMap((e) => e.iterations).sort((a, b) => a - b);
  expect(iterations).toEqual(Array.from({ length: iterations.length }, (_, i) => i + 1));
  // The stored Q-table is what replaying the stored results in order gives.
  expect(await agentConsistency(page)).toEqual({ qTableMatchesReplay: true, unique: true });
  // Well above chance (10%) for the best net even with 160 images and one epoch.
  expect(Math.max(...replay.map((e) => e.bestValAccuracy))).toBeGreaterThan(0.2);
  await expect(page.getByTestId('ensemble-test')).toHaveText(/\d+\.\d+%/);

  // A saved net downloads as a TF.js Layers pair named after the search and the net, the JSON naming its weights file.
  const button = page.getByRole('button', { name: /^Download model \[/ }).first();
  const net = ((await button.getAttribute('aria-label')) ?? '').replace(/^Download model /, '');
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await button.click();
  await expect.poll(() => downloads.length, { timeout: 60_000 }).toBe(2);
  const [jsonFile, weightsFile] = downloads as [Download, Download];
  const stem = jsonFile.suggestedFilename().replace(/\.json$/, '');
  expect(stem).toMatch(/^mnist-.*-tiny-seed-3-c-/);
  expect(weightsFile.suggestedFilename()).toBe(`${stem}.weights.bin`);
  const modelJson = JSON.parse(await readFile((await jsonFile.path()) as string, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
  };
  const manifest = modelJson.weightsManifest[0]!;
  expect(manifest.paths).toEqual([`./${stem}.weights.bin`]);
  const weightData = await readFile((await weightsFile.path()) as string);
  // The files load as a model (TF.js in Node) that gives a probability per MNIST class.
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: manifest.weights, weightData: new Uint8Array(weightData).buffer }),
  );
  const probs = Array.from((model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor).dataSync()) as number[];
  expect(probs).toHaveLength(10);
  expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  expect(replay.map((e) => e.netString)).toContain(net);
  expect(errors).toEqual([]);
});
