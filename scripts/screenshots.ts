// Screenshots of the main screens for the README, taken from the real built app in headless
// Chromium: the dataset and setup screens, a search while it trains, and the results.
// Usage: npm run screenshots [-- --backend webgpu|webgl|cpu]   (writes docs/screenshots/*.png)
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgError } from './lib/args';
import { parseScreenshotArgs, SCREENSHOTS_USAGE } from './lib/args-screenshots';
import { ensureBuilt, launchBrowser, newPage, servePreview, waitForApp, waitForBackend } from './lib/browser';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'screenshots');
let args;
try {
  args = parseScreenshotArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof ArgError)) throw error;
  process.stderr.write(`npm run screenshots: ${error.message}\n${SCREENSHOTS_USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${SCREENSHOTS_USAGE}\n`);
  process.exit(0);
}
const backend = args.backend;

await mkdir(out, { recursive: true });
await ensureBuilt(root);
const server = await servePreview(root);
const browser = await launchBrowser();
try {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.url}?dataset=mnist&preset=tiny&seed=7&backend=${backend}`);
  await waitForApp(page);
  await waitForBackend(page);
  await page.getByTestId('dataset-info').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(out, 'dataset.png') });

  await page.locator('#setup-h, [aria-labelledby="setup-h"]').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, 'setup.png') });

  await page.getByTestId('start').click();
  await page.getByTestId('live-job').first().waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => (globalThis.__metaqnn?.replay.length ?? 0) >= 4, null, { timeout: 300_000 });
  await page.getByTestId('live-job').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, 'live.png') });

  await page.getByTestId('search-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 600_000 });
  await page.waitForTimeout(1000);
  await page.getByTestId('final-results').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, 'results.png'), fullPage: false });

  await page.setViewportSize({ width: 375, height: 800 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(out, 'phone.png') });
  console.log(`screenshots written to ${out} (backend ${backend})`);
} finally {
  await browser.close();
  await server.close();
}
