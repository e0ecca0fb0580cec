/**
 * The results table as data: one row per net of the replay memory, and the sorting and
 * filtering the table offers. Pure, so the table's behaviour is unit-tested.
 */
import type { ConstraintSetup } from '../search/config';
import type { ReplayRecord } from '../store';

export interface ResultRow {
  readonly netString: string;
  /** The first agent iteration that sampled the net (0: unknown). */
  readonly iteration: number;
  readonly epsilon: number;
  readonly params: number;
  readonly multiplyAdds: number;
  readonly valAccuracy: number;
  /** What the agent learnt from: the validation accuracy, shaped by a latency target if one was set. */
  readonly reward: number;
  readonly testAccuracy: number | null;
  /** Forward pass of one image, ms. */
  readonly latencyMs: number | null;
  /** Build, first batch (shader compilation), training and evaluation, ms. */
  readonly trainMs: number | null;
  readonly tab: string | null;
  readonly backend: string | null;
  readonly status: ReplayRecord['status'];
  readonly source: ReplayRecord['source'];
  /** "stopped after epoch 2 (predicted 41.2%)" for a net early stopping ended; null otherwise. */
  readonly earlyStop: string | null;
}

export function resultRow(entry: ReplayRecord): ResultRow {
  const t = entry.timings;
  return {
    netString: entry.netString,
    iteration: entry.iterations[0] ?? 0,
    epsilon: entry.epsilon,
    params: entry.params,
    multiplyAdds: entry.multiplyAdds,
    valAccuracy: entry.bestValAccuracy,
    reward: entry.reward,
    testAccuracy: entry.testAccuracy,
    latencyMs: entry.latency?.batch1Ms ?? null,
    trainMs: t ? t.buildMs + t.firstBatchMs + t.trainingMs + t.evaluationMs : null,
    tab: entry.trainedBy,
    backend: entry.backend,
    status: entry.status,
    source: entry.source,
    earlyStop: entry.earlyStop
      ? `stopped after epoch ${entry.earlyStop.afterEpoch} (predicted ${(100 * entry.earlyStop.predicted).toFixed(1)}%)`
      : null,
  };
}

export const SORT_KEYS = [
  'iteration',
  'netString',
  'epsilon',
  'params',
  'multiplyAdds',
  'valAccuracy',
  'reward',
  'testAccuracy',
  'latencyMs',
  'trainMs',
  'tab',
  'backend',
  'status',
] as const satisfies readonly (keyof ResultRow)[];
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'ascending' | 'descending';

/**
 * The search's constraints in words, for the results (null when it had none). The parameter
 * cap only limits what the agent proposes; a latency target also shapes the reward.
 */
export function constraintSummary(constraints: ConstraintSetup): string | null {
  const parts: string[] = [];
  if (constraints.paramCap !== null) parts.push(`nets over ${constraints.paramCap.toLocaleString('en-US')} parameters were never proposed`);
  if (constraints.latencyTargetMs !== null) {
    parts.push(
      `the reward is the validation accuracy × (${constraints.latencyTargetMs} ms / latency)^${constraints.latencyPenalty} ` +
        `for nets slower than ${constraints.latencyTargetMs} ms per image at batch 1, the accuracy itself otherwise`,
    );
  }
  return parts.length === 0 ? null : `Constraints: ${parts.join('; ')}.`;
}

/** Rows sorted by `key`; missing values (null, iteration 0) always last, ties by iteration. */
export function sortRows(rows: readonly ResultRow[], key: SortKey, direction: SortDirection): ResultRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const missing = (row: ResultRow) => row[key] === null || (key === 'iteration' && row.iteration === 0);
  const byIteration = (a: ResultRow, b: ResultRow) => (a.iteration || Infinity) - (b.iteration || Infinity);
  return [...rows].sort((a, b) => {
    const ma = missing(a);
    const mb = missing(b);
    if (ma || mb) return ma === mb ? byIteration(a, b) : ma ? 1 : -1;
    const x = a[key]!;
    const y = b[key]!;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return order * sign || byIteration(a, b);
  });
}

export interface RowFilter {
  /** Case-insensitive text every shown net string contains, e.g. "FC(" or "C(8,3,1)". */
  readonly text: string;
  /** A replay status, or 'all'. */
  readonly status: ReplayRecord['status'] | 'all';
}

export function filterRows(rows: readonly ResultRow[], filter: RowFilter): ResultRow[] {
  const needle = filter.text.trim().toLowerCase().replace(/\s+/g, '');
  return rows.filter(
    (row) =>
      (filter.status === 'all' || row.status === filter.status) &&
      (needle === '' || row.netString.toLowerCase().replace(/\s+/g, '').includes(needle)),
  );
}

/** The best validation accuracy after each trained net, in finishing order (the best-so-far chart). */
export function bestSoFar(entries: readonly Pick<ReplayRecord, 'finishedAt' | 'bestValAccuracy'>[]): { at: number; best: number }[] {
  const sorted = [...entries].filter((e) => e.finishedAt > 0).sort((a, b) => a.finishedAt - b.finishedAt);
  let best = -Infinity;
  return sorted.map((e) => {
    best = Math.max(best, e.bestValAccuracy);
    return { at: e.finishedAt, best };
  });
}
