/**
 * What `npm run bench` runs (the sizes of each part, full or --quick) and what each part
 * hands back: the shared shapes of scripts/bench/*.ts.
 */
import type { AdapterInfo, BackendName } from '../../src/train/types';
import { BUDGET_DATASETS, BUDGET_METHODS, type BenchArgs, type BudgetMethod } from '../lib/args-bench';
import { DEFAULT_NETS } from '../lib/args-bench-train';
import type { Row } from '../lib/format';

/** What the driver lends each part. */
export interface PartContext {
  /** The built app's preview server (the train part builds a page of its own). */
  readonly baseUrl: string;
  /** A progress line on stderr. */
  readonly log: (line: string) => void;
  /** Each GPU adapter a part ran on, in the order they ran: the report names the first. */
  readonly sawAdapter: (adapter: AdapterInfo | null) => void;
}

/** A part's outcome as the report shows it: a note, a table, footnotes. */
export interface PartReport {
  readonly note: string;
  readonly table: { readonly headers: readonly string[]; readonly rows: readonly Row[] };
  readonly footnotes?: readonly string[];
  readonly epsilonTable?: { readonly headers: readonly string[]; readonly rows: readonly Row[] };
  /** More tables, each with a title (the budget part's every run). */
  readonly tables?: readonly { readonly title: string; readonly headers: readonly string[]; readonly rows: readonly Row[] }[];
  readonly error?: string;
  readonly [more: string]: unknown;
}

export interface BreakdownRun {
  readonly preset: string;
  readonly backend: BackendName;
  readonly stopAfterNets: number | undefined;
  readonly capMs: number;
  readonly projectAfterMs?: number;
  /** Issue 15's per-candidate savings; false measures the search without them (the baseline). */
  readonly savings: boolean;
}

export interface Plan {
  readonly train: { backends: BackendName[]; images: number; epochs: number; nets: string[] };
  readonly breakdown: { runs: BreakdownRun[] };
  readonly tabs: { preset: string; backends: BackendName[]; seeds: number[] };
  readonly quality: { preset: string; backend: BackendName; seeds: number[] };
  readonly strategies: { seeds: number[]; scale: number };
  readonly hub: { seeds: number[] };
  readonly budget: { minutes: number[]; datasets: string[]; backends: BackendName[]; seeds: number[]; methods: BudgetMethod[] };
}

/**
 * Sizes of each part: --quick for ~10 minutes on 2 cores with SwiftShader, full for under an
 * hour; the budget part (only when named) is the issue's full grid, about 16 hours, or --quick's
 * one 2-minute search per method (about 10 minutes), or what its options choose.
 */
export function plan(args: Pick<BenchArgs, 'quick' | 'seeds' | 'budget'>): Plan {
  const { quick, seeds } = args;
  const b = args.budget;
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
      // tiny twice, savings off then on: the same seed trains the same nets (tiny's sizes are whole batches).
      runs: [
        { preset: 'tiny', backend: 'webgpu', stopAfterNets: quick ? 6 : undefined, capMs: (quick ? 2 : 6) * 60_000, savings: false },
        { preset: 'tiny', backend: 'webgpu', stopAfterNets: quick ? 6 : undefined, capMs: (quick ? 2 : 6) * 60_000, savings: true },
        // On a CPU emulating a GPU one quick net takes hours: a minute of it gives the estimate.
        { preset: 'quick', backend: 'webgpu', stopAfterNets: quick ? 2 : 5, capMs: (quick ? 3 : 15) * 60_000, projectAfterMs: 60_000, savings: true },
      ],
    },
    // Full: on WebGPU, where every tab shares the browser's one GPU process (the limit to show);
    // --quick: on the cpu backend, which trains tiny nets fastest here.
    tabs: { preset: 'tiny', backends: [...(b.backends ?? (quick ? ['cpu'] : ['cpu', 'webgpu']))], seeds: [1] },
    // A tiny search takes seconds on the cpu backend: --quick affords more seeds of it.
    quality: { preset: quick ? 'tiny' : 'bench', backend: 'cpu', seeds: Array.from({ length: seeds ?? (quick ? 5 : 3) }, (_, i) => i + 1) },
    // Issue 16: Node only, seconds per search; the paper's schedule and ÷ 9 (300 nets), 10 seeds either way.
    strategies: { seeds: Array.from({ length: Math.max(10, seeds ?? 10) }, (_, i) => i + 1), scale: 1 / 9 },
    // Issue 17: one and two machines through a hub, cpu, tiny ×3; one seed unless --seeds.
    hub: { seeds: Array.from({ length: seeds ?? 1 }, (_, i) => i + 1) },
    // Issue 14's evidence: 5 and 15 minutes, both shipped datasets, cpu and webgpu, 3 seeds.
    budget: {
      minutes: [...(b.minutes ?? (quick ? [2] : [5, 15]))],
      datasets: [...(b.datasets ?? (quick ? ['mnist'] : BUDGET_DATASETS))],
      backends: [...(b.backends ?? (quick ? ['cpu'] : ['cpu', 'webgpu']))],
      seeds: Array.from({ length: seeds ?? (quick ? 1 : 3) }, (_, i) => i + 1),
      methods: [...(b.methods ?? BUDGET_METHODS)],
    },
  };
}
