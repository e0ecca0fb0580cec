/**
 * The strategy lab's data (issue 16): a replay_database.csv turned into the samples an
 * accuracy oracle is fitted on, and the paper's setting the lab simulates (SVHN's 32×32×3
 * input, 10 classes, the paper's space and 2,700-net schedule). The authors' file ships with
 * the app (public/lab/); a person may fit the oracle on another 32×32×3 replay file, and a
 * file that cannot serve is refused with the reason.
 *
 * Rules: each net's accuracy is the mean over the file's rows of it (each row's own value);
 * an ε level whose rows all hold one value (at least PLACEHOLDER_MIN_ROWS of them) holds a
 * placeholder, not results, and is left out (the authors' ε = 0.7 rows all read 86.0); a file
 * whose nets mostly lie outside the space (another input shape, another grammar) is refused.
 */
import {
  makeSearchSpace,
  paperSchedule,
  SurrogateError,
  SurrogateOracle,
  type EpsilonSchedule,
  type InputShape,
  type SearchSpace,
  type SurrogateSample,
} from '../core';
import { importReplayCsv, type ReplayCsvImport } from './export';

/** The paper's SVHN setting: the space the authors' file was searched in. */
export const LAB_INPUT_SHAPE: InputShape = { height: 32, width: 32, channels: 3 };
export const LAB_CLASSES = 10;
export const labSpace = (): SearchSpace => makeSearchSpace('paper', { inputShape: LAB_INPUT_SHAPE, numClasses: LAB_CLASSES });
export const LAB_SCHEDULE: EpsilonSchedule = paperSchedule;
/** Where the built app serves the authors' file (public/lab/, with its licence). */
export const LAB_FILE_PATH = 'lab/metaqnn-replay_database.csv';
/** An ε level with at least this many rows, all one value, is a placeholder. */
export const PLACEHOLDER_MIN_ROWS = 10;

export interface LabSamples {
  readonly samples: SurrogateSample[];
  /** ε levels left out as placeholders. */
  readonly placeholderLevels: readonly { readonly epsilon: number; readonly rows: number; readonly value: number }[];
  /** Rows the samples came from (accepted, placeholders left out). */
  readonly rows: number;
  readonly fileRows: number;
}

/** The samples of a replay CSV (see the header); throws SurrogateError saying why a file cannot serve. */
export function labSamples(text: string, fileName = 'replay file'): LabSamples {
  const imported: ReplayCsvImport = importReplayCsv(text, { inputShape: LAB_INPUT_SHAPE, fileName });
  if (imported.iterations.length === 0) {
    const why = imported.errors[0];
    throw new SurrogateError(`${fileName}: no usable rows for the oracle${why ? ` (line ${why.line}: ${why.message})` : ''}`);
  }
  const byLevel = new Map<number, Set<number>>();
  const rowsAt = new Map<number, number>();
  const value = (it: ReplayCsvImport['iterations'][number]) => it.rowAccuracy ?? it.accuracy;
  for (const it of imported.iterations) {
    byLevel.set(it.epsilon, (byLevel.get(it.epsilon) ?? new Set()).add(value(it)));
    rowsAt.set(it.epsilon, (rowsAt.get(it.epsilon) ?? 0) + 1);
  }
  const placeholderLevels = [...byLevel]
    .filter(([epsilon, values]) => values.size === 1 && rowsAt.get(epsilon)! >= PLACEHOLDER_MIN_ROWS)
    .map(([epsilon, values]) => ({ epsilon, rows: rowsAt.get(epsilon)!, value: [...values][0]! }));
  const left = new Set(placeholderLevels.map((l) => l.epsilon));
  const kept = imported.iterations.filter((it) => !left.has(it.epsilon));
  return {
    samples: kept.map((it) => ({ net: it.netString, accuracy: value(it) })),
    placeholderLevels,
    rows: kept.length,
    fileRows: imported.stats.rows,
  };
}

/**
 * The oracle fitted on a replay CSV in the lab's space. Refuses (SurrogateError) a file with no
 * usable rows, or whose nets are mostly outside the 32×32×3 paper space, saying how many.
 */
export function labOracle(text: string, fileName = 'replay file'): { oracle: SurrogateOracle; samples: LabSamples } {
  const samples = labSamples(text, fileName);
  const space = labSpace();
  let oracle: SurrogateOracle;
  try {
    oracle = new SurrogateOracle(samples.samples, space);
  } catch (error) {
    if (error instanceof SurrogateError) throw new SurrogateError(`${fileName}: ${error.message}`);
    throw error;
  }
  const outside = samples.samples.length - oracle.sampleCount;
  if (outside * 2 > samples.samples.length) {
    throw new SurrogateError(
      `${fileName}: ${outside} of ${samples.samples.length} rows are nets outside the 32×32×3 paper search space ` +
        `(another input shape or another space?); the lab simulates the paper's SVHN search and needs that file's kind` +
        (oracle.firstOutside ? ` (first: ${oracle.firstOutside})` : ''),
    );
  }
  return { oracle, samples };
}
