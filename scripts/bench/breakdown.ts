/** Part 2 of `npm run bench`: where a candidate's time goes on the tiny and quick presets (a real search). */
import type { SearchConfig } from '../../src/search/config';
import { duration, pct } from '../lib/format';
import { runPageSearch } from '../lib/page-search';
import { candidateTimes, timeBreakdown, TIME_PARTS, uploadEstimateMs, type TimePart } from '../lib/results';
import type { PartContext, PartReport, Plan } from './plan';

const PART_NAMES: Record<TimePart, string> = {
  buildMs: 'build',
  firstBatchMs: 'first batch (shaders)',
  trainingMs: 'training steps',
  evaluationMs: 'evaluation',
  latencyMs: 'latency measurement',
  otherWorkerMs: 'upload, weights, messages',
  betweenMs: 'storage, agent, claim',
};

export async function benchBreakdown(ctx: PartContext, p: Plan['breakdown']): Promise<PartReport> {
  const runs = [];
  for (const run of p.runs) {
    ctx.log(`time breakdown: ${run.preset} on ${run.backend} (stop after ${run.stopAfterNets ?? 'the schedule'} nets or ${duration(run.capMs)})`);
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
    });
    const times = candidateTimes(result.state.replay, result.starts);
    const breakdown = timeBreakdown(times);
    ctx.sawAdapter(result.backend.adapter);
    const progress = result.interrupted?.progress;
    const interrupted = result.interrupted && progress?.kind === 'batch' ? { netString: result.interrupted.netString, progress } : null;
    // The stored config is opaque JSON to the store; the app wrote it from a SearchConfig.
    const config = result.state.search?.config as SearchConfig | undefined;
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
  const headers = ['preset', 'nets', ...TIME_PARTS.map((k) => PART_NAMES[k]), 'not training', 'per net', 'upload (1st net)'];
  const footnotes: string[] = [];
  const rows = runs.map((r) => {
    const label = `${r.preset} (${r.backend.backend})`;
    if (r.interrupted && (r.stoppedBy === 'time cap' || r.stoppedBy === 'projection over the cap')) {
      const i = r.interrupted;
      footnotes.push(
        `${label}: stopped (${r.stoppedBy}, cap ${duration(r.capMs)}) in ${i.netString}, epoch ${i.epoch} batch ${i.batch}/${i.batchesPerEpoch}, ` +
          `at ${i.imagesPerSecond.toFixed(1)} img/s: about ${duration(i.estimatedTrainingMs)} of training steps per net of this size.`,
      );
    }
    return [
      label,
      r.breakdown.candidates,
      ...TIME_PARTS.map((k) => pct(r.breakdown.shares[k])),
      pct(r.breakdown.notTrainingShare),
      duration(r.breakdown.perCandidateMs),
      duration(r.uploadEstimateMs),
    ];
  });
  return {
    footnotes,
    note:
      'Shares of the wall time of the candidates whose start and next start were seen (one trainer). Build, first batch, training, evaluation: the worker\'s own timings; ' +
      'latency measurement: estimated from the latencies it measured; "upload, weights, messages": the rest of the job (upload: the first net\'s excess over the median); ' +
      '"storage, agent, claim": from a result to the next job\'s start.',
    runs,
    table: { headers, rows },
  };
}
