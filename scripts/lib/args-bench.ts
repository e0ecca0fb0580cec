/** `npm run bench`: its parts, usage text and arguments (the parser is args.ts). */
import { ArgError, parseIntIn, splitFlags, text } from './args';

/** Benchmark parts by number (the order). */
export const BENCH_PARTS = ['train', 'breakdown', 'tabs', 'quality'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

export const BENCH_USAGE = `Usage: npm run bench -- [--quick] [--parts ${BENCH_PARTS.join(',')}] [--seeds <n>] [--out <dir>]

  --quick          the short run (about 10 minutes on 2 cores); default: the full run (under an hour)
  --parts <list>   which parts, comma-separated: ${BENCH_PARTS.join(', ')} (default all)
  --seeds <n>      seeds per strategy in the search-quality part (3..20; default 3, 5 with --quick)
  --out <dir>      where the JSON and latest.md go (default bench/results; a run of some
                   parts writes latest-<parts>.md instead)
  --help           this text

npm run bench:train is --parts train. For one backend, your own nets or sizes:
npm run bench:train-one -- --help`;

export interface BenchArgs {
  readonly help: false;
  readonly quick: boolean;
  readonly parts: readonly BenchPart[];
  readonly seeds: number | null;
  readonly out: string;
}

/** `npm run bench` arguments. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs | { help: true } {
  const raw = splitFlags(argv, { quick: 'boolean', parts: 'string', seeds: 'string', out: 'string', help: 'boolean' }, { h: 'help' });
  if (raw.help) return { help: true };
  let parts: readonly BenchPart[] = BENCH_PARTS;
  const list = text(raw, 'parts');
  if (list !== undefined) {
    const chosen = list.split(',').map((p) => p.trim());
    for (const part of chosen) {
      if (!(BENCH_PARTS as readonly string[]).includes(part)) {
        throw new ArgError(`--parts: unknown part ${JSON.stringify(part)}; expected some of ${BENCH_PARTS.join(', ')}`);
      }
    }
    parts = BENCH_PARTS.filter((p) => chosen.includes(p));
  }
  const seeds = text(raw, 'seeds');
  return {
    help: false,
    quick: raw.quick === true,
    parts,
    seeds: seeds === undefined ? null : parseIntIn(seeds, '--seeds', 3, 20),
    out: text(raw, 'out') ?? 'bench/results',
  };
}
