/**
 * Writes a search's replay memory as the original code's replay_database.csv, one row per
 * sampled iteration. Column meanings: replay-csv.ts.
 */
import Papa from 'papaparse';
import { formatNetwork, insertDropout, parseNetwork, type DropoutRule } from '../../core';
import type { ReplayEntry } from '../../store';
import { FORMULA_START, NOT_MEASURED, REPLAY_CSV_COLUMNS, UNKNOWN_MACHINE } from './replay-csv';
import { replayIterations, type AgentSample } from './replay-iterations';

export interface ReplayCsvExportOptions {
  /** Dropout rule the nets were trained with (the search's `training.dropoutRule`). Default 'seed'. */
  readonly dropout?: DropoutRule;
  /** The agent's replay memory (`Agent.toJSON().replay`): gives every row its own ε. */
  readonly agentReplay?: readonly AgentSample[];
}

/** Python's repr of a float, as pandas writes it: whole numbers keep ".0". */
function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** 1-based epoch of the first best validation accuracy; 0 without a curve. */
function bestEpoch(entry: ReplayEntry): number {
  let best = 0;
  entry.valCurve.forEach((point, i) => {
    if (best === 0 || point.accuracy > entry.valCurve[best - 1]!.accuracy) best = i + 1;
  });
  return best;
}

/** A search's replay memory as replay_database.csv text, one row per sampled iteration. */
export function exportReplayCsv(entries: readonly ReplayEntry[], options: ReplayCsvExportOptions = {}): string {
  const dropout = options.dropout ?? 'seed';
  const byNet = new Map(entries.map((entry) => [entry.netString, entry]));
  const trainedForm = new Map<string, string>();
  const data = replayIterations(entries, options.agentReplay).map((row) => {
    const entry = byNet.get(row.netString)!;
    let net = trainedForm.get(entry.netString);
    if (net === undefined) {
      net = formatNetwork(insertDropout(parseNetwork(entry.netString), dropout));
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
  return `${Papa.unparse({ fields: [...REPLAY_CSV_COLUMNS], data }, { newline: '\n', escapeFormulae: FORMULA_START })}\n`;
}
