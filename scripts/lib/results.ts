/**
 * What the runner concludes from a search's records: results.json, the best nets, the
 * per-ε means, and where a candidate's time went. Pure functions of the page's records
 * (ReplayRecord, SearchRecord: src/store/records.ts) so tests/unit/runner can check them.
 */
import type { EpsilonAccuracy } from '../../src/search/export';
import { rankReplay } from '../../src/search/search-session';
import type { ReplayEntry, SearchRecord } from '../../src/store';
import { DEFAULT_TRAIN_CONFIG } from '../../src/train/config';
import type { FullPageState } from './browser';
import type { SearchArgs } from './args-search';
import type { Machine } from './machine';
import type { DatasetMeta } from '../../src/data';
/** A search in one of these states is over: nothing more will be trained. */

/**
 * The nets that trained (the app's rankReplay: trained here, not 'too-large' or 'failed'),
 * best validation accuracy first, then net string. The quality figures are about validation
 * accuracy on purpose (README, Benchmarks): rankReplay orders by reward, which a latency
 * target shapes; without one the two orders are the same.
 */
export function rankEntries<E extends ReplayEntry>(replay: readonly E[]): E[] {
  return rankReplay(replay).sort((a, b) => b.bestValAccuracy - a.bestValAccuracy || a.netString.localeCompare(b.netString));
}

export function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample standard deviation; null below two values. */
export function stdev(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs)!;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * One search's quality: best and top-k mean validation accuracy over the nets it trained,
 * with the mean accuracy of the nets sampled at each ε (paper Figure 3, repeats counted) as
 * the page computed it (the page hook's `accuracyByEpsilon().byEpsilon`, from `OpenSearch`, read by `readState`).
 */
export interface SearchQuality {
  readonly nets: number;
  readonly best: number | null;
  readonly bestNet: string | null;
  readonly topMean: number | null;
  readonly top: number;
  readonly byEpsilon: readonly EpsilonAccuracy[];
}

export function searchQuality(replay: readonly ReplayEntry[], byEpsilon: readonly EpsilonAccuracy[] = [], top = 5): SearchQuality {
  const ranked = rankEntries(replay);
  const topK = ranked.slice(0, top).map((e) => e.bestValAccuracy);
  return {
    nets: replay.length,
    best: ranked[0]?.bestValAccuracy ?? null,
    bestNet: ranked[0]?.netString ?? null,
    topMean: mean(topK),
    top: topK.length,
    byEpsilon,
  };
}

/**
 * Several searches' per-ε tables merged: for each ε the mean over searches of their
 * per-ε means (each search weighs the same), highest ε first.
 */
export function mergeByEpsilon(
  tables: readonly (readonly EpsilonAccuracy[])[],
): { epsilon: number; searches: number; meanAccuracy: number | null; stdev: number | null }[] {
  const groups = new Map<number, number[]>();
  for (const table of tables) {
    for (const row of table) {
      const group = groups.get(row.epsilon) ?? [];
      group.push(row.meanAccuracy);
      groups.set(row.epsilon, group);
    }
  }
  return [...groups]
    .sort(([a], [b]) => b - a)
    .map(([epsilon, values]) => ({ epsilon, searches: values.length, meanAccuracy: mean(values), stdev: stdev(values) }));
}

/** Timed forward passes per batch size in the trainer's latency measurement (the search does not change it: src/search trainConfigOf). */
export const LATENCY_REPEATS = DEFAULT_TRAIN_CONFIG.latencyRepeats;

/**
 * Time the trainer spent measuring forward latency, from what it measured: a warm-up pass
 * and LATENCY_REPEATS timed passes at batch 1 and at the large batch (src/train/evaluate.ts
 * measureLatency). An estimate: the warm-up of a new shape can take longer than a timed pass.
 */
export function latencyMeasurementMs(latency: ReplayEntry['latency'], repeats = LATENCY_REPEATS): number {
  if (!latency) return 0;
  return (1 + repeats) * (latency.batch1Ms + latency.batchNPerImageMs * latency.batchSize);
}

/**
 * Where each candidate's time went, from the replay's timings (measured in the worker) and
 * the page's clock: `starts` maps net string → when its job started (the page's
 * `live[].startedAt`), `finishedAt` is stamped right after training returns, before storage.
 * - build, firstBatch (mostly shader compilation), training, evaluation: the worker's timings;
 * - latency: the forward-latency measurement, estimated (latencyMeasurementMs);
 * - otherWorker: the rest of the job's wall time (the dataset upload on a worker's first job,
 *   weight read-back, messages);
 * - between: from one job's finish to the next job's start (storing the result and weights,
 *   the Q update, proposing and claiming the next net). Only meaningful with one trainer.
 * Entries without timings (too large, imported) are left out; wall-based parts are null
 * when the start was not seen.
 */
export interface CandidateTime {
  readonly netString: string;
  readonly first: boolean;
  readonly buildMs: number;
  readonly firstBatchMs: number;
  readonly trainingMs: number;
  readonly evaluationMs: number;
  readonly latencyMs: number | null;
  readonly otherWorkerMs: number | null;
  readonly betweenMs: number | null;
  readonly wallMs: number | null;
}

export function candidateTimes(replay: readonly ReplayEntry[], starts: ReadonlyMap<string, number>, batchSize?: number): CandidateTime[] {
  const trained = replay.filter((e) => e.timings).sort((a, b) => a.finishedAt - b.finishedAt);
  return trained.map((entry, i) => {
    const t = entry.timings!;
    const worker = t.buildMs + t.firstBatchMs + t.trainingMs + t.evaluationMs;
    const firstStep = batchSize === undefined ? 0 : firstStepComputeMs(entry, batchSize);
    const startedAt = starts.get(entry.netString) ?? null;
    const wallMs = startedAt === null ? null : entry.finishedAt - startedAt;
    const rest = wallMs === null ? null : Math.max(0, wallMs - worker);
    const latencyMs = rest === null ? null : Math.min(rest, latencyMeasurementMs(entry.latency));
    const next = trained[i + 1];
    const nextStart = next ? (starts.get(next.netString) ?? null) : null;
    return {
      netString: entry.netString,
      first: i === 0,
      buildMs: t.buildMs,
      firstBatchMs: t.firstBatchMs - firstStep,
      trainingMs: t.trainingMs + firstStep,
      evaluationMs: t.evaluationMs,
      latencyMs,
      otherWorkerMs: rest === null || latencyMs === null ? null : rest - latencyMs,
      betweenMs: nextStart === null ? null : Math.max(0, nextStart - entry.finishedAt),
      wallMs,
    };
  });
}

/**
 * The first batch is a training step too: what a steady step of the same job took (its training
 * time over its other steps) counts as training, and only the first batch's excess over it as
 * shader compilation. 0 when the job had a single step or no image count.
 */
export function firstStepComputeMs(entry: Pick<ReplayEntry, 'timings' | 'trainImages' | 'valCurve'>, batchSize: number): number {
  const t = entry.timings;
  if (!t || !entry.trainImages || entry.valCurve.length === 0) return 0;
  const steps = Math.ceil(entry.trainImages / batchSize) * entry.valCurve.length;
  if (steps < 2) return 0;
  return Math.min(t.firstBatchMs, t.trainingMs / (steps - 1));
}

export const TIME_PARTS = ['buildMs', 'firstBatchMs', 'trainingMs', 'evaluationMs', 'latencyMs', 'otherWorkerMs', 'betweenMs'] as const;
export type TimePart = (typeof TIME_PARTS)[number];

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The dataset upload, estimated: the first job's unexplained time beyond the others' median. */
export function uploadEstimateMs(times: readonly Pick<CandidateTime, 'first' | 'otherWorkerMs'>[]): number | null {
  const first = times.find((t) => t.first)?.otherWorkerMs ?? null;
  const rest = median(times.flatMap((t) => (!t.first && t.otherWorkerMs !== null ? [t.otherWorkerMs] : [])));
  return first === null || rest === null ? null : Math.max(0, first - rest);
}

/**
 * Totals of candidateTimes over the candidates where every part is known, with each part's
 * share and the share that is not training steps (everything but `trainingMs`).
 */
export interface TimeBreakdown {
  readonly candidates: number;
  readonly totals: Record<TimePart, number>;
  readonly total: number;
  readonly shares: Record<TimePart, number | null>;
  readonly notTrainingShare: number | null;
  readonly perCandidateMs: number | null;
}

export function timeBreakdown(times: readonly CandidateTime[]): TimeBreakdown {
  const complete = times.filter((t) => TIME_PARTS.every((p) => typeof t[p] === 'number'));
  const totals = Object.fromEntries(TIME_PARTS.map((p) => [p, complete.reduce((s, t) => s + (t[p] ?? 0), 0)])) as Record<TimePart, number>;
  const total = TIME_PARTS.reduce((s, p) => s + totals[p], 0);
  const shares = Object.fromEntries(TIME_PARTS.map((p) => [p, total > 0 ? totals[p] / total : null])) as Record<TimePart, number | null>;
  return {
    candidates: complete.length,
    totals,
    total,
    shares,
    notTrainingShare: total > 0 ? 1 - totals.trainingMs / total : null,
    perCandidateMs: complete.length > 0 ? total / complete.length : null,
  };
}

/** Nets per hour over a span of wall time. */
export function netsPerHour(nets: number, ms: number): number | null {
  return ms > 0 ? (nets * 3_600_000) / ms : null;
}

export interface ResultsInput {
  /** readFullState(page) after the search (the parts results.json reads). */
  readonly state: {
    readonly backend: FullPageState['backend'];
    readonly search: Partial<SearchRecord> | null;
    readonly replay: readonly ReplayEntry[];
    readonly dataset: { readonly meta: Partial<DatasetMeta> } | null;
    readonly accuracyByEpsilon: FullPageState['accuracyByEpsilon'];
  };
  /** The parsed arguments, with the dataset and setup actually searched. */
  readonly args: Pick<SearchArgs, 'dataset' | 'importPath' | 'preset' | 'seed' | 'tabs' | 'backend' | 'strategy'> & { readonly configPath?: string | null };
  readonly run: {
    readonly startedAt: number;
    readonly finishedAt: number;
    readonly browser: string;
    readonly url: string;
    readonly machine: Partial<Machine>;
    readonly tabIds?: readonly (string | null)[];
  };
  /** The exported best model's files. */
  readonly model: { readonly net: string; readonly files: readonly string[]; readonly weightsBytes: number } | null;
}

/** results.json of `npm run search`. */
export function buildResults({ state, args, run, model }: ResultsInput) {
  const search = state.search ?? {};
  const config = search.config ?? {};
  const replay = state.replay;
  const quality = searchQuality(replay, state.accuracyByEpsilon.byEpsilon);
  const meta = state.dataset?.meta ?? null;
  const tabIndex = new Map((run.tabIds ?? []).map((id, i) => [id, i + 1]));
  const final = search.final;
  const nets = [...replay]
    .sort((a, b) => (a.iterations[0] ?? Infinity) - (b.iterations[0] ?? Infinity) || a.finishedAt - b.finishedAt)
    .map((e) => ({
      net: e.netString,
      status: e.status,
      iterations: e.iterations,
      epsilon: e.epsilon,
      bestValAccuracy: e.bestValAccuracy,
      finalValAccuracy: e.finalValAccuracy,
      testAccuracy: e.testAccuracy,
      valCurve: e.valCurve,
      /** Set when early stopping ended the net: the epoch, the prediction the agent learnt, the odds. */
      earlyStop: e.earlyStop ?? null,
      reward: e.reward,
      params: e.params,
      multiplyAdds: e.multiplyAdds,
      latency: e.latency,
      timings: e.timings,
      backend: e.backend,
      adapter: e.adapter,
      tab: e.trainedBy,
      tabNumber: e.trainedBy ? (tabIndex.get(e.trainedBy) ?? null) : null,
      finishedAt: e.finishedAt ? new Date(e.finishedAt).toISOString() : null,
    }));
  return {
    tool: 'metaqnn-web npm run search',
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: new Date(run.finishedAt).toISOString(),
    wallSeconds: (run.finishedAt - run.startedAt) / 1000,
    status: search.status ?? null,
    error: search.error ?? null,
    args: {
      dataset: args.dataset,
      import: args.importPath,
      preset: args.preset,
      config: args.configPath ?? null,
      seed: args.seed,
      tabs: args.tabs,
      backend: args.backend,
      strategy: args.strategy,
    },
    url: run.url,
    machine: run.machine,
    browser: run.browser,
    backend: state.backend,
    dataset: meta
      ? { id: meta.id, name: meta.name, shape: meta.shape, classes: meta.classNames?.length ?? null, counts: meta.counts, source: meta.source }
      : { id: search.datasetId ?? args.dataset },
    preset: search.presetId ?? args.preset,
    seed: search.seed ?? args.seed,
    searchId: search.id ?? null,
    config,
    summary: {
      netsTrained: replay.length,
      iterations: state.accuracyByEpsilon?.iterations ?? null,
      best: quality.best,
      bestNet: quality.bestNet,
      top5MeanValAccuracy: quality.topMean,
      meanAccuracyByEpsilon: quality.byEpsilon,
    },
    best: final
      ? {
          net: final.bestNetString,
          testAccuracy: final.bestTestAccuracy,
          validationAccuracy: replay.find((e) => e.netString === final.bestNetString)?.bestValAccuracy ?? null,
          model: model ?? null,
        }
      : null,
    ensemble: final ? { nets: final.ensembleNetStrings, testAccuracy: final.ensembleTestAccuracy } : null,
    fineTuned: search.finalProgress?.fineTuned ?? [],
    nets,
  };
}
