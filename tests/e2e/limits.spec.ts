/**
 * Import limits in the built app: a replay CSV with one 50 MB line (a net string of 50
 * million characters) once crashed the page's renderer when its result was shown. It must be
 * refused by name (file, limit, value found) with the page alive and nothing long drawn.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { failOnPageErrors } from './helpers';

const HEADER =
  'net,accuracy_best_val,iter_best_val,accuracy_last_val,iter_last_val,accuracy_best_test,accuracy_last_test,ix_q_value_update,epsilon,time_finished,machine_run_on';

test('a replay CSV with one 50 MB line is refused by name and the page stays alive', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('dataset-info')).toContainText('MNIST', { timeout: 60_000 });

  // Playwright refuses buffers over 50 MB in setInputFiles, so the file goes through disk.
  const dir = mkdtempSync(join(tmpdir(), 'metaqnn-limits-'));
  const file = join(dir, 'huge-line.csv');
  const net = `[${'C(4,3,1), '.repeat(5_000_000)}SM(10)]`;
  const line = `"${net}",0.5,1.0,0.5,1.0,-1.0,0.4,1.0,1.0,0.0,tab`;
  expect(line.length).toBeGreaterThan(50_000_000);
  writeFileSync(file, `${HEADER}\n${line}\n`);
  try {
    await page.getByTestId('replay-import').setInputFiles(file);
    const alert = page.locator('#files [role="alert"]');
    await expect(alert).toContainText('huge-line.csv: line 2 is', { timeout: 60_000 });
    await expect(alert).toContainText(`${line.length.toLocaleString('en-US')} characters, over the limit of`);
    // Nothing of the file was shown, and the page still answers: a small file imports after it.
    expect(await page.evaluate(() => document.body.innerHTML.length)).toBeLessThan(5_000_000);
    await expect(page.getByTestId('replay-imported')).toHaveCount(0);
    await page.getByTestId('replay-import').setInputFiles({
      name: 'small.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${HEADER}\n"[C(4,3,1), SM(10)]",0.5,1.0,0.5,1.0,-1.0,0.4,1.0,1.0,0.0,tab\n`),
    });
    await expect(page.getByTestId('replay-imported')).toContainText('1 of 1 rows read');
    await expect(alert).toHaveCount(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(errors).toEqual([]);
});
