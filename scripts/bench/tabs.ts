/**
 * Part 3 of `npm run bench`: nets per hour with one tab and with two, with issue 15's savings
 * (the leader admits a second trainer only while it makes the search faster) and without them
 * (every tab claims). The tiny space with its schedule ×3 (30 nets): admission needs a few nets
 * per level to measure, and the comparison needs more nets than the trial takes.
 */
import type { SearchConfig } from '../../src/search/config';
import type { BackendInfo } from '../../src/train/types';
import { ratio } from '../lib/format';
import { runPageSearch } from '../lib/page-search';
import { mean, netsPerHour } from '../lib/results';
import type { PartContext, PartReport, Plan } from './plan';

const SCHEDULE_TIMES = 3;
const SETUPS = [
  { tabs: 1, savings: true },
  { tabs: 2, savings: true },
  { tabs: 1, savings: false },
  { tabs: 2, savings: false },
] as const;

export async function benchTabs(ctx: PartContext, p: Plan['tabs']): Promise<PartReport> {
  const runs: {
    backendName: string;
    tabs: number;
    savings: boolean;
    seed: number;
    backend: BackendInfo;
    nets: number;
    spanMs: number;
    netsPerHour: number | null;
    tabsThatTrained: number;
    admitted: number | null;
  }[] = [];
  for (const backend of p.backends)
  for (const { tabs, savings } of SETUPS) {
    for (const seed of p.seeds) {
      ctx.log(`tabs: ${tabs} tab(s), savings ${savings ? 'on' : 'off'}, ${p.preset} ×${SCHEDULE_TIMES} on ${backend}, seed ${seed}`);
      const configure = (config: SearchConfig): SearchConfig => ({
        ...config,
        presetId: 'custom',
        schedule: config.schedule.map((l) => ({ ...l, nets: l.nets * SCHEDULE_TIMES })),
        training: { ...config.training, savings },
      });
      const result = await runPageSearch({ baseUrl: ctx.baseUrl, dataset: 'mnist', preset: p.preset, seed, backend, tabs, configure, stopAtFinal: true, log: ctx.log });
      ctx.sawAdapter(result.backend.adapter);
      const replay = result.state.replay;
      const trainedBy = new Set(replay.map((e) => e.trainedBy));
      // From the search's creation to its last result: the schedule's wall time.
      const spanMs = Math.max(...replay.map((e) => e.finishedAt)) - (result.state.search?.createdAt ?? 0);
      const admission = (result.state.search as { admission?: { admitted: number } } | null)?.admission ?? null;
      runs.push({
        backendName: backend,
        tabs,
        savings,
        seed,
        backend: result.backend,
        nets: replay.length,
        spanMs,
        netsPerHour: netsPerHour(replay.length, spanMs),
        tabsThatTrained: trainedBy.size,
        admitted: admission?.admitted ?? null,
      });
    }
  }
  const perSetup = p.backends.flatMap((backend) => SETUPS.map(({ tabs, savings }) => {
    const mine = runs.filter((r) => r.backendName === backend && r.tabs === tabs && r.savings === savings);
    const admitted = mine.flatMap((r) => (r.admitted === null ? [] : [r.admitted]));
    return {
      backend,
      tabs,
      savings,
      netsPerHour: mean(mine.flatMap((r) => (r.netsPerHour === null ? [] : [r.netsPerHour]))),
      tabsThatTrained: mean(mine.map((r) => r.tabsThatTrained)),
      admitted: admitted.length > 0 ? admitted.join(', ') : 'all',
    };
  }));
  const headers = ['backend', 'tabs', 'savings', 'nets/hour', 'vs one tab', 'tabs that trained', 'trainers admitted at the end'];
  const rows = perSetup.map((t) => {
    const base = perSetup.find((b) => b.backend === t.backend && b.tabs === 1 && b.savings === t.savings)?.netsPerHour ?? null;
    return [t.backend, t.tabs, t.savings ? 'on' : 'off', t.netsPerHour?.toFixed(0), ratio(t.netsPerHour, base), t.tabsThatTrained, t.admitted];
  });
  return {
    note:
      `${p.preset} preset with its schedule ×${SCHEDULE_TIMES} (${SCHEDULE_TIMES * 10} nets) on ${p.backends.join(' and ')} ` +
      `(on WebGPU every tab submits to the browser's one GPU process), seeds ${p.seeds.join(', ')}; one trainer per tab; ` +
      'savings on: the leader admits a second trainer for a trial and keeps it only when the search got 5% faster; off: every tab claims. ' +
      'Playwright keeps background tabs unthrottled.',
    runs,
    perSetup,
    table: { headers, rows },
  };
}
