/**
 * One search run in the app for the benchmarks: open the URL setup with autostart in a
 * browser of its own (its own IndexedDB and GPU process: work a stopped WebGPU search left
 * queued in a shared GPU process stalled the next run), optionally more tabs that join, watch it,
 * and stop it early when asked (after N nets, when the schedule is done, or at a time cap).
 * Records when each job started (the page's `live[].startedAt`), which the replay records
 * do not keep, so a candidate's wall time can be split (results.mjs candidateTimes).
 */
import type { Page } from '@playwright/test';
import type { PageLiveJob } from '../../src/page-hook';
import type { SearchConfig } from '../../src/search/config';
import type { BackendInfo, BackendName } from '../../src/train/types';
import { launchBrowser, newContext, readFullState, readState, RunnerError, startWithConfig, waitForApp, waitForBackend, type FullPageState } from './browser';
import { isSearchEnded as searchEnded } from '../../src/store/records';

/** When the job in training would end at its current images/s (Infinity when unknown). */
function projectedEnd(job: PageLiveJob | undefined, sizes: { images: number; epochs: number }): number {
  const p = job?.progress;
  if (!p || p.kind !== 'batch' || !(p.imagesPerSecond > 0) || !Number.isFinite(sizes.images)) return Infinity;
  return job.startedAt + ((sizes.images * sizes.epochs) / p.imagesPerSecond) * 1000;
}

export interface PageSearchOptions {
  /** The preview server's URL. */
  readonly baseUrl: string;
  readonly dataset: string;
  readonly preset: string;
  readonly seed: number;
  /** The backend that must run (checked). */
  readonly backend: BackendName;
  readonly strategy?: SearchConfig['strategy'];
  /** A time budget in minutes (`&budget=N`: overrides the preset's). */
  readonly budget?: number;
  /**
   * Changes the setup the URL filled in before the search starts (what the URL cannot say,
   * e.g. early stopping off): the page opens without autostart, and the app validates the
   * result (PageHook.setConfig) as it does the advanced panel's.
   */
  readonly configure?: (config: SearchConfig) => SearchConfig;
  /** Pages in the context (the others join). */
  readonly tabs?: number;
  /** Stop once this many nets are trained. */
  readonly stopAfterNets?: number | undefined;
  /** Stop when the ε schedule is done (skip the final phase). */
  readonly stopAtFinal?: boolean;
  /** Stop after this long, whatever was trained. */
  readonly capMs?: number;
  /**
   * When no net has finished by then and the one in training is projected (from its images/s)
   * to finish after the cap, stop now: the projection is the answer.
   */
  readonly projectAfterMs?: number | undefined;
  /** How often the page is read (job starts are seen at this resolution). */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

export interface PageSearchResult {
  readonly state: FullPageState;
  /** Net string → when its job started (the page's clock). */
  readonly starts: Map<string, number>;
  readonly backend: BackendInfo;
  readonly stoppedBy: string | null;
  /** The job in training when a stop cut the search short. */
  readonly interrupted: PageLiveJob | null;
  readonly wallMs: number;
  readonly errors: string[];
}

export async function runPageSearch(o: PageSearchOptions): Promise<PageSearchResult> {
  const pollMs = o.pollMs ?? 100;
  const log = o.log ?? (() => {});
  const params = new URLSearchParams({ dataset: o.dataset, preset: o.preset, seed: String(o.seed), backend: o.backend });
  if (o.strategy && o.strategy !== 'q-learning') params.set('strategy', o.strategy);
  if (o.budget !== undefined) params.set('budget', String(o.budget));
  const browser = await launchBrowser();
  const context = await newContext(browser);
  const errors: string[] = [];
  try {
    const pages: Page[] = [];
    const open = async (autostart: boolean): Promise<Page> => {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${o.baseUrl}?${params}${autostart ? '&autostart=1' : ''}`);
      await waitForApp(page);
      pages.push(page);
      return page;
    };
    const first = await open(o.configure === undefined);
    const { backend, backendError } = await waitForBackend(first);
    if (!backend || backend.backend !== o.backend) {
      throw new RunnerError(`the benchmark needs ${o.backend} but the page runs ${backend?.backend ?? `nothing (${backendError})`}${backend?.fallbackReason ? `: ${backend.fallbackReason}` : ''}`, 3);
    }
    if (o.configure) {
      const config = o.configure(await first.evaluate(() => JSON.parse(JSON.stringify(globalThis.__metaqnn!.config)) as SearchConfig));
      const refused = await startWithConfig(first, config);
      if (refused) throw new RunnerError(`the app refused the benchmark's setup: ${refused}`);
    }
    await first.waitForFunction(() => globalThis.__metaqnn!.search !== null && globalThis.__metaqnn!.dataset !== null, null, { timeout: 300_000 });
    for (let tab = 2; tab <= (o.tabs ?? 1); tab++) await open(false);

    const sizes = await first.evaluate(() => {
      const app = globalThis.__metaqnn!;
      const config = app.search!.config as unknown as SearchConfig;
      const train = app.dataset?.train.count ?? Infinity;
      return { images: Math.min(config.data.trainSize ?? Infinity, train), epochs: config.training.epochs };
    });
    const started = Date.now();
    const starts = new Map<string, number>();
    let stoppedBy: string | null = null;
    let lastTrained = -1;
    for (;;) {
      const lives = await Promise.all(pages.map((p) => p.evaluate(() => globalThis.__metaqnn!.live.map((j): [string, number] => [j.netString, j.startedAt])).catch((): [string, number][] => [])));
      for (const live of lives) for (const [net, at] of live) if (!starts.has(net)) starts.set(net, at);
      const state = await readState(first);
      if (state.trained !== lastTrained) {
        lastTrained = state.trained;
        log(`${o.preset}/${o.strategy ?? 'q-learning'}/seed ${o.seed}/${o.tabs ?? 1} tab(s): ${state.trained}/${state.scheduleTotal} nets, best ${state.best ? (state.best.bestValAccuracy * 100).toFixed(1) : '–'}%`);
      }
      if (searchEnded(state.status)) break;
      const stop =
        (o.stopAfterNets !== undefined && state.trained >= o.stopAfterNets && 'nets') ||
        (o.stopAtFinal && state.status === 'final' && 'final') ||
        (o.capMs !== undefined && Date.now() - started > o.capMs && 'time cap') ||
        (o.capMs !== undefined && o.projectAfterMs !== undefined && state.trained === 0 && Date.now() - started > o.projectAfterMs &&
          projectedEnd(state.live[0], sizes) > started + o.capMs && 'projection over the cap');
      if (stop) {
        stoppedBy = stop;
        // The live job's progress says how far it got (for an estimate when a cap cut it short).
        const live = state.live[0] ?? null;
        await first.evaluate(() => globalThis.__metaqnn!.stop());
        await first.waitForFunction(() => ['stopped', 'done', 'failed'].includes(globalThis.__metaqnn!.search?.status ?? ''), null, { timeout: 60_000 });
        const full = await readFullState(first);
        return { state: full, starts, backend, stoppedBy, interrupted: live, wallMs: Date.now() - started, errors };
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
    const full = await readFullState(first);
    return { state: full, starts, backend, stoppedBy, interrupted: null, wallMs: Date.now() - started, errors };
  } finally {
    await browser.close().catch(() => {});
  }
}
