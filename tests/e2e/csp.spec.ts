import { expect, test, type Page } from '@playwright/test';
import { failOnPageErrors, replayOf, waitForStatus } from './helpers';

declare global {
  interface Window {
    __cspViolations: { directive: string; blocked: string; sample: string }[];
    __injected?: boolean;
  }
}

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchViolations(page: Page): Promise<string[]> {
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }),
    );
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  return consoleErrors;
}

const violations = (page: Page) => page.evaluate(() => window.__cspViolations);

test('under the built Content-Security-Policy a tiny search trains on WebGPU to its results with no violation', async ({ page }) => {
  test.setTimeout(900_000);
  const errors = failOnPageErrors(page);
  const consoleErrors = await watchViolations(page);
  await page.goto('/?dataset=mnist&preset=tiny&seed=2&autostart=1&backend=webgpu');

  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("script-src 'self'");
  expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);

  await expect(page.getByTestId('backend')).toContainText('webgpu', { timeout: 60_000 });
  await waitForStatus(page, 'done', 840_000);
  await expect(page.getByTestId('final-results')).toBeVisible();
  const replay = await replayOf(page);
  expect(replay).toHaveLength(10);
  for (const entry of replay) expect(entry.backend).toBe('webgpu');
  // The results' charts and tables rendered under the policy too.
  await expect(page.locator('canvas').first()).toBeVisible();
  // The service worker registered under worker-src.
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state ?? null), { timeout: 60_000 }).toBe('activated');
  expect(await violations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);

  expect(errors).toEqual([]);
});

test('an injected inline script, inline handler or string timer is refused', async ({ page }) => {
  const errors = failOnPageErrors(page);
  await watchViolations(page);
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('dataset-info')).toContainText('MNIST', { timeout: 60_000 });
  expect(await violations(page)).toEqual([]);
  // What an injection bug would add. (page.evaluate itself is exempt: it is the test's own code.)
  const ran = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = "script";';
    document.head.append(script);
    const img = document.createElement('img');
    img.setAttribute('onerror', 'window.__injected = "handler";');
    img.src = '/no-such-image.png';
    document.body.append(img);
    (setTimeout as (code: string, ms: number) => number)('window.__injected = "timer";', 0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return window.__injected ?? null;
  });
  expect(ran).toBeNull();
  const refused = (await violations(page)).map((v) => v.directive);
  expect(refused).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr']));
  expect(refused.every((d) => d.startsWith('script-src'))).toBe(true);
  expect(errors).toEqual([]);
});

for (const backend of ['webgl', 'cpu'] as const) {
  test(`under the policy the ${backend} backend trains a net`, async ({ page }) => {
    test.setTimeout(600_000);
    const errors = failOnPageErrors(page);
    const consoleErrors = await watchViolations(page);
    await page.goto(`/?dataset=mnist&preset=tiny&seed=4&backend=${backend}&autostart=1`);
    await expect(page.getByTestId('backend')).toContainText(backend, { timeout: 60_000 });
    await expect.poll(async () => (await replayOf(page)).length, { timeout: 500_000 }).toBeGreaterThanOrEqual(1);
    for (const entry of await replayOf(page)) expect(entry.backend).toBe(backend);
    expect(await violations(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(errors).toEqual([]);
  });
}
