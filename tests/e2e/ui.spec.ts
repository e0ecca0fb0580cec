/**
 * The screens without training (WebGPU on SwiftShader is too slow for that here): accessibility
 * at desktop and phone width, dataset imports through the real file inputs and import worker,
 * an import error naming the file, and the authors' replay file charted and seeded into a search.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { CIFAR_RECORD, cifarBatch, failOnPageErrors } from './helpers';

const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const FIXTURE = new URL('../../../shared/fixtures/metaqnn-replay_database.csv', import.meta.url);

/** A valid RGB PNG of `side`×`side` filled with one colour. */
function png(side: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: side }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: side }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Opens the app and waits until the shipped MNIST is shown (the page is fully drawn). */
async function openApp(page: Page): Promise<void> {
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('dataset-info')).toContainText('MNIST', { timeout: 60_000 });
}

/** Train and test counts per class, as the class table shows them. */
async function classCounts(page: Page): Promise<Record<string, [number, number]>> {
  const rows = await page.getByTestId('class-row').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('th, td'), (cell) => cell.textContent?.trim() ?? '')),
  );
  return Object.fromEntries(rows.map(([name, train, test]) => [name, [Number(train), Number(test)]]));
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('the main screen has no serious accessibility violations, at desktop and at phone width', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await openApp(page);
  // The advanced setup open too: its fields must be labelled as well.
  await page.getByText('Advanced setup').click();
  expect(await seriousViolations(page)).toEqual([]);

  await page.setViewportSize({ width: 375, height: 800 });
  expect(await seriousViolations(page)).toEqual([]);
  // Readable at phone width: nothing makes the page scroll sideways (wide tables scroll in their box).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(errors).toEqual([]);
});

test('a new visitor starts on the 10-minute budget preset; tiny clears the budget, budget brings it back, a typed budget stays', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await openApp(page);
  const budgeted = page.getByRole('radio', { name: /^Budgeted: the best model 10 minutes buy/ });
  const budget = page.getByTestId('budget');
  await expect(budgeted).toBeChecked();
  await expect(budget).toHaveValue('10');
  await expect(page.getByTestId('estimate')).toContainText('Within 10 minutes');
  // The preset's own budget is not written: the URL says only what differs from the preset.
  await expect(page).toHaveURL(/[?&]preset=budget(&|$)/);
  expect(new URL(page.url()).searchParams.has('budget')).toBe(false);

  await page.getByRole('radio', { name: /^tiny/ }).check();
  await expect(budget).toHaveValue('');
  await expect(page.getByTestId('estimate')).toContainText('This search trains 10 nets');
  await expect(page).toHaveURL(/[?&]preset=tiny(&|$)/);
  await budgeted.check();
  await expect(budget).toHaveValue('10');

  // Minutes the person types are theirs: they stay on another preset, and a reload of the URL keeps both.
  await budget.fill('20');
  await budget.press('Tab');
  await page.getByRole('radio', { name: /^quick/ }).check();
  await expect(budget).toHaveValue('20');
  await expect(page).toHaveURL(/[?&]preset=quick&.*budget=20/);
  await page.reload();
  await expect(page.getByRole('radio', { name: /^quick/ })).toBeChecked({ timeout: 60_000 });
  await expect(budget).toHaveValue('20');
  expect(errors).toEqual([]);
});

test('a CIFAR-10 binary import through the file input lists the dataset with its class counts', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await openApp(page);
  await page.getByTestId('import-files').setInputFiles([
    { name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: cifarBatch(2) },
    { name: 'test_batch.bin', mimeType: 'application/octet-stream', buffer: cifarBatch(1) },
  ]);
  await expect(page.getByTestId('import-done')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('dataset-row').filter({ hasText: 'CIFAR-10' })).toContainText('20 / 10');
  await expect(page.getByTestId('dataset-info')).toContainText('CIFAR-10: 32×32×3, 10 classes, 20 train / 10 test');
  const counts = await classCounts(page);
  expect(counts).toEqual(Object.fromEntries(CIFAR10_CLASSES.map((name) => [name, [2, 1]])));
  await expect(page.getByTestId('sample-grid').locator('canvas')).toHaveCount(10);
  // It is kept: a reload still lists it.
  await page.reload();
  await expect(page.getByTestId('dataset-row').filter({ hasText: 'CIFAR-10' })).toHaveCount(1, { timeout: 60_000 });
  expect(errors).toEqual([]);
});

test('an image folder chosen with the folder input becomes a dataset with one class per subfolder', async ({ page }) => {
  const errors = failOnPageErrors(page);
  const dir = mkdtempSync(join(tmpdir(), 'metaqnn-ui-'));
  try {
    const root = join(dir, 'pets');
    const classes = { cat: 6, dog: 5 } as const;
    for (const [name, n] of Object.entries(classes)) {
      mkdirSync(join(root, name), { recursive: true });
      for (let i = 0; i < n; i++) writeFileSync(join(root, name, `${i + 1}.png`), png(12, name === 'cat' ? [200, 40 + i * 10, 40] : [30, 60, 180 + i * 10]));
    }
    await openApp(page);
    await page.getByLabel('Side (pixels)').fill('16');
    await page.getByLabel('Colour').selectOption({ label: 'grayscale' });
    await page.getByTestId('import-folder').setInputFiles(root);
    await expect(page.getByTestId('import-done')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('dataset-info')).toContainText('pets: 16×16×1, 2 classes');
    const counts = await classCounts(page);
    expect(Object.keys(counts)).toEqual(['cat', 'dog']);
    // Without a test/ folder a stratified share of each class is held out; no image is lost.
    expect(counts.cat![0] + counts.cat![1]).toBe(6);
    expect(counts.dog![0] + counts.dog![1]).toBe(5);
    expect(counts.cat![1]).toBeGreaterThanOrEqual(1);
    expect(counts.dog![1]).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('dataset-row').filter({ hasText: 'pets' })).toContainText('16×16×1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(errors).toEqual([]);
});

test('a malformed file shows the importer\'s error naming the file, and nothing is listed', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await openApp(page);
  const rowsBefore = await page.getByTestId('dataset-row').count();
  await page.getByTestId('import-files').setInputFiles([
    { name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: cifarBatch(2).subarray(0, CIFAR_RECORD * 20 - 100) },
  ]);
  const alert = page.getByTestId('import-error');
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(alert).toContainText('data_batch_1.bin');
  await expect(alert).toContainText('byte offset');
  await expect(page.getByTestId('dataset-row')).toHaveCount(rowsBefore);
  expect(errors).toEqual([]);
});

test('the authors\' replay file shows its warnings and 52% at ε = 1.0, and seeds a search whose results can be explored', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await openApp(page);
  await page.getByTestId('replay-shape').selectOption({ label: '32×32×3 (CIFAR-10, SVHN)' });
  await page.getByTestId('replay-import').setInputFiles({ name: 'metaqnn-replay_database.csv', mimeType: 'text/csv', buffer: readFileSync(FIXTURE) });
  await expect(page.getByTestId('replay-imported')).toContainText('1,983 rows');
  // The file's quirks are reported by line (percentages at ε = 0.7, repeated nets...).
  await expect(page.getByTestId('replay-warnings')).toContainText(/line \d+: /);
  const epsilonOne = page.getByTestId('replay-epsilon-table').locator('tr').filter({ has: page.locator('th', { hasText: /^1\.0$/ }) });
  await expect(epsilonOne).toContainText(/52\.\d%/);

  // Seed a search with the paper's space on MNIST: no training, the results screens fill from the import.
  await page.getByRole('radio', { name: /^paper/ }).check();
  await page.getByTestId('seed-search').click();
  await expect(page.getByTestId('search-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const rows = page.getByTestId('replay-row');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThan(10);

  // Sort by validation accuracy (best first) and open the top net's diagram.
  await page.getByRole('button', { name: /^Val acc/ }).click();
  const accuracies = await rows.evaluateAll((trs) => trs.slice(0, 5).map((tr) => parseFloat(tr.querySelectorAll('td')[5]?.textContent ?? 'NaN')));
  expect(accuracies).toEqual([...accuracies].sort((a, b) => b - a));
  await rows.first().getByRole('button').click();
  const diagram = page.getByTestId('net-diagram');
  await expect(diagram).toBeVisible();
  await expect(diagram).toContainText('28×28×1');
  await expect(diagram).toContainText('SM(10)');
  // The search's own per-ε chart table counts the seeded iterations too.
  await expect(page.getByTestId('search-charts').getByTestId('epsilon-table')).toContainText('1.0');
  // The results screens (charts, a 1,800-row table, the diagram) are accessible too.
  expect(await seriousViolations(page)).toEqual([]);

  // Export search → Import search brings the same results back as a second search.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-search').click()]);
  expect(download.suggestedFilename()).toMatch(/\.metaqnn\.zip$/);
  const zip = join(mkdtempSync(join(tmpdir(), 'metaqnn-ui-')), 'search.zip');
  await download.saveAs(zip);
  const nets = await rows.count();
  await page.getByTestId('search-import').setInputFiles(zip);
  await expect(page.getByTestId('search-item')).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByTestId('search-item').filter({ has: page.locator('[aria-current="true"]') })).toHaveCount(1);
  await expect(rows).toHaveCount(nets);
  rmSync(dirname(zip), { recursive: true, force: true });
  expect(errors).toEqual([]);
});
