/**
 * Predicting a net's final validation accuracy from the first epochs of its learning curve
 * and its architecture (Baker, Gupta, Raskar, Naik, "Accelerating Neural Architecture Search
 * using Performance Prediction", 2017). As in the paper, one model per epoch t, trained on
 * this search's completed curves, with features: the first t values, their first and second
 * differences, and the architecture (depth, parameters, layer counts).
 *
 * The paper used ν-SVR with an RBF kernel. Here it is kernel ridge regression with the same
 * RBF kernel: the same function class, but a closed-form fit (one Cholesky solve) with no
 * iterative optimiser to tune, and exact leave-one-out residuals from the same solve
 * (e_i = α_i / [(K + λI)⁻¹]_ii), which give both the hyper-parameter choice and an honest
 * error estimate for the stopping rule's confidence. Tens to hundreds of curves make the
 * O(n³) solve milliseconds. Deterministic: no random restarts, no sampling.
 */
import { stripDropout } from './dropout';
import { cholesky, choleskyInverse, choleskySolve } from './linear-algebra';
import type { Net } from './types';

/** What the predictor reads of a net besides its curve. */
export interface ArchitectureFeatures {
  /** Layers, dropout not counted. */
  readonly depth: number;
  readonly params: number;
  readonly convs: number;
  readonly pools: number;
  readonly fcs: number;
}

/** A net's architecture features; `params` comes from the record (it depends on the input shape). */
export function architectureFeatures(net: Net, params: number): ArchitectureFeatures {
  const layers = stripDropout(net);
  const count = (kind: string) => layers.filter((l) => l.kind === kind).length;
  return { depth: layers.length, params, convs: count('conv'), pools: count('pool'), fcs: count('fc') };
}

/**
 * A net trained to the end. What is predicted is its best validation accuracy over all
 * epochs (`finalAccuracy`): that is what the agent learns from and what ranks nets.
 */
export interface CompletedCurve {
  /** Validation accuracy after each epoch (0 to 1), all of them. */
  readonly curve: readonly number[];
  readonly architecture: ArchitectureFeatures;
}

/** The accuracy a curve ends with, as the search counts it: its best epoch. */
export function finalAccuracy(curve: readonly number[]): number {
  return Math.max(...curve);
}

/** The best of the first `epochs` values: what a net stopped there has shown. */
export function bestSoFar(curve: readonly number[], epochs: number): number {
  return Math.max(...curve.slice(0, epochs));
}

export interface Prediction {
  /** Predicted final (best-epoch) validation accuracy. */
  readonly mean: number;
  /** Standard deviation of the prediction error, from leave-one-out residuals. */
  readonly std: number;
  /** Leave-one-out root-mean-square error of predicting the mean final accuracy instead (a baseline). */
  readonly baselineRmse: number;
}

/** The features of a curve's first `epochs` values (epochs ≥ 1) and its architecture. */
export function curveFeatures(curve: readonly number[], epochs: number, arch: ArchitectureFeatures): number[] {
  if (epochs < 1 || epochs > curve.length) throw new RangeError(`curveFeatures: epochs must be 1 to ${curve.length}, got ${epochs}`);
  const values = curve.slice(0, epochs);
  const first = values.slice(1).map((v, i) => v - values[i]!);
  const second = first.slice(1).map((d, i) => d - first[i]!);
  return [...values, ...first, ...second, arch.depth, Math.log10(arch.params + 1), arch.convs, arch.pools, arch.fcs];
}

/** Hyper-parameters tried, by leave-one-out error; γ is per standardised feature. */
const GAMMAS = [0.03, 0.1, 0.3, 1];
const LAMBDAS = [0.01, 0.1, 1];
/** Fewer curves than this give no model: predicting from three points is guessing. */
export const MIN_CURVES_TO_FIT = 5;
/** The most recent curves a model is fitted on: keeps a fit to milliseconds (O(n³)) late in a search. */
export const MAX_CURVES_TO_FIT = 100;

/** A model for one epoch count: predicts the final accuracy from the first `epochs` values. */
export class CurvePredictor {
  readonly epochs: number;
  readonly #mean: number[];
  readonly #scale: number[];
  readonly #x: number[][];
  readonly #alpha: number[];
  readonly #offset: number;
  readonly #gamma: number;
  readonly #std: number;
  readonly #baselineRmse: number;

  private constructor(epochs: number, fit: Fit, mean: number[], scale: number[], x: number[][], baselineRmse: number) {
    this.epochs = epochs;
    this.#mean = mean;
    this.#scale = scale;
    this.#x = x;
    this.#alpha = fit.alpha;
    this.#offset = fit.offset;
    this.#gamma = fit.gamma;
    this.#std = fit.looRmse;
    this.#baselineRmse = baselineRmse;
  }

  /**
   * Fits on completed curves (each at least `epochs + 1` long, so there is a future to
   * predict); null when fewer than MIN_CURVES_TO_FIT are usable.
   */
  static fit(completed: readonly CompletedCurve[], epochs: number): CurvePredictor | null {
    const usable = completed.filter((c) => c.curve.length > epochs).slice(-MAX_CURVES_TO_FIT);
    if (usable.length < MIN_CURVES_TO_FIT) return null;
    const raw = usable.map((c) => curveFeatures(c.curve, epochs, c.architecture));
    const { mean, scale } = standardiser(raw);
    const x = raw.map((row) => standardise(row, mean, scale));
    // The target is the gain still to come: with little evidence the model falls back to
    // "the best so far plus the typical gain", not to "the typical final accuracy".
    const gain = usable.map((c) => finalAccuracy(c.curve) - bestSoFar(c.curve, epochs));
    const squaredDistances = pairwiseSquaredDistances(x);
    let best: Fit | null = null;
    for (const g of GAMMAS) {
      for (const lambda of LAMBDAS) {
        const fit = fitKernelRidge(squaredDistances, gain, g / x[0]!.length, lambda);
        if (fit && (!best || fit.looRmse < best.looRmse)) best = fit;
      }
    }
    if (!best) return null;
    return new CurvePredictor(epochs, best, mean, scale, x, looBaseline(usable.map((c) => finalAccuracy(c.curve))));
  }

  /** The final accuracy predicted for a net after `this.epochs` epochs. */
  predict(curve: readonly number[], arch: ArchitectureFeatures): Prediction {
    const raw = curveFeatures(curve, this.epochs, arch);
    const z = standardise(raw, this.#mean, this.#scale);
    let gain = this.#offset;
    for (let i = 0; i < this.#x.length; i++) gain += this.#alpha[i]! * Math.exp(-this.#gamma * squaredDistance(z, this.#x[i]!));
    // Never below what the net has already shown, never above 1.
    const shown = bestSoFar(curve, this.epochs);
    const mean = Math.min(1, Math.max(shown, shown + gain));
    return { mean, std: this.#std, baselineRmse: this.#baselineRmse };
  }
}

interface Fit {
  readonly alpha: number[];
  readonly offset: number;
  readonly gamma: number;
  readonly looRmse: number;
}

function fitKernelRidge(squaredDistances: number[][], y: readonly number[], gamma: number, lambda: number): Fit | null {
  const n = y.length;
  const offset = y.reduce((s, v) => s + v, 0) / n;
  const centred = y.map((v) => v - offset);
  const k = squaredDistances.map((row, i) => row.map((d2, j) => Math.exp(-gamma * d2) + (i === j ? lambda : 0)));
  const factor = cholesky(k);
  if (!factor) return null;
  const alpha = choleskySolve(factor, centred);
  const inverse = choleskyInverse(factor);
  // Leave-one-out residuals of kernel ridge regression, exact for a fixed offset.
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = alpha[i]! / inverse[i]![i]!;
    sum += e * e;
  }
  // Small samples understate the error: widen it by the usual √(1 + 1/n).
  const looRmse = Math.sqrt((sum / n) * (1 + 1 / n));
  return { alpha, offset, gamma, looRmse };
}

/** Leave-one-out RMSE of predicting each final accuracy by the mean of the others. */
function looBaseline(finals: readonly number[]): number {
  const n = finals.length;
  const total = finals.reduce((s, v) => s + v, 0);
  const sum = finals.reduce((s, v) => s + ((total - v) / (n - 1) - v) ** 2, 0);
  return Math.sqrt(sum / n);
}

function standardiser(rows: readonly number[][]): { mean: number[]; scale: number[] } {
  const d = rows[0]!.length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  const scale = mean.map((m, j) => {
    const sd = Math.sqrt(rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / rows.length);
    // A feature that does not vary carries nothing; keep it at zero instead of dividing by 0.
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, scale };
}

function standardise(row: readonly number[], mean: readonly number[], scale: readonly number[]): number[] {
  return row.map((v, j) => (v - mean[j]!) / scale[j]!);
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

function pairwiseSquaredDistances(x: readonly number[][]): number[][] {
  return x.map((a) => x.map((b) => squaredDistance(a, b)));
}
