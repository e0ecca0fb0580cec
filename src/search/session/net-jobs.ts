/**
 * What a session hands a trainer for one net, and which nets matter most: shared by the
 * trainer slots, the final phase and the page (model export).
 */
import type { ReplayRecord, WeightsRecord } from '../../store';
import { RULE_DECAY_FACTOR } from '../../train/config';
import type { SerializedWeights, TrainConfig } from '../../train/types';
import type { SearchConfig } from '../config';

/** A stable per-net seed: the same net of the same search starts from the same weights anywhere. */
export function netSeed(searchSeed: number, netString: string): number {
  let h = 0x811c9dc5 ^ searchSeed;
  for (let i = 0; i < netString.length; i++) h = Math.imul(h ^ netString.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function trainConfigOf(config: SearchConfig, epochs = config.training.epochs): Partial<TrainConfig> {
  const t = config.training;
  return {
    epochs,
    batchSize: t.batchSize,
    learningRate: t.learningRate,
    learningRateRule: t.learningRateRule,
    restartIfFailedToLearn: t.restartIfFailedToLearn,
    weightDecay: t.weightDecay,
    // Every forward pass at the training batch size (and batch 1 for latency): each new batch
    // shape costs a shader compilation on WebGPU, seconds each on a software adapter.
    evaluationBatchSize: t.batchSize,
    // Latency only where a latency target shapes the reward (issue 15): measuring it cost a
    // fifth of a tiny net's time on WebGPU, for a column nobody else reads.
    latencyBatchSize: config.constraints.latencyTargetMs !== null || !savingsOn(config) ? t.batchSize : 0,
    savings: savingsOn(config),
  };
}

export function savingsOn(config: SearchConfig): boolean {
  return config.training.savings !== false;
}

/**
 * The validation accuracy a net must reach for its test accuracy to be measured during the
 * search: the reward (here its best validation accuracy) of the n-th best net so far as ranked for the final phase, n the most nets the final phase shows (fine-tuned or
 * ensembled). A net in the final top n was in the top n when it finished (the bar only rises), so
 * every net shown among the best has its test accuracy; the others skip a pass nobody reads.
 * null (measure every net) before n nets, under a latency target (the ranking is then by reward,
 * not validation) and with the savings off.
 */
export function testThreshold<E extends RankedFields>(config: SearchConfig, replay: readonly E[]): number | null {
  if (!savingsOn(config) || config.constraints.latencyTargetMs !== null) return null;
  const shown = Math.max(1, config.final.fineTuneTop, config.final.ensembleTop);
  const ranked = rankReplay(replay);
  return ranked.length < shown ? null : ranked[shown - 1]!.reward;
}

/**
 * Training for the final phase: longer, and the seed rule's decay (×0.8 for nets doing better
 * than those before) applied every `decayEveryEpochs` unconditionally, as the paper's rule
 * does: a fine-tuned net has no earlier nets to be compared with.
 */
export function fineTuneConfigOf(config: SearchConfig): Partial<TrainConfig> {
  const rule = config.training.learningRateRule;
  return {
    ...trainConfigOf(config, config.final.fineTuneEpochs),
    learningRateRule: rule === 'seed' ? 'paper' : rule,
    decayFactor: rule === 'seed' ? RULE_DECAY_FACTOR.seed : null,
  };
}

/** What ranking reads of a replay entry (stored records, and the runner's results, have them). */
export type RankedFields = Pick<ReplayRecord, 'source' | 'status' | 'reward' | 'bestValAccuracy' | 'netString' | 'earlyStop'>;

/**
 * The nets worth keeping weights for and taking into the final phase, trained to the end: the
 * highest reward first, which is the best validation accuracy unless a latency target shaped
 * it (then a fast net can outrank a slightly more accurate slow one, as the person asked).
 */
export function rankReplay<E extends RankedFields>(replay: readonly E[]): E[] {
  return replay
    // A net stopped early is ranked by nobody: its accuracy is a prediction, its weights half-trained.
    .filter((e) => e.source === 'trained' && (e.status === 'ok' || e.status === 'failed-to-learn') && !e.earlyStop)
    .sort((a, b) => b.reward - a.reward || b.bestValAccuracy - a.bestValAccuracy || a.netString.localeCompare(b.netString));
}

/** Stored weights as a trainer takes them; null for a record this version cannot use. */
export function serializedWeights(saved: WeightsRecord | undefined): SerializedWeights | null {
  if (!saved || saved.buffers.length !== 1) return null;
  return { specs: saved.specs as SerializedWeights['specs'], data: saved.buffers[0]! };
}
