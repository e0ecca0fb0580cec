/**
 * Early stopping by learning-curve prediction (Baker, Gupta, Raskar, Naik 2017): after each
 * epoch, predict the net's final accuracy from its partial curve; stop it when, at the stated
 * confidence, it will not reach the current top K. The first `minCompleted` nets always
 * finish, so there is something to learn from. The agent then learns from the prediction.
 *
 * `simulateEarlyStopping` replays the rule on recorded curves, as the paper evaluates it:
 * epochs saved, and how many of the true top nets the rule would have stopped.
 */
import { bestSoFar, CurvePredictor, finalAccuracy, type ArchitectureFeatures, type CompletedCurve, type Prediction } from './curve-prediction';

export interface EarlyStoppingOptions {
  /** Stop only when the chance of reaching the top K is below 1 − confidence (0.5 to 1). */
  readonly confidence: number;
  /** The bar a candidate must be able to reach: the K-th best final accuracy so far. */
  readonly topK: number;
  /** Nets that always train to the end before the rule may stop one. */
  readonly minCompleted: number;
}

/** The paper stopped at Δ = 0.05 (95% sure); its top-K was the best net (K = 1): we keep the top 5 reachable, as the ensemble needs them. */
export const DEFAULT_EARLY_STOPPING: EarlyStoppingOptions = { confidence: 0.95, topK: 5, minCompleted: 10 };

export function checkEarlyStoppingOptions(options: EarlyStoppingOptions): void {
  const { confidence, topK, minCompleted } = options;
  if (!(confidence >= 0.5 && confidence < 1)) throw new RangeError(`early stopping: confidence must be from 0.5 to below 1, got ${confidence}`);
  if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`early stopping: topK must be a positive integer, got ${topK}`);
  if (!Number.isInteger(minCompleted) || minCompleted < 5) throw new RangeError(`early stopping: minCompleted must be an integer of at least 5, got ${minCompleted}`);
}

export interface StopDecision {
  readonly stop: boolean;
  /** Null before there is a model or a bar. */
  readonly prediction: Prediction | null;
  /** The K-th best final accuracy of the completed nets. */
  readonly bar: number | null;
  /** P(final ≥ bar) under the prediction's error distribution (Gaussian). */
  readonly chance: number | null;
}

/**
 * The completed curves of one search and the decisions they support. Models are refitted
 * lazily, per epoch count, once the completed set has grown by a tenth since the last fit.
 */
export class EarlyStopper {
  readonly options: EarlyStoppingOptions;
  readonly #completed: CompletedCurve[] = [];
  readonly #finals: number[] = [];
  readonly #models = new Map<number, { fittedOn: number; model: CurvePredictor | null }>();

  constructor(options: EarlyStoppingOptions = DEFAULT_EARLY_STOPPING) {
    checkEarlyStoppingOptions(options);
    this.options = options;
  }

  get completed(): number {
    return this.#completed.length;
  }

  /** A net trained to the end: its curve teaches the models and its accuracy may raise the bar. */
  addCompleted(curve: readonly number[], architecture: ArchitectureFeatures): void {
    if (curve.length === 0) return;
    this.#completed.push({ curve: [...curve], architecture });
    this.#finals.push(finalAccuracy(curve));
  }

  /** The K-th best final accuracy so far; null while fewer than K nets completed. */
  get bar(): number | null {
    if (this.#finals.length < this.options.topK) return null;
    return [...this.#finals].sort((a, b) => b - a)[this.options.topK - 1]!;
  }

  /** Whether to stop a net that has trained `curve.length` of its `totalEpochs` epochs. */
  decide(curve: readonly number[], totalEpochs: number, architecture: ArchitectureFeatures): StopDecision {
    const bar = this.bar;
    const epochs = curve.length;
    if (this.#completed.length < this.options.minCompleted || bar === null || epochs < 1 || epochs >= totalEpochs) {
      return { stop: false, prediction: null, bar, chance: null };
    }
    const model = this.#model(epochs);
    if (!model) return { stop: false, prediction: null, bar, chance: null };
    const prediction = model.predict(curve, architecture);
    const chance = chanceOfReaching(prediction, bar, bestSoFar(curve, epochs));
    return { stop: chance < 1 - this.options.confidence, prediction, bar, chance };
  }

  #model(epochs: number): CurvePredictor | null {
    const cached = this.#models.get(epochs);
    const n = this.#completed.length;
    if (cached && n - cached.fittedOn < Math.max(1, Math.ceil(cached.fittedOn / 10))) return cached.model;
    const model = CurvePredictor.fit(this.#completed, epochs);
    this.#models.set(epochs, { fittedOn: n, model });
    return model;
  }
}

/** P(final ≥ bar): certain when the net has reached it already, else the Gaussian tail. */
function chanceOfReaching(prediction: Prediction, bar: number, shown: number): number {
  if (shown >= bar) return 1;
  if (prediction.std <= 0) return prediction.mean >= bar ? 1 : 0;
  return 1 - normalCdf((bar - prediction.mean) / prediction.std);
}

/** Φ(z), Abramowitz and Stegun 7.1.26 via erf (error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** A trained net as recorded: its whole curve (every epoch) and its architecture. */
export interface RecordedNet extends CompletedCurve {
  readonly id: string;
}

export interface SimulationReport {
  readonly nets: number;
  /** Epochs if every net trained to the end, and with the rule. */
  readonly fullEpochs: number;
  readonly epochsTrained: number;
  /** fullEpochs / epochsTrained: 2 means half the training time. */
  readonly savingFactor: number;
  readonly stopped: readonly { readonly id: string; readonly atEpoch: number; readonly predicted: number; readonly actual: number }[];
  /** The true top K by final accuracy, and those of them the rule stopped. */
  readonly trueTop: readonly string[];
  readonly trueTopStopped: readonly string[];
}

/**
 * Replays the rule on nets in the order they finished: each net is checked after every epoch
 * but its last; a stopped net counts the epochs it trained and teaches the models nothing
 * (as in a live search), a completed one teaches them its whole curve.
 */
export function simulateEarlyStopping(nets: readonly RecordedNet[], options: EarlyStoppingOptions = DEFAULT_EARLY_STOPPING): SimulationReport {
  const stopper = new EarlyStopper(options);
  const stopped: SimulationReport['stopped'][number][] = [];
  let fullEpochs = 0;
  let epochsTrained = 0;
  for (const net of nets) {
    const total = net.curve.length;
    fullEpochs += total;
    let atEpoch = total;
    let predicted: number | null = null;
    for (let t = 1; t < total; t++) {
      const decision = stopper.decide(net.curve.slice(0, t), total, net.architecture);
      if (decision.stop) {
        atEpoch = t;
        predicted = decision.prediction!.mean;
        break;
      }
    }
    epochsTrained += atEpoch;
    if (predicted === null) stopper.addCompleted(net.curve, net.architecture);
    else stopped.push({ id: net.id, atEpoch, predicted, actual: finalAccuracy(net.curve) });
  }
  const trueTop = [...nets]
    .sort((a, b) => finalAccuracy(b.curve) - finalAccuracy(a.curve) || a.id.localeCompare(b.id))
    .slice(0, options.topK)
    .map((n) => n.id);
  const stoppedIds = new Set(stopped.map((s) => s.id));
  return {
    nets: nets.length,
    fullEpochs,
    epochsTrained,
    savingFactor: epochsTrained === 0 ? 1 : fullEpochs / epochsTrained,
    stopped,
    trueTop,
    trueTopStopped: trueTop.filter((id) => stoppedIds.has(id)),
  };
}
