/**
 * The strategy lab in the built app (issue 16): "replay the paper's search" runs the real
 * agent over the paper's 2,700-net schedule on the authors' SVHN results, labelled as
 * simulated, and the page's run is the same as the core's for the seed. A replay file of
 * another space is refused by name and loses nothing shown.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { labMetrics, SimulatedSearch } from '../../src/core';
import { LAB_FILE_PATH, LAB_SCHEDULE, labOracle, labSpace } from '../../src/search/strategy-lab';
import { failOnPageErrors } from './helpers';

const HEADER =
  'net,accuracy_best_val,iter_best_val,accuracy_last_val,iter_last_val,accuracy_best_test,accuracy_last_test,ix_q_value_update,epsilon,time_finished,machine_run_on';

/** The ε table as [ε, nets sampled, mean %]. */
async function epsilonRows(page: Page): Promise<[number, number, number][]> {
  const rows = await page.getByTestId('lab-epsilon-table').locator('tbody tr').allInnerTexts();
  return rows.map((r) => {
    const [e, n, m] = r.split('\t').map((x) => x.trim());
    return [Number(e), Number(n!.replace(/,/g, '')), Number(m!.replace('%', ''))];
  });
}

test('replays the paper’s search, simulated, as the core runs it, and refuses a file of another space', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await page.goto('/?backend=cpu');
  const lab = page.getByTestId('strategy-lab');
  await lab.scrollIntoViewIfNeeded();
  await expect(page.getByTestId('lab-label')).toContainText('Simulated, no training');
  await page.getByTestId('lab-pace').selectOption('fast');
  await page.getByTestId('lab-seed').fill('3');
  await page.getByTestId('lab-start').click();
  await expect(page.getByTestId('lab-source')).toContainText("the authors' SVHN replay file: 1,910 rows, 1,789 nets; its 73 rows at ε = 0.7 all read 0.86");
  await expect(page.getByTestId('lab-status')).toContainText('done', { timeout: 150_000 });
  await expect(page.getByTestId('lab-trained')).toHaveText('2,700');

  // The same run in Node, from the same file: the page ran the real agent, not something else.
  const { oracle } = labOracle(readFileSync(new URL(`../../public/${LAB_FILE_PATH}`, import.meta.url), 'utf8'));
  const iterations = new SimulatedSearch({ space: labSpace(), schedule: LAB_SCHEDULE, seed: 3, strategy: 'q-learning', oracle: (n) => oracle.accuracy(n) }).run();
  const metrics = labMetrics(iterations, oracle.percentile(90));
  const best = iterations.filter((it) => it.trained).reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  await expect(page.getByTestId('lab-best')).toHaveText(best.net);
  await expect(page.getByTestId('lab-above')).toHaveText(metrics.all.aboveBar.toLocaleString('en-US'));
  const rows = await epsilonRows(page);
  expect(rows.map(([e]) => e)).toEqual(LAB_SCHEDULE.map((l) => l.epsilon));
  expect(rows.map(([, n]) => n)).toEqual(metrics.byEpsilon.map((g) => g.iterations));
  // Figure 3's rise: the agent exploits what it learnt.
  expect(rows[rows.length - 1]![2]).toBeGreaterThan(rows[0]![2] + 25);

  // A replay file from the tiny space: refused by name, the run shown and the oracle kept.
  await page.getByText('Fit the accuracies on another replay file').click();
  await page.getByTestId('lab-file').setInputFiles({
    name: 'mnist-tiny.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${HEADER}\n"[C(8,3,1), SM(10)]",0.9,1.0,0.9,1.0,-1.0,-1.0,1.0,1.0,0.0,tab\n"[C(16,3,1), P(2,2), SM(10)]",0.8,1.0,0.8,1.0,-1.0,-1.0,2.0,1.0,0.0,tab\n`),
  });
  await expect(page.getByTestId('lab-error')).toContainText('mnist-tiny.csv: no usable rows for the oracle: 2 rows, 2 of them nets outside the 32×32×3 search space');
  await expect(page.getByTestId('lab-trained')).toHaveText('2,700');
  await expect(page.getByTestId('lab-source')).toContainText("the authors' SVHN replay file");

  // At the watching pace it can be paused: nothing moves until it resumes.
  await page.getByTestId('lab-pace').selectOption('minute');
  await page.getByTestId('lab-strategy').selectOption('evolution');
  await page.getByTestId('lab-start').click();
  await expect(page.getByTestId('lab-status')).toContainText('Regularized evolution, seed 3');
  await expect.poll(async () => Number((await page.getByTestId('lab-trained').innerText()).replace(/,/g, ''))).toBeGreaterThan(50);
  await page.getByTestId('lab-pause').click();
  await expect(page.getByTestId('lab-status')).toContainText('paused');
  const paused = await page.getByTestId('lab-trained').innerText();
  await page.waitForTimeout(1500);
  await expect(page.getByTestId('lab-trained')).toHaveText(paused);
  await page.getByTestId('lab-resume').click();
  await expect.poll(async () => page.getByTestId('lab-trained').innerText()).not.toBe(paused);
  expect(errors).toEqual([]);
});
