/**
 * Learning-rate rules (spec section 3). Pure functions so the schedule is testable
 * without training anything.
 *
 * How the seed rule judges "doing better than the previous models" during training: at
 * each decay boundary (after epochs 5, 10, 15 with the defaults) the candidate's best
 * validation accuracy so far is compared with `bestSoFar`, the best accuracy of every
 * net trained before it; if strictly above, the rate is multiplied by 0.8 for the next
 * epochs. With no earlier net (`bestSoFar` null) any candidate counts as better. Since a
 * run's best accuracy never falls, once a candidate qualifies it keeps decaying.
 */
import { RULE_DECAY_FACTOR } from './config';
import type { TrainConfig } from './types';

export interface LearningRateState {
  /** The epoch just finished, 1-based. */
  readonly epoch: number;
  readonly learningRate: number;
  /** Best validation accuracy of this run up to and including `epoch`. */
  readonly bestValidationAccuracy: number;
  /** Best validation accuracy among earlier nets; null when there were none. */
  readonly bestSoFar: number | null;
}

type RuleConfig = Pick<TrainConfig, 'learningRateRule' | 'decayEveryEpochs' | 'decayFactor'>;

/** The learning rate for the epoch after `state.epoch`. */
export function nextLearningRate(state: LearningRateState, config: RuleConfig): number {
  if (state.epoch % config.decayEveryEpochs !== 0) return state.learningRate;
  const factor = config.decayFactor ?? RULE_DECAY_FACTOR[config.learningRateRule];
  switch (config.learningRateRule) {
    case 'constant':
      return state.learningRate;
    case 'paper':
      return state.learningRate * factor;
    case 'seed':
      return beatsEarlierNets(state.bestValidationAccuracy, state.bestSoFar)
        ? state.learningRate * factor
        : state.learningRate;
  }
}

/** The seed rule's test: strictly above the best earlier net, or the first net at all. */
export function beatsEarlierNets(bestValidationAccuracy: number, bestSoFar: number | null): boolean {
  return bestSoFar === null || bestValidationAccuracy > bestSoFar;
}

/** Paper's restart test: epoch-1 validation accuracy not above factor × chance. */
export function failedToLearn(epoch1Accuracy: number, classes: number, factor: number): boolean {
  return !(epoch1Accuracy > factor / classes);
}
