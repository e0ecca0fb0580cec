/** Part 3 of `npm run bench`: nets per hour with one tab and with two. */
import type { BackendInfo } from '../../src/train/types';
import { ratio } from '../lib/format';
import { runPageSearch } from '../lib/page-search';
import { mean, netsPerHour } from '../lib/results';
import type { PartContext, PartReport, Plan } from './plan';

export async function benchTabs(ctx: PartContext, p: Plan['tabs']): Promise<PartReport> {
  const runs: { tabs: number; seed: number; backend: BackendInfo; nets: number; spanMs: number; netsPerHour: number | null; tabsThatTrained: number }[] = [];
  for (const tabs of [1, 2]) {
    for (const seed of p.seeds) {
      ctx.log(`tabs: ${tabs} tab(s), ${p.preset} on ${p.backend}, seed ${seed}`);
      const result = await runPageSearch({ baseUrl: ctx.baseUrl, dataset: 'mnist', preset: p.preset, seed, backend: p.backend, tabs, stopAtFinal: true, log: ctx.log });
      ctx.sawAdapter(result.backend.adapter);
      const replay = result.state.replay;
      const trainedBy = new Set(replay.map((e) => e.trainedBy));
      // From the search's creation to its last result: the schedule's wall time.
      const spanMs = Math.max(...replay.map((e) => e.finishedAt)) - (result.state.search?.createdAt ?? 0);
      runs.push({ tabs, seed, backend: result.backend, nets: replay.length, spanMs, netsPerHour: netsPerHour(replay.length, spanMs), tabsThatTrained: trainedBy.size });
    }
  }
  const perTabs = [1, 2].map((tabs) => {
    const mine = runs.filter((r) => r.tabs === tabs);
    return { tabs, netsPerHour: mean(mine.flatMap((r) => (r.netsPerHour === null ? [] : [r.netsPerHour]))), tabsThatTrained: mean(mine.map((r) => r.tabsThatTrained)) };
  });
  const base = perTabs[0]!.netsPerHour;
  const headers = ['tabs', 'nets/hour', 'vs one tab', 'tabs that trained'];
  const rows = perTabs.map((t) => [t.tabs, t.netsPerHour?.toFixed(0), ratio(t.netsPerHour, base), t.tabsThatTrained]);
  return {
    note:
      `${p.preset} preset, ${p.backend} backend${p.backend === 'webgpu' ? ' (every tab submits to the browser\'s one GPU process)' : ' (fastest here for tiny nets)'}, ` +
      `seeds ${p.seeds.join(', ')}; one trainer per tab; Playwright keeps background tabs unthrottled.`,
    runs,
    perTabs,
    table: { headers, rows },
  };
}
