import { expect, type Page } from '@playwright/test';
// Declares globalThis.__metaqnn, the page's hook, for the callbacks below.
import type {} from '../../src/page-hook';

export const CIFAR_RECORD = 1 + 32 * 32 * 3;

/** CIFAR-10 binary records: `perClass` of each class, pixels a pattern of label and index. */
export function cifarBatch(perClass: number): Buffer {
  const bytes = Buffer.alloc(10 * perClass * CIFAR_RECORD);
  let n = 0;
  for (let label = 0; label < 10; label++) {
    for (let k = 0; k < perClass; k++, n++) {
      const start = n * CIFAR_RECORD;
      bytes[start] = label;
      for (let i = 1; i < CIFAR_RECORD; i++) bytes[start + i] = (label * 25 + k * 7 + i) & 0xff;
    }
  }
  return bytes;
}

/** Waits until the page's search reaches `status` (data-status on the status element). */
export async function waitForStatus(page: Page, status: string, timeout = 600_000): Promise<void> {
  await expect(page.getByTestId('search-status')).toHaveAttribute('data-status', status, { timeout });
}

/** The replay memory as the page holds it (read from IndexedDB by the app). */
export async function replayOf(page: Page): Promise<{ netString: string; iterations: number[]; backend: string | null; trainedBy: string | null; bestValAccuracy: number }[]> {
  return page.evaluate(async () => {
    const app = globalThis.__metaqnn!;
    await app.refresh();
    return JSON.parse(JSON.stringify(app.replay));
  });
}

/** Fails the test on any uncaught page error, so a crash never passes silently. */
export function failOnPageErrors(page: Page, errors: string[] = []): string[] {
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Whether the stored agent is consistent with the stored results (the page hook's agentConsistency). */
export async function agentConsistency(page: Page): Promise<{ qTableMatchesReplay: boolean; unique: boolean }> {
  return page.evaluate(async () => {
    const app = globalThis.__metaqnn!;
    const { qTableMatchesReplay, unique } = await app.agentConsistency();
    return { qTableMatchesReplay, unique };
  });
}

/** Reads a few fields of the page's state (globalThis.__metaqnn). */
export async function appState(page: Page): Promise<{ tabId: string; rejected: number; leading: boolean; live: number; status: string | null }> {
  return page.evaluate(() => {
    const app = globalThis.__metaqnn!;
    return {
      tabId: app.coordination.tabId,
      rejected: app.coordination.rejectedMessages,
      leading: app.leading,
      live: app.live.length,
      status: app.search?.status ?? null,
    };
  });
}

/** Jobs of the open search that some tab has claimed (training or abandoned). */
export async function claimedJobs(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const app = globalThis.__metaqnn!;
    return (await app.store!.listJobs(app.searchId!, 'claimed')).length;
  });
}

/** Every job of the open search: its net, status, claims so far and who trained it. */
export async function jobsOf(page: Page): Promise<{ netString: string; status: string; attempts: number; claimedBy: string | null }[]> {
  return page.evaluate(async () => {
    const app = globalThis.__metaqnn!;
    return JSON.parse(JSON.stringify(await app.store!.listJobs(app.searchId!)));
  });
}

/** What a test changes in the setup's config before it starts a search. */
export interface SearchOverrides {
  readonly schedule?: readonly { epsilon: number; nets: number }[];
  readonly final?: { fineTuneTop: number; fineTuneEpochs: number; ensembleTop: number };
  readonly trainersPerTab?: number;
  /** Merged into the config's `training`. */
  readonly training?: Record<string, unknown>;
}

/**
 * Opens `url` (with `backend=`), waits for that backend and the dataset, starts a search with
 * the setup's config and `overrides`, and waits until this page leads it. Returns its tab id.
 */
export async function startSearchWith(page: Page, url: string, overrides: SearchOverrides): Promise<string> {
  const backend = new URL(url, 'http://x').searchParams.get('backend');
  if (!backend) throw new Error(`startSearchWith: ${url} names no backend`);
  await page.goto(url);
  await expect(page.getByTestId('backend')).toContainText(backend, { timeout: 60_000 });
  return startSearchHere(page, overrides);
}

/** Starts a search on the page as it is (its dataset shown) with the setup's config and `overrides`; as startSearchWith. */
export async function startSearchHere(page: Page, overrides: SearchOverrides): Promise<string> {
  await expect(page.getByTestId('dataset-info')).toBeVisible({ timeout: 60_000 });
  await page.evaluate(async (o) => {
    const app = globalThis.__metaqnn!;
    const error = app.setConfig({ ...app.config, ...o, training: { ...app.config.training, ...o.training } });
    if (error) throw new Error(error);
    await app.startSearch();
  }, overrides);
  await expect.poll(async () => (await appState(page)).leading, { timeout: 60_000 }).toBe(true);
  return (await appState(page)).tabId;
}
