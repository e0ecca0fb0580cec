/**
 * Training defaults and their validation. Numbers from the seed article unless named as
 * the paper's (../../../shared/spec/metaqnn.md section 3).
 */
import type { TrainConfig } from './types';

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  // Seed article: Adam, lr 0.001, batch 128, 20 epochs, ×0.8 every 5 epochs for better nets.
  learningRate: 0.001,
  batchSize: 128,
  epochs: 20,
  learningRateRule: 'seed',
  decayEveryEpochs: 5,
  decayFactor: null,
  // Paper: restart below 1.5×chance after epoch 1 with lr×0.4, at most 5 learning rates.
  restartIfFailedToLearn: false,
  failedToLearnFactor: 1.5,
  restartLearningRateFactor: 0.4,
  maxLearningRates: 5,
  weightDecay: 0,
  // Our estimate counts activations twice (values + gradients); the paper's best CIFAR-10
  // net at batch 128 needs about 1.7 GB by it and must fit.
  memoryBudgetBytes: 3 * 1024 ** 3,
  evaluationBatchSize: 256,
  progressEveryMs: 250,
  latencyBatchSize: 256,
  latencyRepeats: 3,
  returnWeights: true,
  savings: true,
};

/** Per-rule decay multiplier when `decayFactor` is null (spec section 3). */
export const RULE_DECAY_FACTOR = { seed: 0.8, paper: 0.2, constant: 1 } as const;

type NumericKey = {
  [K in keyof TrainConfig]: TrainConfig[K] extends number ? K : never;
}[keyof TrainConfig];

const POSITIVE_INTEGERS: readonly NumericKey[] = [
  'batchSize',
  'epochs',
  'decayEveryEpochs',
  'maxLearningRates',
  'evaluationBatchSize',
  'latencyRepeats',
];
const NON_NEGATIVE_INTEGERS: readonly NumericKey[] = ['latencyBatchSize'];
const POSITIVE_NUMBERS: readonly NumericKey[] = [
  'learningRate',
  'failedToLearnFactor',
  'restartLearningRateFactor',
  'memoryBudgetBytes',
];
const NON_NEGATIVE_NUMBERS: readonly NumericKey[] = ['weightDecay', 'progressEveryMs'];

/** Defaults overlaid with `overrides`; throws naming the first bad field. */
export function resolveTrainConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...stripUndefined(overrides) };
  for (const key of POSITIVE_INTEGERS) requireNumber(key, config[key], 1, true);
  for (const key of NON_NEGATIVE_INTEGERS) requireNumber(key, config[key], 0, true);
  for (const key of POSITIVE_NUMBERS) requireNumber(key, config[key], Number.MIN_VALUE, false);
  for (const key of NON_NEGATIVE_NUMBERS) requireNumber(key, config[key], 0, false);
  if (!['seed', 'paper', 'constant'].includes(config.learningRateRule)) {
    throw new Error(
      `TrainConfig.learningRateRule: expected 'seed', 'paper' or 'constant', got ${JSON.stringify(config.learningRateRule)}`,
    );
  }
  if (typeof config.savings !== 'boolean') throw new Error(`TrainConfig.savings: expected true or false, got ${JSON.stringify(config.savings)}`);
  if (config.decayFactor !== null) {
    requireNumber('decayFactor', config.decayFactor, Number.MIN_VALUE, false);
  }
  return config;
}

function requireNumber(key: string, value: number, min: number, integer: boolean): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min;
  if (!ok || (integer && !Number.isInteger(value))) {
    const what = integer ? (min >= 1 ? 'a positive integer' : 'a non-negative integer') : min > 0 ? 'a positive number' : 'a non-negative number';
    throw new Error(`TrainConfig.${key}: expected ${what}, got ${JSON.stringify(value)}`);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
