/**
 * Command-line arguments of `npm run search` and `npm run bench`: parsed by hand rather than
 * with node:util parseArgs so every mistake gets a message that names the flag, the value
 * and what was expected. Pure: no I/O, so tests/unit/runner can check every message.
 */

export class ArgError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'ArgError';
  }
}

/** Mirrors src/search/config.ts PRESET_IDS (a unit test keeps the two equal). */
export const PRESET_IDS = ['tiny', 'quick', 'paper', 'bench'];
/** Mirrors the URL setup's `backend` values (src/search/url-setup.ts). */
export const BACKENDS = ['webgpu', 'webgl', 'cpu', 'auto'];
export const STRATEGIES = ['q-learning', 'random'];
/** The URL setup's dataset id rule (src/search/url-setup.ts). */
const DATASET_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
/** Tabs share one machine's cores; past this a search only gets slower. */
export const MAX_TABS = 8;

/**
 * Splits argv into flag → raw value by a spec of `{ name: 'string' | 'boolean' }`.
 * Accepts `--name value` and `--name=value`; refuses unknown flags, a flag given twice,
 * a missing value and stray positional words.
 * @param {readonly string[]} argv
 * @param {Record<string, 'string' | 'boolean'>} spec
 * @param {Record<string, string>} [aliases] short form → long name, e.g. { h: 'help' }
 * @returns {Record<string, string | true>}
 */
export function splitFlags(argv, spec, aliases = {}) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    let name;
    let inline;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      inline = eq === -1 ? undefined : word.slice(eq + 1);
    } else if (/^-[a-z]$/i.test(word) && aliases[word.slice(1)]) {
      name = aliases[word.slice(1)];
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
function closest(name, names) {
  let best = null;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** A uint32 seed, as the URL setup accepts it. */
export function parseSeed(text, flag = '--seed') {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) {
    throw new ArgError(`${flag} ${JSON.stringify(text)}: expected an integer from 0 to 4294967295`);
  }
  return n;
}

function parseIntIn(text, flag, min, max) {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new ArgError(`${flag} ${JSON.stringify(text)}: expected an integer from ${min} to ${max}`);
  return n;
}

function parseChoice(text, flag, choices) {
  if (!choices.includes(text)) throw new ArgError(`${flag} ${JSON.stringify(text)}: expected one of ${choices.join(', ')}`);
  return text;
}

export const SEARCH_USAGE = `Usage: npm run search -- --out <dir> (--dataset <id> | --import <file or folder>) [options]

Runs a MetaQNN search in headless Chromium (WebGPU) on the built app and writes
results.json, replay_database.csv and the best model (best-model/model.json + model.weights.bin) to <dir>.

  --dataset <id>     a dataset the app lists (shipped: mnist, fashion-mnist; or one imported before)
  --import <path>    import a dataset from local files first (a file, or a folder of files)
  --preset <id>      ${PRESET_IDS.join(' | ')} (default tiny)
  --seed <n>         integer 0..4294967295 (default 1)
  --out <dir>        where the results go (created if missing)
  --tabs <n>         pages in one browser context sharing the search (1..${MAX_TABS}, default 1)
  --backend <name>   ${BACKENDS.join(' | ')} (default auto); anything but auto must be the one that runs
  --strategy <name>  ${STRATEGIES.join(' | ')} (default q-learning; random = the random-search baseline)
  --timeout <min>    give up after this many minutes (default: no limit)
  --rebuild          run npm run build even if dist/ exists
  --help             this text

Environment: CHROMIUM_PATH (default /usr/bin/chromium).
Exit status: 0 search done; 1 search failed or timed out; 2 bad arguments; 3 no browser or backend; 4 import failed.`;

/**
 * `npm run search` arguments.
 * @param {readonly string[]} argv process.argv.slice(2)
 */
export function parseSearchArgs(argv) {
  const raw = splitFlags(
    argv,
    {
      dataset: 'string',
      import: 'string',
      preset: 'string',
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
  if (raw.dataset !== undefined && raw.import !== undefined) {
    throw new ArgError('--dataset and --import both name the dataset: give one (the imported dataset is searched)');
  }
  if (raw.dataset === undefined && raw.import === undefined) throw new ArgError('missing --dataset <id> (or --import <path>)');
  if (raw.dataset !== undefined && !DATASET_ID.test(raw.dataset)) {
    throw new ArgError(`--dataset ${JSON.stringify(raw.dataset)}: expected a dataset id (letters, digits, . _ -, at most 64)`);
  }
  if (raw.out === undefined) throw new ArgError('missing --out <dir>: where results.json, the replay CSV and the model go');
  let timeoutMinutes = null;
  if (raw.timeout !== undefined) {
    timeoutMinutes = Number(raw.timeout);
    if (!/^\d+(\.\d+)?$/.test(raw.timeout) || !(timeoutMinutes > 0)) {
      throw new ArgError(`--timeout ${JSON.stringify(raw.timeout)}: expected a positive number of minutes`);
    }
  }
  return {
    help: false,
    dataset: raw.dataset ?? null,
    importPath: raw.import ?? null,
    preset: raw.preset === undefined ? 'tiny' : parseChoice(raw.preset, '--preset', PRESET_IDS),
    seed: raw.seed === undefined ? 1 : parseSeed(raw.seed),
    out: raw.out,
    tabs: raw.tabs === undefined ? 1 : parseIntIn(raw.tabs, '--tabs', 1, MAX_TABS),
    backend: raw.backend === undefined ? 'auto' : parseChoice(raw.backend, '--backend', BACKENDS),
    strategy: raw.strategy === undefined ? 'q-learning' : parseChoice(raw.strategy, '--strategy', STRATEGIES),
    timeoutMinutes,
    rebuild: raw.rebuild === true,
  };
}

/** Benchmark parts by number (the issue's order). */
export const BENCH_PARTS = ['train', 'breakdown', 'tabs', 'quality'];

export const BENCH_USAGE = `Usage: npm run bench -- [--quick] [--parts ${BENCH_PARTS.join(',')}] [--seeds <n>] [--out <dir>]

  --quick          the short run (about 10 minutes on 2 cores); default: the full run (under an hour)
  --parts <list>   which parts, comma-separated: ${BENCH_PARTS.join(', ')} (default all)
  --seeds <n>      seeds per strategy in the search-quality part (3..20; default 3, 5 with --quick)
  --out <dir>      where the JSON and latest.md go (default bench/results; a run of some
                   parts writes latest-<parts>.md instead)
  --help           this text`;

/** `npm run bench` arguments. */
export function parseBenchArgs(argv) {
  const raw = splitFlags(argv, { quick: 'boolean', parts: 'string', seeds: 'string', out: 'string', help: 'boolean' }, { h: 'help' });
  if (raw.help) return { help: true };
  let parts = BENCH_PARTS;
  if (raw.parts !== undefined) {
    parts = raw.parts.split(',').map((p) => p.trim());
    for (const part of parts) {
      if (!BENCH_PARTS.includes(part)) throw new ArgError(`--parts: unknown part ${JSON.stringify(part)}; expected some of ${BENCH_PARTS.join(', ')}`);
    }
    parts = BENCH_PARTS.filter((p) => parts.includes(p));
  }
  return {
    help: false,
    quick: raw.quick === true,
    parts,
    seeds: raw.seeds === undefined ? null : parseIntIn(raw.seeds, '--seeds', 3, 20),
    out: raw.out ?? 'bench/results',
  };
}
