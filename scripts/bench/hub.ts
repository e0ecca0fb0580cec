/**
 * The hub's part of `npm run bench` (issue 17): nets per hour of one search shared through a
 * hub by one machine and by two (separate browser contexts: separate storage), on the cpu
 * backend, the `tiny` schedule ×3 (30 nets) to the end of the ε schedule; and the hub's
 * traffic per net (websocket messages and bytes, both directions, from its own counters).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { presetConfig, type SearchConfig } from '../../src/search/config';
import { launchBrowser, newContext, readFullState, readState, RunnerError, startWithConfig, waitForApp, waitForBackend } from '../lib/browser';
import { ratio, si } from '../lib/format';
import { startHub, type HubTraffic } from '../lib/hub-server';
import { mean, netsPerHour } from '../lib/results';
import type { PartContext, PartReport, Plan } from './plan';

const SCHEDULE_TIMES = 3;

interface Run {
  readonly machines: number;
  readonly seed: number;
  readonly nets: number;
  readonly spanMs: number;
  readonly netsPerHour: number | null;
  readonly machinesThatTrained: number;
  readonly traffic: HubTraffic;
}

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForApp(page);
  const { backend, backendError } = await waitForBackend(page);
  if (backend?.backend !== 'cpu') throw new RunnerError(`the cpu backend did not start: ${backendError ?? backend?.backend}`);
}

export async function benchHub(ctx: PartContext, p: Plan['hub'], root: string): Promise<PartReport> {
  const runs: Run[] = [];
  for (const seed of p.seeds) {
    for (const machines of [1, 2]) {
      ctx.log(`hub: ${machines} machine(s), tiny ×${SCHEDULE_TIMES} on cpu, seed ${seed}`);
      const data = mkdtempSync(join(tmpdir(), 'metaqnn-hub-bench-'));
      const hub = await startHub({ staticDir: resolve(root, 'dist'), dataDir: data });
      const browser = await launchBrowser();
      try {
        const pages: Page[] = [];
        for (let m = 0; m < machines; m++) pages.push(await (await newContext(browser)).newPage());
        const [a, ...others] = pages;
        await open(a!, `${hub.url}?dataset=mnist&preset=tiny&seed=${seed}&backend=cpu`);
        const base = presetConfig('tiny', 'mnist', seed);
        const config: SearchConfig = {
          ...base,
          presetId: 'custom',
          schedule: base.schedule.map((l) => ({ ...l, nets: l.nets * SCHEDULE_TIMES })),
          training: { ...base.training, savings: false },
        };
        const refused = await startWithConfig(a!, config);
        if (refused) throw new RunnerError(`the app refused the config: ${refused}`);
        await a!.getByTestId('share-search').click();
        const link = await a!.getByTestId('share-link').inputValue();
        for (const page of others) await open(page, link.replace('?join=', '?backend=cpu&join='));
        const start = { ...hub.traffic };
        for (;;) {
          const state = await readState(a!);
          if (state.status === 'final' || state.status === 'done' || state.status === 'failed') break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        const full = await readFullState(a!);
        const replay = full.replay;
        const spanMs = Math.max(...replay.map((e) => e.finishedAt)) - (full.search?.createdAt ?? 0);
        const traffic: HubTraffic = {
          messagesIn: hub.traffic.messagesIn - start.messagesIn,
          bytesIn: hub.traffic.bytesIn - start.bytesIn,
          messagesOut: hub.traffic.messagesOut - start.messagesOut,
          bytesOut: hub.traffic.bytesOut - start.bytesOut,
          refused: hub.traffic.refused - start.refused,
        };
        runs.push({ machines, seed, nets: replay.length, spanMs, netsPerHour: netsPerHour(replay.length, spanMs), machinesThatTrained: new Set(replay.map((e) => e.trainedBy)).size, traffic });
      } finally {
        await browser.close();
        await hub.close();
        rmSync(data, { recursive: true, force: true });
      }
    }
  }
  const one = runs.filter((r) => r.machines === 1);
  const baseline = mean(one.flatMap((r) => (r.netsPerHour === null ? [] : [r.netsPerHour])));
  const headers = ['machines', 'seed', 'nets', 'nets/hour', 'vs one machine', 'machines that trained', 'messages per net', 'bytes per net'];
  const rows = runs.map((r) => [
    r.machines,
    r.seed,
    r.nets,
    r.netsPerHour?.toFixed(0),
    ratio(r.netsPerHour, baseline),
    r.machinesThatTrained,
    ((r.traffic.messagesIn + r.traffic.messagesOut) / Math.max(1, r.nets)).toFixed(0),
    si((r.traffic.bytesIn + r.traffic.bytesOut) / Math.max(1, r.nets)),
  ]);
  return {
    note:
      `One search shared through a hub on this machine (npm run hub's server, 127.0.0.1), by one browser context and by two (two machines: separate storage), ` +
      `tiny ×${SCHEDULE_TIMES} (30 nets) on the cpu backend to the end of the ε schedule, seeds ${p.seeds.join(', ')}. Traffic: websocket messages and bytes through the hub, both directions, from the search's start.`,
    runs,
    table: { headers, rows },
  };
}
