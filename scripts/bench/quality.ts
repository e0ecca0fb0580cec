/**
 * Part 4 of `npm run bench`: Q-learning against random search and regularized evolution (issue
 * 16), same schedule, several seeds.
 */
import { pct, ratio } from '../lib/format';
import { runPageSearch } from '../lib/page-search';
import { mean, mergeByEpsilon, searchQuality, stdev } from '../lib/results';
import type { PartContext, PartReport, Plan } from './plan';

const STRATEGIES = ['q-learning', 'random', 'evolution'] as const;

export async function benchQuality(ctx: PartContext, p: Plan['quality']): Promise<PartReport> {
  const runs: (ReturnType<typeof searchQuality> & { strategy: string; seed: number; status: string | null })[] = [];
  for (const seed of p.seeds) {
    ctx.log(`quality: seed ${seed}, ${STRATEGIES.join(', ')} side by side (${p.preset} on ${p.backend})`);
    // One context per strategy at once: separate databases; timing does not matter here.
    const pair = await Promise.all(
      STRATEGIES.map((strategy) =>
        runPageSearch({ baseUrl: ctx.baseUrl, dataset: 'mnist', preset: p.preset, seed, backend: p.backend, strategy, stopAtFinal: true, pollMs: 1000, log: ctx.log }),
      ),
    );
    for (const [i, strategy] of STRATEGIES.entries()) {
      const { state } = pair[i]!;
      runs.push({ strategy, seed, ...searchQuality(state.replay, state.accuracyByEpsilon.byEpsilon), status: state.status });
    }
  }
  const byStrategy = STRATEGIES.map((strategy) => {
    const mine = runs.filter((r) => r.strategy === strategy);
    const known = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);
    return {
      strategy,
      searches: mine.length,
      nets: mean(mine.map((r) => r.nets)),
      best: mean(known(mine.map((r) => r.best))),
      bestStdev: stdev(known(mine.map((r) => r.best))),
      top5: mean(known(mine.map((r) => r.topMean))),
      top5Stdev: stdev(known(mine.map((r) => r.topMean))),
      byEpsilon: mergeByEpsilon(mine.map((r) => r.byEpsilon)),
    };
  });
  const q = byStrategy[0]!;
  const random = byStrategy[1]!;
  const evolution = byStrategy[2]!;
  const headers = ['strategy', 'searches', 'nets', 'best val', 'top-5 mean val', 'top-5 vs random'];
  const rows = byStrategy.map((s) => [
    s.strategy,
    s.searches,
    s.nets?.toFixed(0),
    `${pct(s.best)} ± ${pct(s.bestStdev)}`,
    `${pct(s.top5)} ± ${pct(s.top5Stdev)}`,
    ratio(s.top5, random.top5, 3),
  ]);
  const epsilons = [...new Set(q.byEpsilon.map((r) => r.epsilon))];
  const epsilonTable = {
    headers: ['ε', 'q-learning mean val', 'random mean val', 'evolution mean val'],
    rows: epsilons.map((e) => [e, ...[q, random, evolution].map((s) => pct(s.byEpsilon.find((r) => r.epsilon === e)?.meanAccuracy))]),
  };
  return {
    note: `${p.preset} preset on MNIST, ${p.backend} backend, seeds ${p.seeds.join(', ')}; the same number of nets per strategy (the schedule); final phase skipped. Random search and evolution label their nets with the schedule's ε (evolution ignores it: random walks until its population of 20 is full, then mutations).`,
    runs,
    byStrategy,
    table: { headers, rows },
    epsilonTable,
  };
}
