/**
 * The replay memory as the runner writes and summarises it, in plain JS because a Node
 * script cannot import the app's TypeScript. A port of src/search/export/replay-csv.ts
 * (export half), replay-iterations.ts and core/dropout.ts; tests/unit/runner checks that
 * both give byte-identical output for the same records, so the two cannot drift apart
 * unnoticed.
 */
import Papa from 'papaparse';

/** replay_database.csv's columns, in the original code's order (q_server.py `replay_columns`). */
export const REPLAY_CSV_COLUMNS = [
  'net',
  'accuracy_best_val',
  'iter_best_val',
  'accuracy_last_val',
  'iter_last_val',
  'accuracy_best_test',
  'accuracy_last_test',
  'ix_q_value_update',
  'epsilon',
  'time_finished',
  'machine_run_on',
];

/** The original writes -1.0 for a value it did not measure. */
const NOT_MEASURED = -1;
const UNKNOWN_MACHINE = 'unknown';

const TOKEN = /(GAP|FC|SM|C|P|D)\(([^)]*)\)/g;

/**
 * Splits a network string into its layer tokens: `[C(8,3,1), SM(10)]` → [{kind:'C', text:'C(8,3,1)'}, ...].
 * Throws naming the string when it is not one.
 */
export function netTokens(netString) {
  const body = netString.trim();
  if (!body.startsWith('[') || !body.endsWith(']')) throw new Error(`net ${JSON.stringify(netString)}: expected [LAYER, ...]`);
  const tokens = [...body.slice(1, -1).matchAll(TOKEN)].map((m) => ({ kind: m[1], text: `${m[1]}(${m[2].replace(/\s+/g, '')})` }));
  const rebuilt = `[${tokens.map((t) => t.text).join(', ')}]`;
  if (rebuilt.replace(/\s+/g, '') !== body.replace(/\s+/g, '')) throw new Error(`net ${JSON.stringify(netString)}: not a network string`);
  return tokens;
}

/**
 * The net string with dropout placed by `rule` (core/dropout.ts, spec section 3):
 * 'seed' after every FC, D(i,n) with n = #FC; 'paper' after every second layer and every
 * FC, never after GAP or SM, n = floor((L - G - F)/2) + F with SM counted as the type of
 * the layer before it; 'none' none. Existing D tokens are replaced.
 */
export function insertDropoutString(netString, rule = 'seed') {
  const layers = netTokens(netString).filter((t) => t.kind !== 'D');
  if (rule === 'none') return `[${layers.map((t) => t.text).join(', ')}]`;
  if (rule !== 'seed' && rule !== 'paper') throw new Error(`unknown dropout rule ${JSON.stringify(rule)}; expected seed, paper or none`);
  let total;
  if (rule === 'seed') {
    total = layers.filter((t) => t.kind === 'FC').length;
  } else {
    const last = layers.at(-2)?.kind;
    const gap = layers.filter((t) => t.kind === 'GAP').length + (last === 'GAP' ? 1 : 0);
    const fc = layers.filter((t) => t.kind === 'FC').length + (last === 'FC' ? 1 : 0);
    total = Math.floor((layers.length - gap - fc) / 2) + fc;
  }
  const out = [];
  let index = 1;
  layers.forEach((layer, i) => {
    out.push(layer.text);
    const wanted = rule === 'seed' ? layer.kind === 'FC' : ((i + 1) % 2 === 0 || layer.kind === 'FC') && layer.kind !== 'SM' && layer.kind !== 'GAP';
    if (wanted && index <= total) out.push(`D(${index++},${total})`);
  });
  return `[${out.join(', ')}]`;
}

/** Ascending iteration, iteration 0 (unknown) last; stable otherwise. */
export function sortIterations(rows) {
  const rank = (row) => (row.iteration === 0 ? Infinity : row.iteration);
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
    .map(({ row }) => row);
}

/**
 * Every sampled iteration (one row per time the agent sampled a net, reused nets included),
 * each with its own ε from the agent's replay (`{ net, iteration, epsilon }[]`) where given.
 */
export function replayIterations(entries, agentReplay = []) {
  const byNet = new Map(entries.map((entry) => [entry.netString, entry]));
  const rows = [];
  const covered = new Set();
  for (const sample of agentReplay) {
    const entry = byNet.get(sample.net);
    if (entry === undefined) continue;
    covered.add(sample.iteration);
    rows.push({ iteration: sample.iteration, netString: entry.netString, epsilon: sample.epsilon, accuracy: entry.bestValAccuracy });
  }
  for (const entry of entries) {
    const own = entry.iterations.length > 0 ? entry.iterations : [0];
    for (const iteration of own) {
      if (covered.has(iteration)) continue;
      rows.push({ iteration, netString: entry.netString, epsilon: entry.epsilon, accuracy: entry.bestValAccuracy });
    }
  }
  return sortIterations(rows);
}

/** Mean best validation accuracy per ε, highest ε first (paper Figure 3). */
export function meanAccuracyByEpsilon(iterations) {
  const groups = new Map();
  for (const { epsilon, accuracy } of iterations) {
    const group = groups.get(epsilon) ?? { sum: 0, count: 0 };
    group.sum += accuracy;
    group.count += 1;
    groups.set(epsilon, group);
  }
  return [...groups]
    .sort(([a], [b]) => b - a)
    .map(([epsilon, { sum, count }]) => ({ epsilon, count, meanAccuracy: sum / count }));
}

/** Python's repr of a float, as pandas writes it: whole numbers keep ".0". */
function pythonFloat(x) {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** 1-based epoch of the first best validation accuracy; 0 without a curve. */
function bestEpoch(entry) {
  let best = 0;
  entry.valCurve.forEach((point, i) => {
    if (best === 0 || point.accuracy > entry.valCurve[best - 1].accuracy) best = i + 1;
  });
  return best;
}

/**
 * The replay memory as replay_database.csv text (columns: src/search/export/replay-csv.ts):
 * one row per sampled iteration; `net` with the dropout it was trained with;
 * iter_* are epochs; accuracy_best_test -1.0; time_finished unix seconds.
 * @param {readonly object[]} entries the page's ReplayRecord[]
 * @param {{ dropout?: 'seed' | 'paper' | 'none', agentReplay?: readonly { net: string, iteration: number, epsilon: number }[] }} [options]
 */
export function exportReplayCsv(entries, options = {}) {
  const dropout = options.dropout ?? 'seed';
  const byNet = new Map(entries.map((entry) => [entry.netString, entry]));
  const trainedForm = new Map();
  const data = replayIterations(entries, options.agentReplay).map((row) => {
    const entry = byNet.get(row.netString);
    let net = trainedForm.get(entry.netString);
    if (net === undefined) {
      net = insertDropoutString(entry.netString, dropout);
      trainedForm.set(entry.netString, net);
    }
    return [
      net,
      pythonFloat(entry.bestValAccuracy),
      pythonFloat(bestEpoch(entry)),
      pythonFloat(entry.finalValAccuracy),
      pythonFloat(entry.valCurve.length),
      pythonFloat(NOT_MEASURED),
      pythonFloat(entry.testAccuracy ?? NOT_MEASURED),
      pythonFloat(row.iteration),
      pythonFloat(row.epsilon),
      pythonFloat(entry.finishedAt / 1000),
      entry.trainedBy ?? UNKNOWN_MACHINE,
    ];
  });
  return `${Papa.unparse({ fields: [...REPLAY_CSV_COLUMNS], data }, { newline: '\n' })}\n`;
}
