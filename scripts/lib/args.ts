/**
 * Command-line arguments of every script (`npm run search`, `npm run bench`, bench-train,
 * screenshots): one parser, by hand rather than node:util parseArgs so every mistake gets a
 * message that names the flag, the value and what was expected. Pure: no I/O, so
 * tests/unit/runner can check every message. Preset ids come from the app's own list.
 */
import { PRESET_IDS, type PresetId, type SearchConfig } from '../../src/search/config';
import type { BackendPreference } from '../../src/train/types';

export class ArgError extends Error {
  override name = 'ArgError';
}

export { PRESET_IDS };

/**
 * The trainer's backend choices (src/train/types.ts BackendPreference), in the order the usage
 * texts show them. A record so the compiler refuses a list that misses or invents one.
 */
const BACKEND_CHOICES: Record<BackendPreference, true> = { webgpu: true, webgl: true, cpu: true, auto: true };
export const BACKENDS = Object.keys(BACKEND_CHOICES) as BackendPreference[];
type Strategy = SearchConfig['strategy'];
const STRATEGY_CHOICES: Record<Strategy, true> = { 'q-learning': true, random: true };
export const STRATEGIES = Object.keys(STRATEGY_CHOICES) as Strategy[];
/** The URL setup's dataset id rule (src/search/url-setup.ts). */
const DATASET_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
/** Tabs share one machine's cores; past this a search only gets slower. */
export const MAX_TABS = 8;

type FlagKind = 'string' | 'boolean';
export type FlagSpec = Record<string, FlagKind>;
export type RawFlags = Partial<Record<string, string | true>>;

/**
 * Splits argv into flag → raw value by a spec of `{ name: 'string' | 'boolean' }`.
 * Accepts `--name value` and `--name=value`; refuses unknown flags, a flag given twice,
 * a missing value and stray positional words.
 * @param aliases short form → long name, e.g. { h: 'help' }
 */
export function splitFlags(argv: readonly string[], spec: FlagSpec, aliases: Record<string, string> = {}): RawFlags {
  const out: RawFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    let name: string;
    let inline: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      inline = eq === -1 ? undefined : word.slice(eq + 1);
    } else if (/^-[a-z]$/i.test(word) && aliases[word.slice(1)]) {
      name = aliases[word.slice(1)]!;
    } else {
      throw new ArgError(`unexpected argument ${JSON.stringify(word)} (position ${i + 1}): every option is a --flag`);
    }
    const kind = spec[name];
    if (kind === undefined) {
      const known = Object.keys(spec).map((n) => `--${n}`);
      const near = closest(name, Object.keys(spec));
      throw new ArgError(`unknown option --${name}${near ? ` (did you mean --${near}?)` : ''}; known options: ${known.join(', ')}`);
    }
    if (Object.hasOwn(out, name)) throw new ArgError(`option --${name} is given twice`);
    if (kind === 'boolean') {
      if (inline !== undefined) throw new ArgError(`option --${name} takes no value (found --${name}=${inline})`);
      out[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ArgError(`option --${name} needs a value`);
      value = next;
      i++;
    }
    if (value === '') throw new ArgError(`option --${name} needs a value (found an empty string)`);
    out[name] = value;
  }
  return out;
}

/** The known name within edit distance 2 of `name`, for "did you mean". */
function closest(name: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** A string flag's value (the spec guarantees strings for string flags). */
function text(raw: RawFlags, name: string): string | undefined {
  const value = raw[name];
  return typeof value === 'string' ? value : undefined;
}

/** A uint32 seed, as the URL setup accepts it. */
export function parseSeed(value: string, flag = '--seed'): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) {
    throw new ArgError(`${flag} ${JSON.stringify(value)}: expected an integer from 0 to 4294967295`);
  }
  return n;
}

export function parseIntIn(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ArgError(`${flag} ${JSON.stringify(value)}: expected an integer from ${min} to ${max}`);
  return n;
}

export function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new ArgError(`${flag} ${JSON.stringify(value)}: expected one of ${choices.join(', ')}`);
  return value as T;
}

export const SEARCH_USAGE = `Usage: npm run search -- --out <dir> (--dataset <id> | --import <file or folder> | --config <file>) [options]

Runs a MetaQNN search in headless Chromium (WebGPU) on the built app and writes
results.json, replay_database.csv and the best model (best-model/model.json + model.weights.bin) to <dir>.

  --dataset <id>     a dataset the app lists (shipped: mnist, fashion-mnist; or one imported before)
  --import <path>    import a dataset from local files first (a file, or a folder of files)
  --preset <id>      ${PRESET_IDS.join(' | ')} (default tiny)
  --config <file>    the whole search from a file instead of a preset: search space, ε schedule,
                     training, data, constraints, final phase. The app's search archive
                     (.zip, or its search.json), a results.json of this runner, or the bare
                     config object; its dataset and seed unless --dataset/--import/--seed say otherwise
  --seed <n>         integer 0..4294967295 (default 1)
  --out <dir>        where the results go (created if missing)
  --tabs <n>         pages in one browser context sharing the search (1..${MAX_TABS}, default 1)
  --backend <name>   ${BACKENDS.join(' | ')} (default auto); anything but auto must be the one that runs
  --strategy <name>  ${STRATEGIES.join(' | ')} (default q-learning; random = the random-search baseline)
  --timeout <min>    give up after this many minutes (default: no limit)
  --rebuild          run npm run build even if dist/ exists
  --help             this text

Environment: CHROMIUM_PATH (default /usr/bin/chromium).
Exit status: 0 search done; 1 search failed or timed out; 2 bad arguments or config file; 3 no browser or backend; 4 import failed.`;

export interface SearchArgs {
  readonly help: false;
  readonly dataset: string | null;
  readonly importPath: string | null;
  /** The preset; null with --config. */
  readonly preset: PresetId | null;
  readonly configPath: string | null;
  /** null: the config file's seed (or 1 without a file). */
  readonly seed: number | null;
  readonly out: string;
  readonly tabs: number;
  readonly backend: BackendPreference;
  /** null: the config file's strategy (or q-learning without a file). */
  readonly strategy: Strategy | null;
  readonly timeoutMinutes: number | null;
  readonly rebuild: boolean;
}

/** `npm run search` arguments (process.argv.slice(2)). */
export function parseSearchArgs(argv: readonly string[]): SearchArgs | { help: true } {
  const raw = splitFlags(
    argv,
    {
      dataset: 'string',
      import: 'string',
      preset: 'string',
      config: 'string',
      seed: 'string',
      out: 'string',
      tabs: 'string',
      backend: 'string',
      strategy: 'string',
      timeout: 'string',
      rebuild: 'boolean',
      help: 'boolean',
    },
    { h: 'help' },
  );
  if (raw.help) return { help: true };
  const dataset = text(raw, 'dataset');
  const importPath = text(raw, 'import');
  const configPath = text(raw, 'config');
  const preset = text(raw, 'preset');
  if (dataset !== undefined && importPath !== undefined) {
    throw new ArgError('--dataset and --import both name the dataset: give one (the imported dataset is searched)');
  }
  if (configPath !== undefined && preset !== undefined) {
    throw new ArgError('--config and --preset both describe the search: give one (the file holds the whole setup)');
  }
  if (dataset === undefined && importPath === undefined && configPath === undefined) {
    throw new ArgError('missing --dataset <id> (or --import <path>, or --config <file> naming its dataset)');
  }
  if (dataset !== undefined && !DATASET_ID.test(dataset)) {
    throw new ArgError(`--dataset ${JSON.stringify(dataset)}: expected a dataset id (letters, digits, . _ -, at most 64)`);
  }
  const out = text(raw, 'out');
  if (out === undefined) throw new ArgError('missing --out <dir>: where results.json, the replay CSV and the model go');
  let timeoutMinutes: number | null = null;
  const timeout = text(raw, 'timeout');
  if (timeout !== undefined) {
    timeoutMinutes = Number(timeout);
    if (!/^\d+(\.\d+)?$/.test(timeout) || !(timeoutMinutes > 0)) {
      throw new ArgError(`--timeout ${JSON.stringify(timeout)}: expected a positive number of minutes`);
    }
  }
  const seed = text(raw, 'seed');
  const tabs = text(raw, 'tabs');
  const backend = text(raw, 'backend');
  const strategy = text(raw, 'strategy');
  const fromFile = configPath !== undefined;
  return {
    help: false,
    dataset: dataset ?? null,
    importPath: importPath ?? null,
    preset: preset !== undefined ? parseChoice(preset, '--preset', PRESET_IDS) : fromFile ? null : 'tiny',
    configPath: configPath ?? null,
    seed: seed !== undefined ? parseSeed(seed) : fromFile ? null : 1,
    out,
    tabs: tabs === undefined ? 1 : parseIntIn(tabs, '--tabs', 1, MAX_TABS),
    backend: backend === undefined ? 'auto' : parseChoice(backend, '--backend', BACKENDS),
    strategy: strategy !== undefined ? parseChoice(strategy, '--strategy', STRATEGIES) : fromFile ? null : 'q-learning',
    timeoutMinutes,
    rebuild: raw.rebuild === true,
  };
}

/** Benchmark parts by number (the issue's order). */
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

export const TRAIN_ORDERS = ['trainer-first', 'fit-first', 'alternate'] as const;
export type TrainOrder = (typeof TRAIN_ORDERS)[number];

/** Two small nets and the first again (its shaders compiled: the steady state). */
export const DEFAULT_NETS = [
  '[C(8,3,1), P(2,2), SM(4)]',
  '[C(16,3,1), P(2,2), C(16,3,1), P(2,2), FC(32), SM(4)]',
  '[C(8,3,1), P(2,2), SM(4)]',
];

export const TRAIN_USAGE = `Usage: npm run bench:train-one -- [options]   the trainer against plain model.fit on one backend, in headless Chromium

  --backend <name>  ${BACKENDS.join(' | ')} (default webgpu); anything but auto must be the one that runs
  --images <n>      training images (default 256)      --side <n>    image side in pixels (default 28)
  --epochs <n>      (default 1)                        --batch <n>   batch size (default 64)
  --nets "A;B"      net strings separated by ; (default: ${DEFAULT_NETS.length} small nets)
  --no-baseline     skip model.fit
  --order <o>       ${TRAIN_ORDERS.join(' | ')} (default alternate: the baseline goes first on odd nets)
  --out <file>      also write the JSON report here
  --timeout <s>     seconds before giving up (default 540)
  --help            this text

(npm run bench:train runs this on every backend and writes bench/results/latest-train.md.)`;

export interface TrainArgs {
  readonly help: false;
  readonly backend: BackendPreference;
  readonly side: number;
  readonly images: number;
  readonly epochs: number;
  readonly batch: number;
  readonly nets: readonly string[];
  readonly baseline: boolean;
  readonly order: TrainOrder;
  readonly out: string | null;
  readonly timeoutS: number;
}

/** `npm run bench:train-one` arguments. */
export function parseTrainArgs(argv: readonly string[]): TrainArgs | { help: true } {
  const raw = splitFlags(
    argv,
    {
      backend: 'string',
      side: 'string',
      images: 'string',
      epochs: 'string',
      batch: 'string',
      nets: 'string',
      'no-baseline': 'boolean',
      order: 'string',
      out: 'string',
      timeout: 'string',
      help: 'boolean',
    },
    { h: 'help' },
  );
  if (raw.help) return { help: true };
  const int = (name: string, fallback: number, max: number): number => {
    const value = text(raw, name);
    return value === undefined ? fallback : parseIntIn(value, `--${name}`, 1, max);
  };
  const backend = text(raw, 'backend');
  const order = text(raw, 'order');
  const nets = text(raw, 'nets');
  const list = nets === undefined ? DEFAULT_NETS : nets.split(';').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new ArgError(`--nets ${JSON.stringify(nets)}: expected net strings separated by ;`);
  return {
    help: false,
    backend: backend === undefined ? 'webgpu' : parseChoice(backend, '--backend', BACKENDS),
    side: int('side', 28, 512),
    images: int('images', 256, 1_000_000),
    epochs: int('epochs', 1, 1000),
    batch: int('batch', 64, 65_536),
    nets: list,
    baseline: raw['no-baseline'] !== true,
    order: order === undefined ? 'alternate' : parseChoice(order, '--order', TRAIN_ORDERS),
    out: text(raw, 'out') ?? null,
    timeoutS: int('timeout', 540, 86_400),
  };
}

export const SCREENSHOTS_USAGE = `Usage: npm run screenshots -- [--backend ${BACKENDS.filter((b) => b !== 'auto').join('|')}]   (default cpu)

Takes the README's screenshots from the built app (a tiny search) into docs/screenshots/.`;

/** `npm run screenshots` arguments. */
export function parseScreenshotArgs(argv: readonly string[]): { help: false; backend: BackendPreference } | { help: true } {
  const raw = splitFlags(argv, { backend: 'string', help: 'boolean' }, { h: 'help' });
  if (raw.help) return { help: true };
  const backend = text(raw, 'backend');
  // The cpu backend by default: the screens look the same and the search ends in seconds here.
  return { help: false, backend: backend === undefined ? 'cpu' : parseChoice(backend, '--backend', BACKENDS) };
}
