/**
 * The advanced setup panel's form as plain strings, and its conversion to a search config
 * candidate. Only the reading of text happens here (a list, a number, "none"); the candidate
 * is validated by `parseSearchConfig` (via `Setup.setConfig`), which names bad fields.
 */
import type { SearchConfig } from '../search/config';

export interface ScheduleRow {
  epsilon: string;
  nets: string;
}

export interface ConfigForm {
  strategy: SearchConfig['strategy'];
  convFilters: string;
  convKernels: string;
  /** "5/3, 3/2, 2/2": size/stride pairs. */
  pools: string;
  fcSizes: string;
  maxFc: string;
  maxDepth: string;
  schedule: ScheduleRow[];
  replaySamples: string;
  epochs: string;
  batchSize: string;
  learningRate: string;
  learningRateRule: SearchConfig['training']['learningRateRule'];
  dropoutRule: SearchConfig['training']['dropoutRule'];
  restartIfFailedToLearn: boolean;
  weightDecay: string;
  earlyStopping: boolean;
  /** The confidence the stopping rule needs, e.g. 0.95. */
  earlyStoppingConfidence: string;
  earlyStoppingTopK: string;
  earlyStoppingMinCompleted: string;
  /** Empty: every training image. */
  trainSize: string;
  validationSize: string;
  /** Empty: the whole test split. */
  testSize: string;
  progressive: boolean;
  progressiveStart: string;
  /** Empty: no cap. */
  paramCap: string;
  /** Empty: no latency term. */
  latencyTargetMs: string;
  latencyPenalty: string;
  fineTuneTop: string;
  fineTuneEpochs: string;
  ensembleTop: string;
  trainersPerTab: string;
}

/** A field that cannot be read as what it should hold; the message names the field. */
export class FormError extends Error {
  override readonly name = 'FormError';
}

const list = (xs: readonly number[]) => xs.join(', ');
const optional = (x: number | null) => (x === null ? '' : String(x));

export function formFromConfig(config: SearchConfig): ConfigForm {
  const { space, training: t, data: d, constraints: c, final: f } = config;
  return {
    strategy: config.strategy,
    convFilters: list(space.convFilters),
    convKernels: list(space.convKernels),
    pools: space.pools.map((p) => `${p.size}/${p.stride}`).join(', '),
    fcSizes: list(space.fcSizes),
    maxFc: String(space.maxFc),
    maxDepth: String(space.maxDepth),
    schedule: config.schedule.map((level) => ({ epsilon: String(level.epsilon), nets: String(level.nets) })),
    replaySamples: String(config.replaySamples),
    epochs: String(t.epochs),
    batchSize: String(t.batchSize),
    learningRate: String(t.learningRate),
    learningRateRule: t.learningRateRule,
    dropoutRule: t.dropoutRule,
    restartIfFailedToLearn: t.restartIfFailedToLearn,
    weightDecay: String(t.weightDecay),
    earlyStopping: config.earlyStopping.enabled,
    earlyStoppingConfidence: String(config.earlyStopping.confidence),
    earlyStoppingTopK: String(config.earlyStopping.topK),
    earlyStoppingMinCompleted: String(config.earlyStopping.minCompleted),
    trainSize: optional(d.trainSize),
    validationSize: String(d.validationSize),
    testSize: optional(d.testSize),
    progressive: d.progressive,
    progressiveStart: String(d.progressiveStart),
    paramCap: optional(c.paramCap),
    latencyTargetMs: optional(c.latencyTargetMs),
    latencyPenalty: String(c.latencyPenalty),
    fineTuneTop: String(f.fineTuneTop),
    fineTuneEpochs: String(f.fineTuneEpochs),
    ensembleTop: String(f.ensembleTop),
    trainersPerTab: String(config.trainersPerTab),
  };
}

/** A number typed by a person: "0.001", "1e-3", "5,000" (thousands separators allowed). */
export function readNumber(text: string, field: string): number {
  const trimmed = text.trim().replace(/(\d)[,_](?=\d{3}\b)/g, '$1');
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(value)) throw new FormError(`${field}: "${text}" is not a number`);
  return value;
}

/** An empty field means "none" (no cap, every image). */
export function readOptionalNumber(text: string, field: string): number | null {
  return text.trim() === '' ? null : readNumber(text, field);
}

/** "64, 128 256" → [64, 128, 256]. */
export function readNumberList(text: string, field: string): number[] {
  const parts = text.split(/[\s,;]+/).filter((part) => part !== '');
  return parts.map((part, i) => readNumber(part, `${field} (item ${i + 1})`));
}

/** "5/3, 3/2" → [{size 5, stride 3}, {size 3, stride 2}]; "2x2" and "2:2" are read too. */
export function readPools(text: string, field: string): { size: number; stride: number }[] {
  const parts = text.split(/[\s,;]+/).filter((part) => part !== '');
  return parts.map((part, i) => {
    const match = /^(\d+)\s*[/x:]\s*(\d+)$/i.exec(part);
    if (!match) throw new FormError(`${field} (item ${i + 1}): "${part}" is not size/stride, e.g. 3/2`);
    return { size: Number(match[1]), stride: Number(match[2]) };
  });
}

/**
 * The form over `base` (the config it was filled from): a candidate for `parseSearchConfig`.
 * `presetId` becomes 'custom' when anything differs from `base`. Throws FormError.
 */
export function configFromForm(form: ConfigForm, base: SearchConfig): SearchConfig {
  const candidate: SearchConfig = {
    ...base,
    strategy: form.strategy,
    space: {
      ...base.space,
      convFilters: readNumberList(form.convFilters, 'Conv filters'),
      convKernels: readNumberList(form.convKernels, 'Conv kernels'),
      pools: readPools(form.pools, 'Pooling'),
      fcSizes: readNumberList(form.fcSizes, 'FC sizes'),
      maxFc: readNumber(form.maxFc, 'Max FC layers'),
      maxDepth: readNumber(form.maxDepth, 'Max depth'),
    },
    schedule: form.schedule.map((row, i) => ({
      epsilon: readNumber(row.epsilon, `ε schedule row ${i + 1}: ε`),
      nets: readNumber(row.nets, `ε schedule row ${i + 1}: nets`),
    })),
    replaySamples: readNumber(form.replaySamples, 'Replay samples'),
    training: {
      ...base.training,
      epochs: readNumber(form.epochs, 'Epochs'),
      batchSize: readNumber(form.batchSize, 'Batch size'),
      learningRate: readNumber(form.learningRate, 'Learning rate'),
      learningRateRule: form.learningRateRule,
      dropoutRule: form.dropoutRule,
      restartIfFailedToLearn: form.restartIfFailedToLearn,
      weightDecay: readNumber(form.weightDecay, 'Weight decay'),
    },
    data: {
      ...base.data,
      trainSize: readOptionalNumber(form.trainSize, 'Training images'),
      validationSize: readNumber(form.validationSize, 'Validation images'),
      testSize: readOptionalNumber(form.testSize, 'Test images'),
      progressive: form.progressive,
      progressiveStart: readNumber(form.progressiveStart, 'Progressive start share'),
    },
    constraints: {
      ...base.constraints,
      paramCap: readOptionalNumber(form.paramCap, 'Parameter cap'),
      latencyTargetMs: readOptionalNumber(form.latencyTargetMs, 'Latency target'),
      latencyPenalty: readNumber(form.latencyPenalty, 'Latency penalty'),
    },
    earlyStopping: {
      enabled: form.earlyStopping,
      confidence: readNumber(form.earlyStoppingConfidence, 'Early stopping confidence'),
      topK: readNumber(form.earlyStoppingTopK, 'Early stopping top K'),
      minCompleted: readNumber(form.earlyStoppingMinCompleted, 'Nets that always finish'),
    },
    final: {
      fineTuneTop: readNumber(form.fineTuneTop, 'Nets fine-tuned'),
      fineTuneEpochs: readNumber(form.fineTuneEpochs, 'Fine-tuning epochs'),
      ensembleTop: readNumber(form.ensembleTop, 'Ensemble size'),
    },
    trainersPerTab: readNumber(form.trainersPerTab, 'Trainers per tab'),
  };
  const changed = JSON.stringify({ ...candidate, presetId: null }) !== JSON.stringify({ ...base, presetId: null });
  return changed ? { ...candidate, presetId: 'custom' } : candidate;
}
