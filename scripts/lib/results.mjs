/**
 * What the runner concludes from a search's records: results.json, the best nets, the
 * per-ε means, and where a candidate's time went. Pure functions of the page's records
 * (ReplayRecord, SearchRecord: src/store/records.ts) so tests/unit/runner can check them.
 */
/** Entries that trained (not 'too-large' or 'failed'), best validation accuracy first, then net string. */
export function rankEntries(replay) {
  return replay
    .filter((e) => e.status === 'ok' || e.status === 'failed-to-learn')
    .sort((a, b) => b.bestValAccuracy - a.bestValAccuracy || a.netString.localeCompare(b.netString));
}

export function mean(xs) {
  return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample standard deviation; null below two values. */
export function stdev(xs) {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * One search's quality: best and top-k mean validation accuracy over the nets it trained,
 * with the mean accuracy of the nets sampled at each ε (paper Figure 3, repeats counted) as
 * the page computed it (`AppState.accuracyByEpsilon().byEpsilon`, read by `readState`).
 */
export function searchQuality(replay, byEpsilon = [], top = 5) {
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
export function mergeByEpsilon(tables) {
  const groups = new Map();
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

/** Timed forward passes per batch size in the trainer's latency measurement (src/train/config.ts DEFAULT_TRAIN_CONFIG.latencyRepeats; the search does not change it). */
export const LATENCY_REPEATS = 3;

/**
 * Time the trainer spent measuring forward latency, from what it measured: a warm-up pass
 * and LATENCY_REPEATS timed passes at batch 1 and at the large batch (src/train/evaluate.ts
 * measureLatency). An estimate: the warm-up of a new shape can take longer than a timed pass.
 */
export function latencyMeasurementMs(latency, repeats = LATENCY_REPEATS) {
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
export function candidateTimes(replay, starts) {
  const trained = replay.filter((e) => e.timings).sort((a, b) => a.finishedAt - b.finishedAt);
  return trained.map((entry, i) => {
    const t = entry.timings;
    const worker = t.buildMs + t.firstBatchMs + t.trainingMs + t.evaluationMs;
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
      firstBatchMs: t.firstBatchMs,
      trainingMs: t.trainingMs,
      evaluationMs: t.evaluationMs,
      latencyMs,
      otherWorkerMs: rest === null ? null : rest - latencyMs,
      betweenMs: nextStart === null ? null : Math.max(0, nextStart - entry.finishedAt),
      wallMs,
    };
  });
}

export const TIME_PARTS = ['buildMs', 'firstBatchMs', 'trainingMs', 'evaluationMs', 'latencyMs', 'otherWorkerMs', 'betweenMs'];

export function median(xs) {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The dataset upload, estimated: the first job's unexplained time beyond the others' median. */
export function uploadEstimateMs(times) {
  const first = times.find((t) => t.first)?.otherWorkerMs ?? null;
  const rest = median(times.filter((t) => !t.first && t.otherWorkerMs !== null).map((t) => t.otherWorkerMs));
  return first === null || rest === null ? null : Math.max(0, first - rest);
}

/**
 * Totals of candidateTimes over the candidates where every part is known, with each part's
 * share and the share that is not training steps (everything but `trainingMs`).
 */
export function timeBreakdown(times) {
  const complete = times.filter((t) => TIME_PARTS.every((p) => typeof t[p] === 'number'));
  const totals = Object.fromEntries(TIME_PARTS.map((p) => [p, complete.reduce((s, t) => s + t[p], 0)]));
  const total = TIME_PARTS.reduce((s, p) => s + totals[p], 0);
  const shares = Object.fromEntries(TIME_PARTS.map((p) => [p, total > 0 ? totals[p] / total : null]));
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
export function netsPerHour(nets, ms) {
  return ms > 0 ? (nets * 3_600_000) / ms : null;
}

/**
 * results.json of `npm run search`.
 * @param {object} input
 * @param {object} input.state readState(page, { full: true }) after the search
 * @param {object} input.args the parsed arguments
 * @param {object} input.run { startedAt, finishedAt (ms), browser, url, tabs, machine }
 * @param {object | null} input.model { netString, files } of the exported best model
 */
export function buildResults({ state, args, run, model }) {
  const search = state.search ?? {};
  const config = search.config ?? {};
  const replay = state.replay ?? [];
  const quality = searchQuality(replay, state.accuracyByEpsilon?.byEpsilon ?? []);
  const meta = state.dataset?.meta ?? null;
  const tabIndex = new Map((run.tabIds ?? []).map((id, i) => [id, i + 1]));
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
    best: search.final
      ? {
          net: search.final.bestNetString,
          testAccuracy: search.final.bestTestAccuracy,
          validationAccuracy: replay.find((e) => e.netString === search.final.bestNetString)?.bestValAccuracy ?? null,
          model: model ?? null,
        }
      : null,
    ensemble: search.final ? { nets: search.final.ensembleNetStrings, testAccuracy: search.final.ensembleTestAccuracy } : null,
    fineTuned: search.finalProgress?.fineTuned ?? [],
    nets,
  };
}
