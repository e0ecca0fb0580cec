/**
 * An accuracy oracle for the strategy lab (issue 16): a net's accuracy as a real search
 * measured it, where one did, and a documented prediction elsewhere, so the real strategies
 * can run the paper's 2,700-net schedule in seconds. Fitted on (net, accuracy) samples such as
 * the authors' replay file: a net in the samples gets the mean of its repeats; any other net
 * gets the inverse-distance-weighted mean of its k nearest sampled nets in a standardised
 * space of architecture features (depth, convs, pools, FC layers, GAP, log parameters, log
 * multiply-adds). `leaveOneOut` reports how far that predictor is from each sampled net's own
 * accuracy, against predicting the mean. Pure: no randomness, no I/O.
 */
import { formatNetwork, parseNetwork } from './network-string';
import { stripDropout } from './dropout';
import type { SearchSpace } from './search-space';
import { countMultiplyAdds, countParams } from './shapes';
import type { Net } from './types';
import { validateNetwork } from './validate';

export interface SurrogateSample {
  readonly net: string;
  /** Best validation accuracy, a fraction. */
  readonly accuracy: number;
}

export interface LeaveOneOut {
  /** Mean absolute error of the k-NN prediction of each sampled net without itself. */
  readonly meanAbsoluteError: number;
  /** The same for predicting the mean of the other nets. */
  readonly meanBaselineError: number;
  readonly nets: number;
}

export class SurrogateError extends Error {
  override name = 'SurrogateError';
}

const FEATURES = 7;

export class SurrogateOracle {
  readonly space: SearchSpace;
  readonly k: number;
  /** Net string → mean accuracy over its samples. */
  readonly #known: Map<string, number>;
  readonly #keys: string[];
  readonly #points: Float64Array[];
  readonly #values: number[];
  readonly #mean: Float64Array;
  readonly #scale: Float64Array;
  /** Samples used (inside the space, with an accuracy in [0, 1]). */
  readonly sampleCount: number;
  /** The first sample outside the space and why, or '' if none was. */
  readonly firstOutside: string;
  /** Predictions made so far (a search proposes many nets again). */
  readonly #predicted = new Map<string, number>();

  /**
   * Fits the oracle; refuses samples with no net of this space (another input shape, another
   * grammar) and says how many were left out and why.
   */
  constructor(samples: readonly SurrogateSample[], space: SearchSpace, k = 5) {
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    this.space = space;
    this.k = k;
    const sums = new Map<string, { sum: number; n: number }>();
    let outside = 0;
    let firstProblem = '';
    for (const sample of samples) {
      if (!(Number.isFinite(sample.accuracy) && sample.accuracy >= 0 && sample.accuracy <= 1)) continue;
      let key: string;
      try {
        const net = stripDropout(parseNetwork(sample.net));
        const problems = validateNetwork(net, space);
        if (problems.length > 0) {
          outside++;
          firstProblem ||= `${sample.net}: ${problems[0]}`;
          continue;
        }
        key = formatNetwork(net);
      } catch (error) {
        outside++;
        firstProblem ||= `${sample.net}: ${(error as Error).message}`;
        continue;
      }
      const s = sums.get(key) ?? { sum: 0, n: 0 };
      s.sum += sample.accuracy;
      s.n++;
      sums.set(key, s);
    }
    if (sums.size === 0) {
      const shape = `${space.inputShape.height}×${space.inputShape.width}×${space.inputShape.channels}`;
      throw new SurrogateError(
        `no usable rows for the oracle: ${samples.length} rows, ${outside} of them nets outside the ${shape} search space` +
          (firstProblem ? ` (first: ${firstProblem})` : ''),
      );
    }
    this.sampleCount = [...sums.values()].reduce((a, s) => a + s.n, 0);
    this.firstOutside = firstProblem;
    this.#known = new Map([...sums].map(([key, s]) => [key, s.sum / s.n]));
    this.#keys = [...this.#known.keys()].sort();
    const raw = this.#keys.map((key) => this.#features(parseNetwork(key)));
    this.#values = this.#keys.map((key) => this.#known.get(key)!);
    this.#mean = new Float64Array(FEATURES);
    this.#scale = new Float64Array(FEATURES);
    for (let f = 0; f < FEATURES; f++) {
      const column = raw.map((x) => x[f]!);
      const mean = column.reduce((a, b) => a + b, 0) / column.length;
      const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length;
      this.#mean[f] = mean;
      this.#scale[f] = variance > 0 ? Math.sqrt(variance) : 1;
    }
    this.#points = raw.map((x) => this.#standardise(x));
  }

  /** Distinct sampled nets. */
  get size(): number {
    return this.#keys.length;
  }

  /** The sampled mean for a net in the samples, else undefined. */
  recorded(net: Net | string): number | undefined {
    return this.#known.get(keyOf(net));
  }

  /** The recorded accuracy, or the k-NN prediction for a net never sampled. */
  accuracy(net: Net | string): number {
    const key = keyOf(net);
    const known = this.#known.get(key) ?? this.#predicted.get(key);
    if (known !== undefined) return known;
    const predicted = this.#predict(this.#standardise(this.#features(parseNetwork(key))), -1);
    this.#predicted.set(key, predicted);
    return predicted;
  }

  /** The predictor's error on each sampled net with that net left out, against the mean's. */
  leaveOneOut(): LeaveOneOut {
    const n = this.#keys.length;
    const total = this.#values.reduce((a, b) => a + b, 0);
    let error = 0;
    let baseline = 0;
    for (let i = 0; i < n; i++) {
      const value = this.#values[i]!;
      error += Math.abs(this.#predict(this.#points[i]!, i) - value);
      baseline += Math.abs((n > 1 ? (total - value) / (n - 1) : value) - value);
    }
    return { meanAbsoluteError: error / n, meanBaselineError: baseline / n, nets: n };
  }

  /** The 90th (or any) percentile of the sampled nets' accuracies. */
  percentile(p: number): number {
    const sorted = [...this.#values].sort((a, b) => a - b);
    const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[at]!;
  }

  #features(net: Net): number[] {
    const input = this.space.inputShape;
    const count = (kind: string) => net.filter((l) => l.kind === kind).length;
    return [
      net.length,
      count('conv'),
      count('pool'),
      count('fc'),
      count('gap'),
      Math.log10(1 + countParams(net, input)),
      Math.log10(1 + countMultiplyAdds(net, input)),
    ];
  }

  #standardise(x: readonly number[]): Float64Array {
    const out = new Float64Array(FEATURES);
    for (let f = 0; f < FEATURES; f++) out[f] = (x[f]! - this.#mean[f]!) / this.#scale[f]!;
    return out;
  }

  /** Inverse-distance-weighted mean of the k nearest sampled nets, `skip` left out; ties go to the earlier key. */
  #predict(point: Float64Array, skip: number): number {
    // The k nearest so far, nearest first: an insertion into k slots beats sorting every point.
    const nearD: number[] = [];
    const nearI: number[] = [];
    for (let i = 0; i < this.#points.length; i++) {
      if (i === skip) continue;
      const p = this.#points[i]!;
      let d = 0;
      for (let f = 0; f < FEATURES; f++) d += (p[f]! - point[f]!) ** 2;
      if (nearD.length === this.k && d >= nearD[this.k - 1]!) continue;
      let at = nearD.length;
      while (at > 0 && nearD[at - 1]! > d) at--;
      nearD.splice(at, 0, d);
      nearI.splice(at, 0, i);
      if (nearD.length > this.k) {
        nearD.pop();
        nearI.pop();
      }
    }
    if (nearD.length === 0) return this.#values[0]!;
    let weights = 0;
    let sum = 0;
    for (let j = 0; j < nearD.length; j++) {
      const w = 1 / (Math.sqrt(nearD[j]!) + 1e-6);
      weights += w;
      sum += w * this.#values[nearI[j]!]!;
    }
    return sum / weights;
  }
}

function keyOf(net: Net | string): string {
  return formatNetwork(stripDropout(typeof net === 'string' ? parseNetwork(net) : net));
}
