/**
 * The budget part's figures (issue 14): one run's numbers from the page's records, the mean ±
 * stdev per method for each budget × dataset × backend, and the issue's goals judged from the
 * runs. Pure, so tests/unit/runner can check them.
 */
import type { SearchConfig } from '../../src/search/config';
import type { ReplayRecord, SearchRecord } from '../../src/store';
import type { BudgetMethod } from '../lib/args-bench';
import { pct, type Row } from '../lib/format';
import { mean, stdev } from '../lib/results';

export const METHOD_NAMES: Record<BudgetMethod, string> = {
  'q-es': 'Q-learning, early stopping',
  q: 'Q-learning, no early stopping',
  random: 'random search',
  reference: 'reference CNN',
};

/** One search (or the reference's training) and what it bought. */
export interface BudgetRun {
  readonly minutes: number;
  readonly dataset: string;
  readonly backend: string;
  readonly seed: number;
  readonly method: BudgetMethod;
  /** The search's status at the end ('done' when its final phase finished); the reference's 'done' or 'failed'. */
  readonly status: string | null;
  /** Test accuracy of the best net after the final phase (the reference: its one net). */
  readonly bestTest: number | null;
  readonly bestNet: string | null;
  /** The final phase's ensemble; null for the reference (one net). */
  readonly ensembleTest: number | null;
  /** Nets trained in the main phase (the reference: 1). */
  readonly nets: number;
  /** Nets early stopping ended. */
  readonly earlyStopped: number;
  /** Epochs trained in the main phase (every net's curve length). */
  readonly epochs: number;
  /** Epochs the early-stopped nets did not train (their planned epochs less their curves). */
  readonly epochsSaved: number;
  /** Epochs of fine-tuning in the final phase. */
  readonly finalEpochs: number;
  /** From the search's creation to its final results (the page's clock); the reference: its training. */
  readonly wallMs: number | null;
  /** The search's own budget clock (SearchRecord.clock.usedMs); null for the reference. */
  readonly clockMs: number | null;
  /** Whether the search's stored config had early stopping on (shows the setup took); null when unknown. */
  readonly earlyStoppingOn?: boolean | null;
  readonly error?: string;
}

/** A budgeted search's run, from what readFullState read of the page. */
export function searchRun(
  key: Pick<BudgetRun, 'minutes' | 'dataset' | 'backend' | 'seed' | 'method'>,
  search: SearchRecord | null,
  replay: readonly ReplayRecord[],
): BudgetRun {
  const trained = replay.filter((e) => e.source === 'trained');
  // The stored config is opaque JSON to the store; the app wrote it from a SearchConfig.
  const config = search?.config as SearchConfig | undefined;
  const planned = config?.training.epochs ?? null;
  const stopped = trained.filter((e) => e.earlyStop);
  const end = search?.final?.finishedAt ?? search?.updatedAt ?? null;
  return {
    ...key,
    status: search?.status ?? null,
    bestTest: search?.final?.bestTestAccuracy ?? null,
    bestNet: search?.final?.bestNetString ?? null,
    ensembleTest: search?.final?.ensembleTestAccuracy ?? null,
    nets: trained.length,
    earlyStopped: stopped.length,
    epochs: trained.reduce((s, e) => s + e.valCurve.length, 0),
    epochsSaved: planned === null ? 0 : stopped.reduce((s, e) => s + Math.max(0, planned - e.valCurve.length), 0),
    finalEpochs: (search?.finalProgress?.fineTuned ?? []).reduce((s, f) => s + f.epochs, 0),
    wallMs: search && end !== null ? end - search.createdAt : null,
    clockMs: search?.clock?.usedMs ?? null,
    earlyStoppingOn: config?.earlyStopping?.enabled ?? null,
  };
}

const known = (xs: readonly (number | null)[]): number[] => xs.filter((x): x is number => x !== null);
const meanSd = (xs: readonly (number | null)[]): string => {
  const ys = known(xs);
  const sd = stdev(ys);
  return ys.length === 0 ? '–' : `${pct(mean(ys))}${sd === null ? '' : ` ± ${pct(sd)}`}`;
};
const groupKey = (r: Pick<BudgetRun, 'minutes' | 'dataset' | 'backend'>): string => `${r.minutes} min · ${r.dataset} · ${r.backend}`;

/** One row per budget × dataset × backend × method: mean ± sample stdev over the seeds. */
export function summaryTable(runs: readonly BudgetRun[]): { headers: string[]; rows: Row[] } {
  const headers = ['budget · dataset · backend', 'method', 'runs', 'best net test', 'ensemble test', 'nets', 'epochs (saved)', 'wall'];
  const rows: Row[] = [];
  for (const group of [...new Set(runs.map(groupKey))]) {
    const mine = runs.filter((r) => groupKey(r) === group);
    for (const method of [...new Set(mine.map((r) => r.method))]) {
      const rs = mine.filter((r) => r.method === method);
      const ok = rs.filter((r) => r.bestTest !== null);
      rows.push([
        group,
        METHOD_NAMES[method],
        `${ok.length}/${rs.length}`,
        meanSd(rs.map((r) => r.bestTest)),
        method === 'reference' ? '–' : meanSd(rs.map((r) => r.ensembleTest)),
        mean(ok.map((r) => r.nets))?.toFixed(1) ?? '–',
        ok.length === 0 ? '–' : `${mean(ok.map((r) => r.epochs))!.toFixed(0)} (${mean(ok.map((r) => r.epochsSaved))!.toFixed(0)})`,
        ok.length === 0 ? '–' : `${(mean(known(ok.map((r) => r.wallMs)))! / 60_000).toFixed(2)} min`,
      ]);
    }
  }
  return { headers, rows };
}

/** Issue 14's accuracy goals: cpu backend, 15 minutes, the best net's test accuracy. */
export const ACCURACY_GOALS: readonly { dataset: string; atLeast: number }[] = [
  { dataset: 'mnist', atLeast: 0.97 },
  { dataset: 'fashion-mnist', atLeast: 0.87 },
];

export interface GoalLine {
  readonly goal: string;
  /** null: not run (the runs this goal needs are not in this benchmark). */
  readonly met: boolean | null;
  readonly detail: string;
}

/**
 * The goals judged from the runs: each accuracy goal on Q-learning with early stopping (every
 * seed must reach it), and the search at or above the reference CNN and random search in every
 * seed of every budget × dataset × backend where both ran (best net's test accuracy).
 */
export function goalLines(runs: readonly BudgetRun[]): GoalLine[] {
  const lines: GoalLine[] = [];
  const search = runs.filter((r) => r.method === 'q-es');
  for (const g of ACCURACY_GOALS) {
    const goal = `cpu, 15 min, ${g.dataset}: Q-learning (early stopping) best net test ≥ ${pct(g.atLeast)} in every seed`;
    const mine = search.filter((r) => r.backend === 'cpu' && r.minutes === 15 && r.dataset === g.dataset);
    if (mine.length === 0) {
      lines.push({ goal, met: null, detail: 'not run' });
      continue;
    }
    const reached = mine.filter((r) => r.bestTest !== null && r.bestTest >= g.atLeast);
    lines.push({ goal, met: reached.length === mine.length, detail: `${reached.length}/${mine.length} seeds (${mine.map((r) => `seed ${r.seed} ${pct(r.bestTest)}`).join(', ')})` });
  }
  for (const other of ['reference', 'random'] as const) {
    const goal = `Q-learning (early stopping) ≥ ${METHOD_NAMES[other]} in every seed (best net test)`;
    const pairs = search.flatMap((s) => {
      const o = runs.find((r) => r.method === other && groupKey(r) === groupKey(s) && r.seed === s.seed);
      return o ? [{ s, o }] : [];
    });
    if (pairs.length === 0) {
      lines.push({ goal, met: null, detail: 'not run' });
      continue;
    }
    // A seed where the other method has no result compares nothing; one where only the search has none is behind.
    const comparable = pairs.filter(({ o }) => o.bestTest !== null);
    if (comparable.length === 0) {
      lines.push({ goal, met: null, detail: `no seed where ${METHOD_NAMES[other]} has a result` });
      continue;
    }
    const atOrAbove = comparable.filter(({ s, o }) => s.bestTest !== null && s.bestTest >= o.bestTest!);
    const behind = comparable.filter((p) => !atOrAbove.includes(p)).map(({ s, o }) => `${groupKey(s)} seed ${s.seed}: ${s.bestTest === null ? 'no result' : pct(s.bestTest)} < ${pct(o.bestTest)}`);
    lines.push({ goal, met: atOrAbove.length === comparable.length, detail: `${atOrAbove.length}/${comparable.length} seeds${behind.length ? `; behind: ${behind.join('; ')}` : ''}` });
  }
  return lines;
}

/** Every run, one row each. */
export function runsTable(runs: readonly BudgetRun[]): { headers: string[]; rows: Row[] } {
  const headers = ['budget', 'dataset', 'backend', 'method', 'seed', 'status', 'best net test', 'ensemble test', 'nets (stopped early)', 'epochs (saved, final)', 'wall', 'search clock'];
  const minutes = (ms: number | null): string => (ms === null ? '–' : `${(ms / 60_000).toFixed(2)} min`);
  const rows = runs.map((r) => [
    `${r.minutes} min`,
    r.dataset,
    r.backend,
    r.method,
    r.seed,
    r.error ? `error: ${r.error}` : r.status,
    pct(r.bestTest),
    pct(r.ensembleTest),
    `${r.nets} (${r.earlyStopped})`,
    `${r.epochs} (${r.epochsSaved}, ${r.finalEpochs})`,
    minutes(r.wallMs),
    minutes(r.clockMs),
  ]);
  return { headers, rows };
}
