/** Part 1 of `npm run bench`: the trainer against plain model.fit, per backend (scripts/bench-train.ts). */
import type { BackendName } from '../../src/train/types';
import { runTrainBench, type TrainBenchReport } from '../bench-train';
import { firstLine } from '../lib/browser';
import { duration, si, type Row } from '../lib/format';
import { mean } from '../lib/results';
import type { PartContext, PartReport, Plan } from './plan';

export async function benchTrain(ctx: PartContext, p: Plan['train']): Promise<PartReport> {
  const runs: ({ backend: BackendName; report: TrainBenchReport; skipped?: undefined } | { backend: BackendName; skipped: string; report?: undefined })[] = [];
  for (const backend of p.backends) {
    ctx.log(`trainer vs model.fit on ${backend} (${p.images} images, ${p.epochs} epoch(s))`);
    try {
      const report = await runTrainBench({ backend, images: p.images, epochs: p.epochs, nets: p.nets, log: () => {} });
      if (report.backend?.backend !== backend) {
        runs.push({ backend, skipped: `ran on ${report.backend?.backend}: ${report.backend?.fallbackReason ?? ''}` });
        continue;
      }
      runs.push({ backend, report });
    } catch (error) {
      runs.push({ backend, skipped: firstLine(error) });
    }
  }
  const headers = ['backend', 'net', 'run', 'went first', 'first batch', 'trainer img/s', 'model.fit img/s', 'trainer / fit', 'trainer MAC/s', 'upload'];
  const rows: Row[] = [];
  for (const run of runs) {
    if (run.skipped !== undefined) {
      rows.push([run.backend, `skipped: ${run.skipped}`, null, null, null, null, null, null, null, null]);
      continue;
    }
    for (const [i, r] of run.report.results.entries()) {
      const t = r.throughput;
      rows.push([
        run.backend,
        r.net,
        // A net seen before in this worker has its shaders compiled: the steady state.
        run.report.results.slice(0, i).some((x) => x.net === r.net) ? 'again' : 'new',
        r.first ?? 'trainer',
        r.status === 'done' ? duration(r.timings.firstBatchMs) : r.status,
        t?.trainerImagesPerSecond?.toFixed(1),
        t?.fitImagesPerSecond?.toFixed(1),
        t?.speedup === null || t?.speedup === undefined ? '–' : `${t.speedup.toFixed(2)}×`,
        si(t?.trainerMultiplyAddsPerSecond),
        duration(run.report.uploadMs),
      ]);
    }
  }
  const summary = runs.flatMap((r) => {
    if (!r.report) return [];
    ctx.sawAdapter(r.report.backend?.adapter ?? null);
    const ok = r.report.results.flatMap((x) => (x.throughput?.speedup ? [x.throughput] : []));
    return [
      {
        backend: r.backend,
        adapter: r.report.backend?.adapter ?? null,
        meanSpeedup: mean(ok.map((t) => t.speedup!)),
        meanTrainerMultiplyAddsPerSecond: mean(ok.flatMap((t) => (t.trainerMultiplyAddsPerSecond === null ? [] : [t.trainerMultiplyAddsPerSecond]))),
        uploadMs: r.report.uploadMs,
      },
    ];
  });
  return {
    note: 'Steady-state images/s (first batch excluded); baseline: the same model, data already on the device, Adam, model.fit in its own worker; the two take turns going first on a new net. MAC/s = 3 × forward multiply-adds × images/s.',
    images: p.images,
    epochs: p.epochs,
    runs: runs.map((r) => (r.report ? { ...r.report, backend: r.backend } : r)),
    summary,
    table: { headers, rows },
  };
}
