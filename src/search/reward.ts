/**
 * The reward the agent learns from, and the replay entry a trained candidate becomes.
 * Spec section 2: the reward is the best per-epoch validation accuracy; section 3's
 * constraint extension shapes it by measured latency.
 */
import type { ReplayEntry } from '../store';
import type { TrainResult } from '../train/types';
import type { ConstraintSetup } from './config';

/**
 * Latency-aware reward: accuracy × (target / latency)^penalty when the net's batch-1 forward
 * latency per image is over the target, the accuracy unchanged otherwise. A multiplicative
 * penalty keeps the reward in [0, 1] and ranks two equally slow nets by accuracy.
 */
export function shapedReward(accuracy: number, batch1MsPerImage: number | null, constraints: ConstraintSetup): number {
  const target = constraints.latencyTargetMs;
  if (target === null || batch1MsPerImage === null || batch1MsPerImage <= target) return accuracy;
  return accuracy * Math.pow(target / batch1MsPerImage, constraints.latencyPenalty);
}

export interface EntryContext {
  readonly netString: string;
  readonly iterations: readonly number[];
  readonly epsilon: number;
  readonly classes: number;
  readonly trainedBy: string;
  readonly constraints: ConstraintSetup;
  /** The stopping rule's verdict when it ended the net early: the agent learns from `predicted`. */
  readonly earlyStop?: NonNullable<ReplayEntry['earlyStop']>;
  readonly now: number;
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * A trainer's result as a replay entry. A net too large to train scores chance accuracy (the
 * paper scores nets that fail to learn that way; a net we cannot run is no better).
 */
export function replayEntryFromResult(result: TrainResult, ctx: EntryContext): ReplayEntry {
  const chance = 1 / ctx.classes;
  const adapter = result.backend.adapter
    ? [result.backend.adapter.vendor, result.backend.adapter.architecture].filter(Boolean).join(' ')
    : null;
  const common = {
    netString: ctx.netString,
    iterations: ctx.iterations,
    epsilon: ctx.epsilon,
    params: result.paramCount,
    multiplyAdds: result.multiplyAdds,
    trainedBy: ctx.trainedBy,
    backend: result.backend.backend,
    adapter,
    finishedAt: ctx.now,
    source: 'trained' as const,
  };
  if (result.status === 'too-large') {
    return {
      ...common,
      bestValAccuracy: chance,
      finalValAccuracy: chance,
      testAccuracy: null,
      valCurve: [],
      latency: null,
      reward: chance,
      timings: null,
      status: 'too-large',
    };
  }
  const earlyStop = result.stoppedAfterEpoch !== null && ctx.earlyStop ? { ...ctx.earlyStop, afterEpoch: result.stoppedAfterEpoch } : undefined;
  const latency = result.latency
    ? {
        batch1Ms: result.latency.batch1MsPerImage,
        batchNPerImageMs: result.latency.largeBatchMsPerImage,
        batchSize: Math.max(1, result.latency.largeBatchSize),
      }
    : null;
  return {
    ...common,
    bestValAccuracy: clamp01(result.bestValidationAccuracy),
    finalValAccuracy: clamp01(result.finalValidationAccuracy),
    testAccuracy: result.testAccuracy === null ? null : clamp01(result.testAccuracy),
    valCurve: result.curve.map((e) => ({
      accuracy: clamp01(e.validationAccuracy),
      loss: Number.isFinite(e.validationLoss) ? e.validationLoss : 1e9,
    })),
    latency,
    // Stopped early, the net is scored by its predicted final accuracy, as in Baker et al. 2017.
    reward: shapedReward(earlyStop ? earlyStop.predicted : clamp01(result.reward), latency?.batch1Ms ?? null, ctx.constraints),
    timings: {
      buildMs: result.timings.buildMs,
      firstBatchMs: result.timings.firstBatchMs,
      trainingMs: result.timings.trainMs,
      evaluationMs: result.timings.evaluateMs,
    },
    status: result.failedToLearn ? 'failed-to-learn' : 'ok',
    // Images per epoch: a budget's calibration divides the training time by them.
    trainImages: Math.max(1, result.trainImages),
    ...(earlyStop ? { earlyStop } : {}),
  };
}

/** The entry for a job that failed on every attempt: chance accuracy, so the schedule moves on. */
export function failedEntry(
  ctx: Omit<EntryContext, 'constraints'> & { readonly params: number; readonly multiplyAdds: number },
): ReplayEntry {
  const chance = 1 / ctx.classes;
  return {
    netString: ctx.netString,
    iterations: ctx.iterations,
    epsilon: ctx.epsilon,
    bestValAccuracy: chance,
    finalValAccuracy: chance,
    testAccuracy: null,
    valCurve: [],
    params: ctx.params,
    multiplyAdds: ctx.multiplyAdds,
    latency: null,
    reward: chance,
    trainedBy: ctx.trainedBy,
    backend: null,
    adapter: null,
    timings: null,
    finishedAt: ctx.now,
    status: 'failed',
    source: 'trained',
  };
}
