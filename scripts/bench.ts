/**
 * `npm run bench`: the benchmarks, each figure a ratio against a baseline measured in the
 * same run, on a described machine. Writes bench/results/bench-<time>.json and
 * bench/results/latest.md, and prints the tables. Parts (issue 8):
 *   train      the trainer against plain model.fit, per backend (scripts/bench-train.ts)
 *   breakdown  where a candidate's time goes on the tiny and quick presets (a real search)
 *   tabs       nets per hour with one tab and with two (tiny preset, cpu backend)
 *   quality    Q-learning against random search, same nets, several seeds (cpu backend)
 * `--quick` sizes everything to about 10 minutes on a 2-core machine without a GPU.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgError } from './lib/args';
import { BENCH_PARTS, BENCH_USAGE, parseBenchArgs, type BenchPart } from './lib/args-bench';
import { ensureBuilt, firstLine, launchBrowser, RunnerError, servePreview } from './lib/browser';
import { duration, markdownTable, pct, ratio, si, textTable, type Row } from './lib/format';
import { describeMachine, type Machine } from './lib/machine';
import { runPageSearch } from './lib/page-search';
import type { SearchConfig } from '../src/search/config';
import type { AdapterInfo, BackendInfo, BackendName } from '../src/train/types';
import {
  candidateTimes,
  mean,
  mergeByEpsilon,
  netsPerHour,
  searchQuality,
  stdev,
  timeBreakdown,
  TIME_PARTS,
  uploadEstimateMs,
  type TimePart,
} from './lib/results';
import { DEFAULT_NETS, runTrainBench, type TrainBenchReport } from './bench-train';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The GPU adapters the parts ran on, in the order they ran: the report names the first. */
const adapters: (AdapterInfo | null)[] = [];
const log = (line: string): void => void process.stderr.write(`  ${line}\n`);

/** A part's outcome as the report shows it: a note, a table, footnotes. */
interface PartReport {
  readonly note: string;
  readonly table: { readonly headers: readonly string[]; readonly rows: readonly Row[] };
  readonly footnotes?: readonly string[];
  readonly epsilonTable?: { readonly headers: readonly string[]; readonly rows: readonly Row[] };
  readonly error?: string;
  readonly [more: string]: unknown;
}

interface BreakdownRun {
  readonly preset: string;
  readonly backend: BackendName;
  readonly stopAfterNets: number | undefined;
  readonly capMs: number;
  readonly projectAfterMs?: number;
}

interface Plan {
  readonly train: { backends: BackendName[]; images: number; epochs: number; nets: string[] };
  readonly breakdown: { runs: BreakdownRun[] };
  readonly tabs: { preset: string; backend: BackendName; seeds: number[] };
  readonly quality: { preset: string; backend: BackendName; seeds: number[] };
}

/** Sizes of each part: --quick for ~10 minutes on 2 cores with SwiftShader, full for under an hour. */
function plan(quick: boolean, seeds: number | null): Plan {
  return {
    train: {
      backends: ['webgpu', 'webgl', 'cpu'],
      // SwiftShader trains these at 15-35 images/s: more would not fit the time budgets.
      images: quick ? 256 : 512,
      epochs: quick ? 1 : 2,
      // A new architecture, a second one, then the first again (its shaders compiled: the steady state).
      nets: quick ? [DEFAULT_NETS[0]!, DEFAULT_NETS[0]!] : DEFAULT_NETS,
    },
    breakdown: {
      // tiny on WebGPU: the point is shader compilation; quick: whatever fits the cap.
      runs: [
        { preset: 'tiny', backend: 'webgpu', stopAfterNets: quick ? 6 : undefined, capMs: (quick ? 2 : 6) * 60_000 },
        // On a CPU emulating a GPU one quick net takes hours: a minute of it gives the estimate.
        { preset: 'quick', backend: 'webgpu', stopAfterNets: quick ? 2 : 5, capMs: (quick ? 3 : 15) * 60_000, projectAfterMs: 60_000 },
      ],
    },
    // Full: on WebGPU, where every tab shares the browser's one GPU process (the limit to show);
    // --quick: on the cpu backend, which trains tiny nets fastest here.
    tabs: { preset: 'tiny', backend: quick ? 'cpu' : 'webgpu', seeds: quick ? [1, 2] : [1, 2, 3] },
    // A tiny search takes seconds on the cpu backend: --quick affords more seeds of it.
    quality: { preset: quick ? 'tiny' : 'bench', backend: 'cpu', seeds: Array.from({ length: seeds ?? (quick ? 5 : 3) }, (_, i) => i + 1) },
  };
}

// ---------------------------------------------------------------------------------------------
// 1. training throughput

async function benchTrain(p: Plan['train']): Promise<PartReport> {
  const runs: ({ backend: BackendName; report: TrainBenchReport; skipped?: undefined } | { backend: BackendName; skipped: string; report?: undefined })[] = [];
  for (const backend of p.backends) {
    log(`trainer vs model.fit on ${backend} (${p.images} images, ${p.epochs} epoch(s))`);
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
    adapters.push(r.report.backend?.adapter ?? null);
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

// ---------------------------------------------------------------------------------------------
// 2. where a candidate's time goes

const PART_NAMES: Record<TimePart, string> = {
  buildMs: 'build',
  firstBatchMs: 'first batch (shaders)',
  trainingMs: 'training steps',
  evaluationMs: 'evaluation',
  latencyMs: 'latency measurement',
  otherWorkerMs: 'upload, weights, messages',
  betweenMs: 'storage, agent, claim',
};

async function benchBreakdown(baseUrl: string, p: Plan['breakdown']): Promise<PartReport> {
  const runs = [];
  for (const run of p.runs) {
    log(`time breakdown: ${run.preset} on ${run.backend} (stop after ${run.stopAfterNets ?? 'the schedule'} nets or ${duration(run.capMs)})`);
    const result = await runPageSearch({
      baseUrl,
      dataset: 'mnist',
      preset: run.preset,
      seed: 1,
      backend: run.backend,
      stopAfterNets: run.stopAfterNets,
      stopAtFinal: true,
      capMs: run.capMs,
      projectAfterMs: run.projectAfterMs,
      log,
    });
    const times = candidateTimes(result.state.replay, result.starts);
    const breakdown = timeBreakdown(times);
    adapters.push(result.backend.adapter);
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

// ---------------------------------------------------------------------------------------------
// 3. tabs

async function benchTabs(baseUrl: string, p: Plan['tabs']): Promise<PartReport> {
  const runs: { tabs: number; seed: number; backend: BackendInfo; nets: number; spanMs: number; netsPerHour: number | null; tabsThatTrained: number }[] = [];
  for (const tabs of [1, 2]) {
    for (const seed of p.seeds) {
      log(`tabs: ${tabs} tab(s), ${p.preset} on ${p.backend}, seed ${seed}`);
      const result = await runPageSearch({ baseUrl, dataset: 'mnist', preset: p.preset, seed, backend: p.backend, tabs, stopAtFinal: true, log });
      adapters.push(result.backend.adapter);
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

// ---------------------------------------------------------------------------------------------
// 4. search quality

async function benchQuality(baseUrl: string, p: Plan['quality']): Promise<PartReport> {
  const runs: (ReturnType<typeof searchQuality> & { strategy: string; seed: number; status: string | null })[] = [];
  for (const seed of p.seeds) {
    log(`quality: seed ${seed}, q-learning and random side by side (${p.preset} on ${p.backend})`);
    // Two contexts at once: separate databases, one core each; timing does not matter here.
    const pair = await Promise.all(
      ['q-learning', 'random'].map((strategy) =>
        runPageSearch({ baseUrl, dataset: 'mnist', preset: p.preset, seed, backend: p.backend, strategy: strategy as 'q-learning' | 'random', stopAtFinal: true, pollMs: 1000, log }),
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

// ---------------------------------------------------------------------------------------------

interface BenchResults {
  date: string;
  quick: boolean;
  partial: boolean;
  machine: Machine;
  browser: string;
  adapter: string | null;
  plan: Plan;
  parts: Partial<Record<BenchPart, PartReport>>;
  timings: Partial<Record<BenchPart | 'total', number>>;
}

function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `# Benchmarks (npm run bench${results.quick ? ' -- --quick' : ''}${results.partial ? `${results.quick ? '' : ' --'} --parts ${Object.keys(results.parts).join(',')}` : ''})`,
    '',
    `${results.date}. Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${results.browser}; GPU adapter: ${results.adapter ?? 'none'}; Node ${m.node}.`,
    '',
  ];
  const titles: Record<BenchPart, string> = {
    train: '1. Training throughput: trainer vs plain model.fit',
    breakdown: '2. Where a candidate\'s time goes',
    tabs: '3. Tabs: nets per hour',
    quality: '4. Search quality: Q-learning vs random search',
  };
  for (const [part, value] of Object.entries(results.parts) as [BenchPart, PartReport][]) {
    lines.push(`## ${titles[part]}`, '', value.note, '', markdownTable(value.table.headers, value.table.rows), '');
    for (const line of value.footnotes ?? []) lines.push(`- ${line}`);
    if (value.footnotes?.length) lines.push('');
    if (value.epsilonTable) lines.push('Mean validation accuracy of the nets sampled at each ε (paper Figure 3):', '', markdownTable(value.epsilonTable.headers, value.epsilonTable.rows), '');
    lines.push(`Took ${duration(results.timings[part])}.`, '');
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const p = plan(args.quick, args.seeds);
  const began = Date.now();
  const machine = await describeMachine();
  await ensureBuilt(root);
  const server = await servePreview(root);
  // Each part starts browsers of its own; this one only names the version (and fails early if there is none).
  const probe = await launchBrowser();
  const browserVersion = `Chromium ${probe.version()}`;
  await probe.close();
  const failed: BenchPart[] = [];
  const results: BenchResults = { date: new Date().toISOString(), quick: args.quick, partial: !BENCH_PARTS.every((part) => args.parts.includes(part)), machine, browser: browserVersion, adapter: null, plan: p, parts: {}, timings: {} };
  try {
    for (const part of args.parts) {
      process.stderr.write(`\n== ${part}\n`);
      const t0 = Date.now();
      try {
        if (part === 'train') results.parts.train = await benchTrain(p.train);
        if (part === 'breakdown') results.parts.breakdown = await benchBreakdown(server.url, p.breakdown);
        if (part === 'tabs') results.parts.tabs = await benchTabs(server.url, p.tabs);
        if (part === 'quality') results.parts.quality = await benchQuality(server.url, p.quality);
      } catch (error) {
        // One failed part must not lose the others' figures: record it, go on, exit non-zero.
        const message = firstLine(error);
        results.parts[part] = { error: message, note: 'This part failed.', table: { headers: ['error'], rows: [[message]] } };
        failed.push(part);
      }
      results.timings[part] = Date.now() - t0;
      const value = results.parts[part]!;
      process.stdout.write(`\n${textTable(value.table.headers, value.table.rows)}\n`);
      for (const line of value.footnotes ?? []) process.stdout.write(`${line}\n`);
      if (value.epsilonTable) process.stdout.write(`\n${textTable(value.epsilonTable.headers, value.epsilonTable.rows)}\n`);
      process.stdout.write(`(${part}: ${duration(results.timings[part])})\n`);
    }
  } finally {
    await server.close().catch(() => {});
  }
  const adapter = adapters.find((a) => a !== null) ?? null;
  results.adapter = adapter ? [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ') : null;
  results.timings.total = Date.now() - began;

  const out = resolve(args.out);
  await mkdir(out, { recursive: true });
  const stamp = results.date.replace(/[:.]/g, '-');
  // latest.md is the whole benchmark; a run of some parts writes latest-<parts>.md beside it.
  const all = BENCH_PARTS.every((part) => args.parts.includes(part));
  const suffix = `${args.quick ? '-quick' : ''}${all ? '' : `-${args.parts.join('-')}`}`;
  const jsonPath = join(out, `bench-${stamp}${suffix}.json`);
  await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  const markdownPath = join(out, all ? 'latest.md' : `latest-${args.parts.join('-')}.md`);
  await writeFile(markdownPath, renderMarkdown(results));
  process.stdout.write(
    `\nMachine: ${machine.cpu}, ${machine.cores} cores; ${results.browser}; adapter ${results.adapter ?? 'none'}.\n` +
      `Parts: ${args.parts.map((part) => `${part} ${duration(results.timings[part])}`).join(', ')}; total ${duration(results.timings.total)}.\n` +
      `Wrote ${jsonPath} and ${markdownPath}\n`,
  );
  if (failed.length > 0) {
    process.stderr.write(`npm run bench: part${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed (see above and the JSON)\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ArgError) {
      process.stderr.write(`npm run bench: ${error.message}\nRun with --help for the options.\n`);
      process.exit(2);
    }
    if (error instanceof RunnerError) {
      process.stderr.write(`npm run bench: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`npm run bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
