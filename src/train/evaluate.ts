/**
 * Accuracy and loss on a device split, ensembles, and forward latency. Results stay on
 * the device until one read at the end, so evaluation does not stall per batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { InputShape } from '../core/types';
import { type DeviceSplit, sliceImages } from './dataset-cache';
import type { LatencyReport } from './types';

/** Keeps log() finite on a saturated softmax (Keras uses the same epsilon). */
const EPSILON = 1e-7;

export interface Evaluation {
  readonly accuracy: number;
  readonly loss: number;
  readonly count: number;
}

/** Per-example cross-entropy of softmax outputs `probs` against int32 `labels`. */
export function crossEntropy(probs: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, classes).toFloat();
    const logProbs = tf.log(tf.clipByValue(probs, EPSILON, 1 - EPSILON));
    return tf.neg(tf.sum(tf.mul(oneHot, logProbs), 1)) as tf.Tensor1D;
  });
}

/**
 * Inference on one batch as one pass: `model.predict` would split it into chunks of 32
 * (its default batch size) and concatenate, which costs extra dispatches on a GPU.
 */
export function forward(model: tf.LayersModel, xs: tf.Tensor): tf.Tensor2D {
  return model.predict(xs, { batchSize: xs.shape[0] }) as tf.Tensor2D;
}

/** Softmax outputs of `model` over a whole split, [count, classes], computed in batches. */
export function predictSplit(model: tf.LayersModel, split: DeviceSplit, batchSize: number): tf.Tensor2D {
  return tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < split.count; start += batchSize) {
      const size = Math.min(batchSize, split.count - start);
      const xs = sliceImages(split, start, size);
      parts.push(forward(model, xs));
    }
    return parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat(parts, 0);
  });
}

/**
 * Accuracy and mean cross-entropy of `model` on `split`. With `fullBatches`, a short last batch
 * is read as the last full window of the split, and only its new rows are counted: one batch
 * shape, so no second set of shaders.
 */
export async function evaluateModel(
  model: tf.LayersModel,
  split: DeviceSplit,
  classes: number,
  batchSize: number,
  fullBatches = false,
): Promise<Evaluation> {
  let correct = tf.scalar(0);
  let lossSum = tf.scalar(0);
  try {
    for (let start = 0; start < split.count; start += batchSize) {
      const size = Math.min(batchSize, split.count - start);
      const begin = fullBatches && size < batchSize && split.count >= batchSize ? split.count - batchSize : start;
      const skip = start - begin;
      const [nextCorrect, nextLoss] = tf.tidy(() => {
        const xs = sliceImages(split, begin, size + skip);
        const all = forward(model, xs);
        const probs = skip > 0 ? all.slice([skip, 0], [size, -1]) : all;
        const labels = split.labels.slice([start], [size]);
        return [
          correct.add(countCorrect(probs, labels)),
          lossSum.add(crossEntropy(probs, labels, classes).sum()),
        ] as const;
      });
      correct.dispose();
      lossSum.dispose();
      correct = nextCorrect;
      lossSum = nextLoss;
    }
    const [c, l] = await Promise.all([correct.data(), lossSum.data()]);
    return { accuracy: (c[0] ?? 0) / split.count, loss: (l[0] ?? 0) / split.count, count: split.count };
  } finally {
    correct.dispose();
    lossSum.dispose();
  }
}

/** How many rows of `probs` have their argmax at the label. */
export function countCorrect(probs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.equal(tf.argMax(probs, 1), labels.toInt()).toFloat().sum() as tf.Scalar);
}

/**
 * Accuracy of the average of the members' softmax outputs (spec section 3: ensemble of
 * the top 5). `memberProbs` are [count, classes] each; they are not disposed here.
 */
export async function ensembleAccuracy(
  memberProbs: readonly tf.Tensor2D[],
  labels: tf.Tensor1D,
): Promise<{ accuracy: number; memberAccuracies: number[] }> {
  if (memberProbs.length === 0) throw new Error('Ensemble: no members');
  const count = labels.shape[0];
  const counts = tf.tidy(() => {
    const mean = tf.div(tf.addN(memberProbs as tf.Tensor2D[]), memberProbs.length) as tf.Tensor2D;
    return tf.stack([countCorrect(mean, labels), ...memberProbs.map((p) => countCorrect(p, labels))]);
  });
  const values = await counts.data();
  counts.dispose();
  const [ensemble, ...members] = Array.from(values, (v) => v / count);
  return { accuracy: ensemble ?? 0, memberAccuracies: members };
}

/**
 * Forward-pass time per image at batch 1 and at `largeBatchSize`: one warm-up pass each
 * (shader compilation), then `repeats` timed passes read back to the CPU.
 */
export async function measureLatency(
  model: tf.LayersModel,
  input: InputShape,
  largeBatchSize: number,
  repeats: number,
): Promise<LatencyReport> {
  const perImage = async (batch: number): Promise<number> => {
    const xs = tf.zeros([batch, input.height, input.width, input.channels]);
    try {
      const run = async (): Promise<void> => {
        const out = forward(model, xs);
        await out.data();
        out.dispose();
      };
      await run();
      const start = performance.now();
      for (let i = 0; i < repeats; i++) await run();
      return (performance.now() - start) / (repeats * batch);
    } finally {
      xs.dispose();
    }
  };
  const batch1MsPerImage = await perImage(1);
  const largeBatchMsPerImage = await perImage(largeBatchSize);
  return { batch1MsPerImage, largeBatchMsPerImage, largeBatchSize };
}
