/** Part 4 of `npm run bench`: Q-learning against random search, same nets, several seeds. */
import { pct, ratio } from '../lib/format';
import { runPageSearch } from '../lib/page-search';
import { mean, mergeByEpsilon, searchQuality, stdev } from '../lib/results';
import type { PartContext, PartReport, Plan } from './plan';

export async function benchQuality(ctx: PartContext, p: Plan['quality']): Promise<PartReport> {
  const runs: (ReturnType<typeof searchQuality> & { strategy: string; seed: number; status: string | null })[] = [];
  for (const seed of p.seeds) {
    ctx.log(`quality: seed ${seed}, q-learning and random side by side (${p.preset} on ${p.backend})`);
    // Two contexts at once: separate databases, one core each; timing does not matter here.
    const pair = await Promise.all(
      ['q-learning', 'random'].map((strategy) =>
        runPageSearch({ baseUrl: ctx.baseUrl, dataset: 'mnist', preset: p.preset, seed, backend: p.backend, strategy: strategy as 'q-learning' | 'random', stopAtFinal: true, pollMs: 1000, log: ctx.log }),
      ),
    );
    for (const [i, strategy] of ['q-learning', 'random'].entries()) {
      const { state } = pair[i]!;
      runs.push({ strategy, seed, ...searchQuality(state.replay, state.accuracyByEpsilon.byEpsilon), status: state.status });
    }
  }
  const byStrategy = ['q-learning', 'random'].map((strategy) => {
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
    headers: ['ε', 'q-learning mean val', 'random mean val'],
    rows: epsilons.map((e) => [e, pct(q.byEpsilon.find((r) => r.epsilon === e)?.meanAccuracy), pct(random.byEpsilon.find((r) => r.epsilon === e)?.meanAccuracy)]),
  };
  return {
    note: `${p.preset} preset on MNIST, ${p.backend} backend, seeds ${p.seeds.join(', ')}; the same number of nets per strategy (the schedule); final phase skipped. Random search labels its nets with the schedule's ε.`,
    runs,
    byStrategy,
    table: { headers, rows },
    epsilonTable,
  };
}
