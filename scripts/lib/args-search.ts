/** `npm run search`: its usage text and arguments (the parser is args.ts). */
import { MAX_BUDGET_MINUTES } from '../../src/search/url-setup';
import type { PresetId } from '../../src/search/config';
import type { BackendPreference } from '../../src/train/types';
import { ArgError, BACKENDS, DATASET_ID, MAX_TABS, parseChoice, parseIntIn, parseSeed, PRESET_IDS, splitFlags, STRATEGIES, text, type Strategy } from './args';

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
  --strategy <name>  ${STRATEGIES.join(' | ')} (default q-learning; random = the random-search baseline; evolution = regularized evolution)
  --budget <min>     a time budget: the search plans its nets to end within it (default: the schedule's net count)
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
  /** A time budget in minutes (the search plans to end within it); null: the config's or none. */
  readonly budgetMinutes: number | null;
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
      budget: 'string',
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
  let budgetMinutes: number | null = null;
  const budget = text(raw, 'budget');
  if (budget !== undefined) {
    budgetMinutes = Number(budget);
    if (!/^\d+(\.\d+)?$/.test(budget) || !(budgetMinutes > 0) || budgetMinutes > MAX_BUDGET_MINUTES) {
      throw new ArgError(`--budget ${JSON.stringify(budget)}: expected minutes above 0 and at most ${MAX_BUDGET_MINUTES}`);
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
    budgetMinutes,
    rebuild: raw.rebuild === true,
  };
}
