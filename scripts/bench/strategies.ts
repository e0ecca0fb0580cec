/**
 * The strategy lab's part of `npm run bench` (issue 16): the real strategies of src/core run
 * the paper's schedule (2,700 nets) and the schedule scaled to about 300 nets on the paper's
 * 32×32×3 space, each net's accuracy from the oracle fitted on the authors' replay file
 * (src/search/strategy-lab.ts), several seeds each. No browser: Node only, seconds per search.
 * Reports the paper's Figure 3 (per-ε mean), best, top-5 mean, nets above the file's 90th
 * percentile and nets trained until the first above it, over the whole run and after the
 * ε = 1 phase, and checks the issue's goals.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { labMetrics, scaleSchedule, scheduleTotal, SimulatedSearch, strategyKinds, type EpsilonSchedule, type LabMetrics, type NetMetrics, type StrategyKind } from '../../src/core';
import { LAB_FILE_PATH, LAB_SCHEDULE, labOracle, labSpace } from '../../src/search/strategy-lab';
import { pct, ratio, type Row } from '../lib/format';
import { mean, stdev } from '../lib/results';
import type { PartContext, PartReport, Plan } from './plan';

interface Run {
  readonly schedule: string;
  readonly strategy: StrategyKind;
  readonly seed: number;
  readonly ms: number;
  readonly metrics: LabMetrics;
}

const known = (xs: readonly (number | null)[]): number[] => xs.filter((x): x is number => x !== null);
const meanSd = (xs: readonly (number | null)[], format: (x: number | null) => string): string => {
  const values = known(xs);
  const sd = stdev(values);
  return `${format(mean(values))}${sd === null ? '' : ` ± ${format(sd)}`}`;
};
const count = (x: number | null): string => (x === null ? '–' : x.toFixed(1));
const points = (x: number | null): string => (x === null ? '–' : (x * 100).toFixed(1));

export async function benchStrategies(ctx: Pick<PartContext, 'log'>, p: Plan['strategies'], root: string): Promise<PartReport> {
  const text = await readFile(resolve(root, 'public', LAB_FILE_PATH), 'utf8');
  const { oracle, samples } = labOracle(text, LAB_FILE_PATH);
  const loo = oracle.leaveOneOut();
  const bar = oracle.percentile(90);
  const space = labSpace();
  const schedules: { name: string; schedule: EpsilonSchedule }[] = [
    { name: `paper (${scheduleTotal(LAB_SCHEDULE)} nets)`, schedule: LAB_SCHEDULE },
    { name: `paper ÷ 9 (${scheduleTotal(scaleSchedule(LAB_SCHEDULE, p.scale))} nets)`, schedule: scaleSchedule(LAB_SCHEDULE, p.scale) },
  ];
  const runs: Run[] = [];
  for (const { name, schedule } of schedules) {
    for (const strategy of strategyKinds) {
      const t0 = Date.now();
      for (const seed of p.seeds) {
        const started = Date.now();
        const iterations = new SimulatedSearch({ space, schedule, seed, strategy, oracle: (net) => oracle.accuracy(net) }).run();
        runs.push({ schedule: name, strategy, seed, ms: Date.now() - started, metrics: labMetrics(iterations, bar) });
      }
      ctx.log(`strategies: ${name}, ${strategy}, ${p.seeds.length} seeds in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }

  const group = (schedule: string, strategy: StrategyKind) => runs.filter((r) => r.schedule === schedule && r.strategy === strategy);
  const summary = (rs: readonly Run[], pick: (m: LabMetrics) => NetMetrics) => ({
    best: rs.map((r) => pick(r.metrics).best),
    top5: rs.map((r) => pick(r.metrics).top5Mean),
    above: rs.map((r) => pick(r.metrics).aboveBar),
    until: rs.map((r) => pick(r.metrics).untilFirstAboveBar),
  });
  const headers = ['schedule', 'strategy', 'nets', 'best', 'top-5 mean', `nets > p90 (${pct(bar)})`, 'nets until the first > p90', 'after ε = 1: top-5 mean', 'after ε = 1: nets > p90', 'after ε = 1: nets until the first'];
  const rows: Row[] = [];
  for (const { name } of schedules) {
    for (const strategy of strategyKinds) {
      const rs = group(name, strategy);
      const all = summary(rs, (m) => m.all);
      const after = summary(rs, (m) => m.afterExploration);
      const found = (xs: (number | null)[]) => `${meanSd(xs, count)}${known(xs).length < xs.length ? ` (${known(xs).length}/${xs.length} found one)` : ''}`;
      rows.push([
        name,
        strategy,
        mean(rs.map((r) => r.metrics.all.nets))?.toFixed(0),
        meanSd(all.best, points),
        meanSd(all.top5, points),
        meanSd(all.above, count),
        found(all.until),
        meanSd(after.top5, points),
        meanSd(after.above, count),
        found(after.until),
      ]);
    }
  }

  const epsilons = LAB_SCHEDULE.map((l) => l.epsilon);
  const epsilonMean = (rs: readonly Run[], epsilon: number) => mean(known(rs.map((r) => r.metrics.byEpsilon.find((e) => e.epsilon === epsilon)?.meanAccuracy ?? null)));
  const tables = schedules.map(({ name }) => ({
    title: `Mean accuracy of the nets sampled at each ε (paper Figure 3; SVHN in the paper: 52% at ε = 1 to 88% at ε = 0.1), ${name}, mean over ${p.seeds.length} seeds`,
    headers: ['ε', ...strategyKinds],
    rows: epsilons.map((e) => [e, ...strategyKinds.map((s) => pct(epsilonMean(group(name, s), e)))]),
  }));

  // The issue's goals, at the paper's scale; the best strategy at ~300 nets by top-5 mean.
  const paper = schedules[0]!.name;
  const small = schedules[1]!.name;
  const q = group(paper, 'q-learning');
  const rise = (epsilonMean(q, 0.1) ?? 0) - (epsilonMean(q, 1) ?? 0);
  const qAbove = mean(q.map((r) => r.metrics.all.aboveBar)) ?? 0;
  const randomAbove = mean(group(paper, 'random').map((r) => r.metrics.all.aboveBar)) ?? 0;
  const ranked = strategyKinds
    .map((strategy) => ({ strategy, top5: mean(known(group(small, strategy).map((r) => r.metrics.all.top5Mean))) ?? 0, above: mean(group(small, strategy).map((r) => r.metrics.all.aboveBar)) ?? 0 }))
    .sort((a, b) => b.top5 - a.top5);
  const goals = {
    qRisePoints: rise * 100,
    qRiseMet: rise * 100 >= 25,
    qAboveVsRandom: randomAbove > 0 ? qAbove / randomAbove : null,
    qAboveMet: randomAbove > 0 ? qAbove / randomAbove >= 1.3 : qAbove > 0,
    bestAt300: ranked[0]!.strategy,
    ranking300: ranked,
  };
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const footnotes = [
    `Goal: Q-learning's per-ε mean rises ≥ 25 points from ε = 1 to ε = 0.1 at the paper's scale: ${goals.qRiseMet ? 'met' : 'not met'} (${pct(epsilonMean(q, 1))} → ${pct(epsilonMean(q, 0.1))}, +${goals.qRisePoints.toFixed(1)} points).`,
    `Goal: Q-learning finds ≥ 1.3× random search's nets above the 90th percentile at the paper's scale: ${goals.qAboveMet ? 'met' : 'not met'} (${qAbove.toFixed(1)} vs ${randomAbove.toFixed(1)}, ${ratio(qAbove, randomAbove)}).`,
    `Best at ${small} by top-5 mean: ${ranked.map((r) => `${r.strategy} ${pct(r.top5)} (${r.above.toFixed(1)} nets > p90)`).join(', ')}.`,
    `Oracle: the authors' replay file, ${samples.fileRows} rows; ${samples.placeholderLevels.map((l) => `the ${l.rows} ε = ${l.epsilon} rows (all ${l.value}, a placeholder)`).join(', ') || 'no placeholder level'} left out; ${oracle.size} distinct nets. Leave-one-out mean absolute error of its k-NN (k = ${oracle.k}): ${points(loo.meanAbsoluteError)} points, against ${points(loo.meanBaselineError)} for predicting the mean.`,
    `Time per search: ${strategyKinds.map((s) => `${s} ${seconds(mean(group(paper, s).map((r) => r.ms)) ?? 0)}`).join(', ')} at the paper's scale.`,
  ];
  return {
    note:
      `The real strategies of src/core on the paper's space (32×32×3, 10 classes) and schedule, seeds ${p.seeds[0]}–${p.seeds[p.seeds.length - 1]}, ` +
      `each net's accuracy from the oracle fitted on the authors' SVHN replay file (the file's value where it has the net, else its 5 nearest nets). ` +
      `Simulated: nothing is trained. "After ε = 1": nets trained at ε < 1, once Q-learning and random search stop sharing their walks; ` +
      `evolution ignores ε (random walks until its population of 20 is full, then mutations).`,
    oracle: { rows: samples.rows, nets: oracle.size, p90: bar, leaveOneOut: loo, placeholderLevels: samples.placeholderLevels },
    goals,
    runs: runs.map((r) => ({ ...r, metrics: { all: r.metrics.all, afterExploration: r.metrics.afterExploration, byEpsilon: r.metrics.byEpsilon } })),
    table: { headers, rows },
    tables,
    footnotes,
  };
}
