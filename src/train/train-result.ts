/** The end of a successful run: test accuracy, latency and weights of the final model, and the result record. */
import type * as tf from '@tensorflow/tfjs';
import { currentBackendInfo } from './backend';
import { evaluateModel, measureLatency } from './evaluate';
import type { Clock, RunContext } from './train-run';
import type { EpochRecord, TrainSuccess } from './types';
import { serializeWeights } from './weights';

/** Test accuracy, latency and weights of the final model, and the result record. */
export async function finishRun(
  model: tf.LayersModel,
  ctx: RunContext,
  run: { curve: EpochRecord[]; failed: boolean; stoppedAfterEpoch: number | null; learningRatesTried: number[]; clock: Clock },
): Promise<TrainSuccess> {
  const { job, config, classes, dataset } = ctx;
  const { clock, curve } = run;
  const test = dataset.splits.get('test');
  const evaluateStart = performance.now();
  const bestValidationAccuracy = Math.max(...curve.map((r) => r.validationAccuracy));
  // A net stopped early is not worth a test pass (that time is what stopping saves), nor is one
  // below the nets that can be shown as the best (the leader's threshold).
  const threshold = job.testIfValidationAtLeast ?? null;
  const testAccuracy =
    test && run.stoppedAfterEpoch === null && (threshold === null || bestValidationAccuracy >= threshold)
      ? (await evaluateModel(model, test, classes, config.evaluationBatchSize, config.savings)).accuracy
      : null;
  clock.evaluateMs += performance.now() - evaluateStart;
  const latencyStart = performance.now();
  const latency =
    config.latencyBatchSize > 0
      ? await measureLatency(model, dataset.inputShape, config.latencyBatchSize, config.latencyRepeats)
      : null;
  const latencyMs = performance.now() - latencyStart;
  const weights = config.returnWeights ? await serializeWeights(model) : null;
  const finalValidationAccuracy = curve[curve.length - 1]?.validationAccuracy ?? 0;
  return {
    status: 'done',
    jobId: job.id,
    // Paper: a net that failed to learn at every learning rate is scored at chance.
    reward: run.failed ? 1 / classes : bestValidationAccuracy,
    curve,
    bestValidationAccuracy,
    finalValidationAccuracy,
    testAccuracy,
    failedToLearn: run.failed,
    stoppedAfterEpoch: run.stoppedAfterEpoch,
    learningRatesTried: run.learningRatesTried,
    trainImages: ctx.trainIndices.length,
    paramCount: model.countParams(),
    multiplyAdds: ctx.multiplyAdds,
    estimatedMemoryBytes: ctx.estimatedMemoryBytes,
    latency,
    timings: {
      buildMs: clock.buildMs,
      firstBatchMs: clock.firstBatchMs ?? 0,
      trainMs: clock.trainMs,
      evaluateMs: clock.evaluateMs,
      latencyMs,
      totalMs: performance.now() - ctx.startedAt,
    },
    backend: currentBackendInfo(),
    weights,
  };
}
