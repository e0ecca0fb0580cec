/**
 * The per-ε summary of a replay memory for the benchmark tables, in plain JS because a Node
 * script cannot import the app's TypeScript. A port of src/search/export/replay-iterations.ts;
 * tests/unit/runner checks both give equal output. The replay CSV is not ported: the runner
 * asks the page for it (AppState.replayCsv), so there is one writer.
 */

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
