/** Part 2 of `npm run bench`: where a candidate's time goes on the tiny and quick presets (a real search). */
import type { SearchConfig } from '../../src/search/config';
import { duration, pct } from '../lib/format';
import { runPageSearch } from '../lib/page-search';
import { candidateTimes, netsPerHour, timeBreakdown, TIME_PARTS, uploadEstimateMs, type TimePart } from '../lib/results';
import type { BreakdownRun, PartContext, PartReport, Plan } from './plan';

const PART_NAMES: Record<TimePart, string> = {
  buildMs: 'build',
  firstBatchMs: 'first batch beyond a step (shaders)',
  trainingMs: 'training steps',
  evaluationMs: 'evaluation',
  latencyMs: 'latency measurement',
  otherWorkerMs: 'upload, weights, messages',
  betweenMs: 'storage, agent, claim',
};

export async function benchBreakdown(ctx: PartContext, p: Plan['breakdown']): Promise<PartReport> {
  const runs = [];
  for (const run of p.runs) {
    ctx.log(`time breakdown: ${label(run)} (stop after ${run.stopAfterNets ?? 'the schedule'} nets or ${duration(run.capMs)})`);
    const result = await runPageSearch({
      baseUrl: ctx.baseUrl,
      dataset: 'mnist',
      preset: run.preset,
      seed: 1,
      backend: run.backend,
      stopAfterNets: run.stopAfterNets,
      stopAtFinal: true,
      capMs: run.capMs,
      projectAfterMs: run.projectAfterMs,
      log: ctx.log,
      ...(run.savings ? {} : { configure: (config: SearchConfig) => ({ ...config, presetId: 'custom', training: { ...config.training, savings: false } }) }),
    });
    // The stored config is opaque JSON to the store; the app wrote it from a SearchConfig.
    const config = result.state.search?.config as SearchConfig | undefined;
    const times = candidateTimes(result.state.replay, result.starts, config?.training?.batchSize);
    const breakdown = timeBreakdown(times);
    ctx.sawAdapter(result.backend.adapter);
    const progress = result.interrupted?.progress;
    const interrupted = result.interrupted && progress?.kind === 'batch' ? { netString: result.interrupted.netString, progress } : null;
    const trainImages = Math.min(config?.data?.trainSize ?? Infinity, result.state.dataset?.meta?.counts?.train ?? Infinity);
    runs.push({
      ...run,
      backend: result.backend,
      nets: result.state.replay.length,
      stoppedBy: result.stoppedBy,
      wallMs: result.wallMs,
      times,
      breakdown,
      uploadEstimateMs: uploadEstimateMs(times),
      // A cap that cut the first net short still says how fast it went.
      interrupted: interrupted && {
        netString: interrupted.netString,
        epoch: interrupted.progress.epoch,
        batch: interrupted.progress.batch,
        batchesPerEpoch: interrupted.progress.batchesPerEpoch,
        imagesPerSecond: interrupted.progress.imagesPerSecond,
        estimatedTrainingMs:
          interrupted.progress.imagesPerSecond > 0 && Number.isFinite(trainImages)
            ? ((trainImages * (config?.training?.epochs ?? 1)) / interrupted.progress.imagesPerSecond) * 1000
            : null,
      },
      pageErrors: result.errors,
    });
  }
  const headers = ['preset', 'nets', ...TIME_PARTS.map((k) => PART_NAMES[k]), 'not training', 'per net', 'nets/hour', 'upload (1st net)'];
  const footnotes: string[] = [];
  const rows = runs.map((r) => {
    const name = label({ ...r, backend: r.backend.backend as BreakdownRun['backend'] });
    if (r.interrupted && (r.stoppedBy === 'time cap' || r.stoppedBy === 'projection over the cap')) {
      const i = r.interrupted;
      footnotes.push(
        `${name}: stopped (${r.stoppedBy}, cap ${duration(r.capMs)}) in ${i.netString}, epoch ${i.epoch} batch ${i.batch}/${i.batchesPerEpoch}, ` +
          `at ${i.imagesPerSecond.toFixed(1)} img/s: about ${duration(i.estimatedTrainingMs)} of training steps per net of this size.`,
      );
    }
    return [
      name,
      r.breakdown.candidates,
      ...TIME_PARTS.map((k) => pct(r.breakdown.shares[k])),
      pct(r.breakdown.notTrainingShare),
      duration(r.breakdown.perCandidateMs),
      perHour(r.breakdown.perCandidateMs)?.toFixed(0) ?? '–',
      duration(r.uploadEstimateMs),
    ];
  });
  // Savings on against off, same preset, backend and seed: the same nets.
  for (const on of runs.filter((r) => r.savings)) {
    const off = runs.find((r) => !r.savings && r.preset === on.preset && r.backend.backend === on.backend.backend);
    const [a, b] = [perHour(off?.breakdown.perCandidateMs ?? null), perHour(on.breakdown.perCandidateMs)];
    if (!off || a === null || b === null) continue;
    const same = off.times.map((t) => t.netString).join() === on.times.map((t) => t.netString).join();
    footnotes.push(
      `${on.preset} (${on.backend.backend}): savings on train ${(b / a).toFixed(2)}× the nets per hour of savings off ` +
        `(${b.toFixed(0)} vs ${a.toFixed(0)}); not training ${pct(on.breakdown.notTrainingShare)} vs ${pct(off.breakdown.notTrainingShare)}; ` +
        `${same ? 'the same nets in the same order' : 'NOT the same nets (the savings changed a result the agent learned from)'}.`,
    );
  }
  return {
    footnotes,
    note:
      'Shares of the wall time of the candidates whose start and next start were seen (one trainer), with issue 15\'s per-candidate savings off and on. ' +
      'Build, evaluation, training: the worker\'s own timings, the first batch counted as a training step up to the job\'s steady step and the excess as shaders; ' +
      'latency measurement: estimated from the latencies it measured; "upload, weights, messages": the rest of the job (upload: the first net\'s excess over the median); ' +
      '"storage, agent, claim": from a result to the next job\'s start.',
    runs,
    table: { headers, rows },
  };
}

function label(run: Pick<BreakdownRun, 'preset' | 'backend' | 'savings'>): string {
  return `${run.preset} (${run.backend}${run.savings ? '' : ', savings off'})`;
}

function perHour(perCandidateMs: number | null): number | null {
  return perCandidateMs === null ? null : netsPerHour(1, perCandidateMs);
}
