/**
 * Several machines, one search (issue 17), with a real hub process (`npm run hub`'s script)
 * and separate browser contexts: separate storage, so separate machines. Machine A starts a
 * search and shares it; machine B opens the link and its trainers join; the hub is killed and
 * started again mid-search; the search ends on A and B mirrors it; nothing is lost or doubled
 * and both pass the Q-table check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { agentConsistency, appState, cifarBatch, failOnPageErrors, replayOf, startSearchHere, startSearchWith, waitForStatus } from './helpers';

const PORT = Number(process.env.E2E_HUB_PORT ?? 4190);

async function startHub(dataDir: string): Promise<ChildProcess> {
  // Its own process group: npx → tsx → node, all stopped together.
  const child = spawn('npx', ['tsx', 'scripts/hub.ts', '--port', String(PORT), '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the hub did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('MetaQNN hub:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => reject(new Error(`the hub exited (${code}): ${out}`)));
  });
  return child;
}

async function stopHub(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

/** Shares the page's search; returns the join link, with the cpu backend for the joining machine. */
async function share(page: Page): Promise<string> {
  await page.getByTestId('share-search').click();
  const link = await page.getByTestId('share-link').inputValue({ timeout: 60_000 });
  expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${PORT}/\\?join=[A-Za-z0-9_-]{22}$`));
  return link.replace('?join=', '?backend=cpu&join=');
}

/** The imported datasets a page's browser keeps: id → checksum. */
async function importedDatasets(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const records = await globalThis.__metaqnn!.store!.listDatasets();
    return Object.fromEntries(records.map((r) => [r.id, String((r.meta as { checksum?: unknown }).checksum)]));
  });
}

/** Two or three machines: a tuple, so each is a Page. */
type Machines<N extends 2 | 3, T> = N extends 2 ? [T, T] : [T, T, T];

interface HubRun<N extends 2 | 3> {
  readonly base: string;
  /** The hub's data directory (documents and datasets). */
  readonly data: string;
  /** One page per machine, each in its own browser context (its own storage). */
  readonly pages: Machines<N, Page>;
  readonly contexts: Machines<N, BrowserContext>;
  /** Stops the hub, waits `pauseMs`, and starts it again on the same data. */
  restartHub(pauseMs: number): Promise<void>;
}

/** A hub on a fresh data directory and `machines` browser contexts; no page error allowed; everything stopped after. */
async function withHub<N extends 2 | 3>(browser: Browser, machines: N, body: (run: HubRun<N>) => Promise<void>): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'metaqnn-hub-e2e-'));
  let hub = await startHub(data);
  try {
    const contexts = await Promise.all(Array.from({ length: machines }, () => browser.newContext()));
    const pages = await Promise.all(contexts.map((c) => c.newPage()));
    const errors: string[] = [];
    for (const page of pages) failOnPageErrors(page, errors);
    const restartHub = async (pauseMs: number) => {
      await stopHub(hub);
      await new Promise((r) => setTimeout(r, pauseMs));
      hub = await startHub(data);
    };
    await body({ base: `http://127.0.0.1:${PORT}/`, data, pages: pages as Machines<N, Page>, contexts: contexts as Machines<N, BrowserContext>, restartHub });
    expect(errors).toEqual([]);
    for (const context of contexts) await context.close();
  } finally {
    await stopHub(hub);
    rmSync(data, { recursive: true, force: true });
  }
}

const statusOf = (page: Page) => page.getByTestId('search-status').getAttribute('data-status');

test('two machines share a search to the end through the hub, which restarts mid-search', async ({ browser }) => {
  test.setTimeout(600_000);
  await withHub(browser, 2, async ({ base, pages: [a, b], restartHub }) => {
    await startSearchWith(a, `${base}?dataset=mnist&preset=tiny&seed=3&backend=cpu`, {
      schedule: [{ epsilon: 1, nets: 6 }, { epsilon: 0.5, nets: 2 }, { epsilon: 0.1, nets: 2 }],
      trainersPerTab: 1,
      training: { savings: false },
    });
    await b.goto(await share(a));
    await expect(b.getByTestId('hub-machines')).toContainText('Shared across 2 machines', { timeout: 60_000 });
    await expect(a.getByTestId('hub-machines')).toContainText('Shared across 2 machines', { timeout: 60_000 });
    await expect(b.getByTestId('search-status')).toHaveAttribute('data-status', /running|final|done/, { timeout: 60_000 });

    // Once B has delivered a result, the hub goes down for a few seconds and comes back on the same data.
    const tabB = (await appState(b)).tabId;
    await expect.poll(async () => (await replayOf(a)).filter((e) => e.trainedBy === tabB).length, { timeout: 300_000 }).toBeGreaterThan(0);
    const before = (await replayOf(a)).length;
    await restartHub(3000);
    expect(before).toBeLessThan(10);

    await waitForStatus(a, 'done', 500_000);
    await waitForStatus(b, 'done', 60_000);
    const replayA = await replayOf(a);
    expect(replayA).toHaveLength(10);
    expect(new Set(replayA.map((e) => e.netString)).size).toBe(10);
    // B's trainers trained some of the nets; A's agent took each result once.
    expect(replayA.filter((e) => e.trainedBy === tabB).length).toBeGreaterThan(0);
    const replayB = await replayOf(b);
    expect(replayB.map((e) => [e.netString, e.iterations])).toEqual(replayA.map((e) => [e.netString, e.iterations]));
    for (const page of [a, b]) expect(await agentConsistency(page)).toEqual({ qTableMatchesReplay: true, unique: true });
    expect(await statusOf(b)).toBe('done');
  });
});

test('a third machine joins late, the leading machine closes mid-search, and another finishes it', async ({ browser }) => {
  test.setTimeout(900_000);
  await withHub(browser, 3, async ({ base, pages: [a, b, c], contexts: [machineA] }) => {
    await startSearchWith(a, `${base}?dataset=mnist&preset=tiny&seed=4&backend=cpu`, {
      schedule: [{ epsilon: 1, nets: 8 }, { epsilon: 0.5, nets: 3 }, { epsilon: 0.1, nets: 3 }],
      trainersPerTab: 1,
      training: { savings: false },
    });
    const link = await share(a);
    await b.goto(link);
    await expect(b.getByTestId('hub-machines')).toContainText('Shared across 2 machines', { timeout: 60_000 });

    // C joins once a few results are in.
    await expect.poll(async () => (await replayOf(a)).length, { timeout: 300_000 }).toBeGreaterThanOrEqual(3);
    await c.goto(link);
    await expect(c.getByTestId('hub-machines')).toContainText('Shared across 3 machines', { timeout: 60_000 });
    await expect(c.getByTestId('search-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
    const tabC = (await appState(c)).tabId;

    // A, the leader, goes away in the middle of the search; B or C leads within the stated 15 s (and a poll).
    await expect.poll(async () => (await replayOf(a)).length, { timeout: 300_000 }).toBeGreaterThanOrEqual(6);
    expect((await replayOf(a)).length).toBeLessThan(14);
    await machineA.close();
    await expect
      .poll(async () => (await appState(b)).leading || (await appState(c)).leading, { timeout: 90_000 })
      .toBe(true);

    await waitForStatus(b, 'done', 600_000);
    await waitForStatus(c, 'done', 120_000);
    const replayB = await replayOf(b);
    expect(replayB).toHaveLength(14);
    expect(new Set(replayB.map((e) => e.netString)).size).toBe(14);
    const replayC = await replayOf(c);
    expect(replayC.map((e) => [e.netString, e.iterations])).toEqual(replayB.map((e) => [e.netString, e.iterations]));
    // The late machine trained some of them.
    expect(replayB.filter((e) => e.trainedBy === tabC).length).toBeGreaterThan(0);
    for (const page of [b, c]) expect(await agentConsistency(page)).toEqual({ qTableMatchesReplay: true, unique: true });
  });
});

test('a search on an imported dataset: the dataset goes through the hub only when each machine\'s user agrees', async ({ browser }) => {
  test.setTimeout(600_000);
  await withHub(browser, 3, async ({ base, data, pages: [a, b, c], contexts: [, machineB, machineC] }) => {
    // A imports a CIFAR-10 batch (300 train, 100 test images: the tiny preset's 160 + 96 and 96) and starts a search on it.
    await a.goto(`${base}?preset=tiny&seed=6&backend=cpu`);
    await expect(a.getByTestId('backend')).toContainText('cpu', { timeout: 60_000 });
    await a.getByTestId('import-files').setInputFiles([
      { name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: cifarBatch(30) },
      { name: 'test_batch.bin', mimeType: 'application/octet-stream', buffer: cifarBatch(10) },
    ]);
    await expect(a.getByTestId('import-done')).toBeVisible({ timeout: 60_000 });
    await expect(a.getByTestId('dataset-info')).toContainText('CIFAR-10: 32×32×3, 10 classes, 300 train / 100 test');
    await startSearchHere(a, { schedule: [{ epsilon: 1, nets: 4 }, { epsilon: 0.5, nets: 2 }], trainersPerTab: 1, training: { savings: false } });
    const [datasetId, checksum] = Object.entries(await importedDatasets(a))[0]!;

    // Sharing says the dataset goes to the hub; the button is the agreement.
    await expect(a.getByTestId('share-dataset-note')).toContainText('a dataset you imported');
    await expect(a.getByTestId('share-search')).toContainText('Upload CIFAR-10');
    const link = await share(a);
    expect(readdirSync(join(data, 'datasets')).filter((f) => f.endsWith('.bin'))).toHaveLength(1);

    // C is asked, declines: nothing is downloaded, nothing joined.
    await c.goto(link);
    await expect(c.getByTestId('join-dataset')).toContainText('CIFAR-10', { timeout: 60_000 });
    await c.getByTestId('join-dataset-decline').click();
    await expect(c.getByRole('alert').filter({ hasText: 'you chose not to download dataset "CIFAR-10"' })).toBeVisible();
    await expect(c.getByTestId('join-dataset')).toHaveCount(0);
    expect(await importedDatasets(c)).toEqual({});
    // Not even its copy of the shared document is kept.
    expect(await c.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n?.startsWith('metaqnn-hub-')))).toEqual([]);
    expect(await c.evaluate(async () => (await globalThis.__metaqnn!.store!.listSearches()).length)).toBe(0);
    await machineC.close();

    // B agrees: it downloads the same data (checksum checked) and its trainers train some of the nets.
    await b.goto(link);
    await b.getByTestId('join-dataset-accept').click({ timeout: 60_000 });
    await expect(b.getByTestId('hub-machines')).toContainText('Shared across 2 machines', { timeout: 60_000 });
    expect(await importedDatasets(b)).toEqual({ [datasetId]: checksum });
    await expect(b.getByTestId('dataset-row').filter({ hasText: 'CIFAR-10' })).toHaveCount(1);
    // A second tab on B reconnects the shared search, but only one tab per machine keeps it in step with the hub.
    const b2 = await machineB.newPage();
    await b2.goto(`${base}?backend=cpu`);
    await expect(b2.getByTestId('share-panel')).toContainText('Another tab of this browser keeps this machine\'s records in step with the hub', { timeout: 60_000 });
    await expect(b.getByTestId('share-panel')).not.toContainText('Another tab of this browser');

    await waitForStatus(a, 'done', 500_000);
    await waitForStatus(b, 'done', 60_000);
    const replayA = await replayOf(a);
    expect(replayA).toHaveLength(6);
    const tabB = (await appState(b)).tabId;
    expect(replayA.filter((e) => e.trainedBy === tabB).length).toBeGreaterThan(0);
    expect((await replayOf(b)).map((e) => e.netString)).toEqual(replayA.map((e) => e.netString));
    for (const page of [a, b]) expect(await agentConsistency(page)).toEqual({ qTableMatchesReplay: true, unique: true });
  });
});
