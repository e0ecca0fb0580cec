/** `npm run bench`: its parts, usage text and arguments (the parser is args.ts). */
import { MAX_BUDGET_MINUTES } from '../../src/search/url-setup';
import type { BackendName } from '../../src/train/types';
import { ArgError, parseIntIn, splitFlags, text } from './args';

/** The standard run's parts by number (the order): what runs without --parts. */
export const BENCH_PARTS = ['train', 'breakdown', 'tabs', 'quality', 'strategies'] as const;
/** Parts that need no browser (no build, no preview server). */
export const NODE_PARTS: readonly BenchPart[] = ['strategies', 'hub-pass'];
/** Parts run only when named: the budget part takes hours (issue 14: about 16 in full); hub and hub-pass: issue 17. */
export const EXTRA_PARTS = ['budget', 'hub', 'hub-pass'] as const;
export const ALL_PARTS = [...BENCH_PARTS, ...EXTRA_PARTS] as const;
export type BenchPart = (typeof ALL_PARTS)[number];

/** What the budget part compares (issue 14): Q-learning with and without early stopping, random search, a fixed CNN. */
export const BUDGET_METHODS = ['q-es', 'q', 'random', 'reference'] as const;
export type BudgetMethod = (typeof BUDGET_METHODS)[number];
/** The shipped datasets: the reference CNN trains on the same files the app ships. */
export const BUDGET_DATASETS = ['mnist', 'fashion-mnist'] as const;
export const BUDGET_BACKENDS: readonly BackendName[] = ['cpu', 'webgpu', 'webgl'];

export const BENCH_USAGE = `Usage: npm run bench -- [--quick] [--parts ${ALL_PARTS.join(',')}] [--seeds <n>] [--out <dir>]
                      [--minutes <list>] [--datasets <list>] [--backends <list>] [--methods <list>]

  --quick          the short run (about 10 minutes on 2 cores); default: the full run (under an hour)
  --parts <list>   which parts, comma-separated: ${ALL_PARTS.join(', ')}
                   (default ${BENCH_PARTS.join(', ')}; budget, hub and hub-pass run only when named)
  --seeds <n>      seeds per strategy (quality: 3..20, default 3, 5 with --quick;
                   budget: 1..20, default 3, 1 with --quick; strategies: at least 10)
  --out <dir>      where the JSON and latest.md go (default bench/results; a run of some
                   parts writes latest-<parts>.md instead)
  --help           this text

The strategies part (issue 16) runs in Node, no browser: the real strategies on an accuracy
oracle fitted on the authors' replay file, the paper's 2,700-net schedule and 300 nets.

The hub part (issue 17) shares one search through a hub by one and by two browser contexts
(machines) on the cpu backend: nets per hour and the hub's traffic per net. The hub-pass part
times the bridge's pass with the authors' 1,843 nets in the replay, in Node (seconds).

The budget part (issue 14), one search per budget × dataset × backend × seed × method:
  --minutes <list>   time budgets in minutes (default 5,15; --quick 2)
  --datasets <list>  ${BUDGET_DATASETS.join(', ')} (default both; --quick mnist)
  --backends <list>  ${BUDGET_BACKENDS.join(', ')} (default cpu,webgpu; --quick cpu); also the tabs part's
  --methods <list>   q-es (Q-learning, early stopping), q (without), random, reference
                     (a fixed CNN for the same minutes) (default all)

npm run bench:train is --parts train. For one backend, your own nets or sizes:
npm run bench:train-one -- --help`;

/** The budget part's choices; null = the plan's default (full or --quick). */
export interface BudgetChoices {
  readonly minutes: readonly number[] | null;
  readonly datasets: readonly string[] | null;
  readonly backends: readonly BackendName[] | null;
  readonly methods: readonly BudgetMethod[] | null;
}

export interface BenchArgs {
  readonly help: false;
  readonly quick: boolean;
  readonly parts: readonly BenchPart[];
  readonly seeds: number | null;
  readonly out: string;
  readonly budget: BudgetChoices;
}

/** A comma-separated list of choices, each checked, in the order given, without repeats. */
function parseList<T extends string>(value: string, flag: string, choices: readonly T[]): T[] {
  const chosen = value.split(',').map((x) => x.trim());
  for (const item of chosen) {
    if (!(choices as readonly string[]).includes(item)) throw new ArgError(`${flag}: unknown value ${JSON.stringify(item)}; expected some of ${choices.join(', ')}`);
  }
  return [...new Set(chosen)] as T[];
}

/** Minutes as the URL's `budget=` takes them (src/search/url-setup.ts): above 0, at most a week. */
function parseMinutes(value: string): number[] {
  const out = value.split(',').map((x) => {
    const item = x.trim();
    const minutes = Number(item);
    if (!/^\d+(\.\d+)?$/.test(item) || !(minutes > 0) || minutes > MAX_BUDGET_MINUTES) {
      throw new ArgError(`--minutes: ${JSON.stringify(item)} is not a budget; expected minutes above 0 and at most ${MAX_BUDGET_MINUTES}`);
    }
    return minutes;
  });
  return [...new Set(out)];
}

/** `npm run bench` arguments. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs | { help: true } {
  const raw = splitFlags(
    argv,
    { quick: 'boolean', parts: 'string', seeds: 'string', out: 'string', minutes: 'string', datasets: 'string', backends: 'string', methods: 'string', help: 'boolean' },
    { h: 'help' },
  );
  if (raw.help) return { help: true };
  let parts: readonly BenchPart[] = BENCH_PARTS;
  const list = text(raw, 'parts');
  if (list !== undefined) {
    const chosen = list.split(',').map((p) => p.trim());
    for (const part of chosen) {
      if (!(ALL_PARTS as readonly string[]).includes(part)) {
        throw new ArgError(`--parts: unknown part ${JSON.stringify(part)}; expected some of ${ALL_PARTS.join(', ')}`);
      }
    }
    parts = ALL_PARTS.filter((p) => chosen.includes(p));
  }
  // --backends also picks the tabs part's backends.
  const budgetFlags = ['minutes', 'datasets', 'backends', 'methods'].filter((f) => raw[f] !== undefined && !(f === 'backends' && parts.includes('tabs')));
  if (budgetFlags.length > 0 && !parts.includes('budget')) {
    throw new ArgError(`--${budgetFlags[0]} applies to the budget part only; add --parts budget (the parts chosen: ${parts.join(', ')})`);
  }
  const seedsText = text(raw, 'seeds');
  let seeds: number | null = null;
  if (seedsText !== undefined) {
    // The quality part's mean ± stdev needs a few searches; the budget part can run one.
    seeds = parts.includes('quality') ? parseIntIn(seedsText, '--seeds', 3, 20) : parseIntIn(seedsText, '--seeds', 1, 20);
  }
  const minutes = text(raw, 'minutes');
  const datasets = text(raw, 'datasets');
  const backends = text(raw, 'backends');
  const methods = text(raw, 'methods');
  return {
    help: false,
    quick: raw.quick === true,
    parts,
    seeds,
    out: text(raw, 'out') ?? 'bench/results',
    budget: {
      minutes: minutes === undefined ? null : parseMinutes(minutes),
      datasets: datasets === undefined ? null : parseList(datasets, '--datasets', BUDGET_DATASETS),
      backends: backends === undefined ? null : parseList(backends, '--backends', BUDGET_BACKENDS),
      methods: methods === undefined ? null : parseList(methods, '--methods', BUDGET_METHODS),
    },
  };
}
