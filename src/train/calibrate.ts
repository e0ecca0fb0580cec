/**
 * `auto`'s measurement (issue 15): a few training steps of one small net on each backend this
 * worker can start, timed after a warm-up step (shader compilation), so the page can pick the
 * fastest instead of guessing. Runs in a worker of its own, which is discarded afterwards: it
 * leaves TF.js on the last backend it tried.
 */
import * as tf from '@tensorflow/tfjs';
import { parseNetwork } from '../core/index';
import { chooseKernels, initBackend } from './backend';
import { buildModel } from './build-model';
import { crossEntropy } from './evaluate';
import type { BackendName, BackendSpeed } from './types';

/** Small and typical of the first nets a search tries: two convs, two pools, one FC. */
export const CALIBRATION_NET = '[C(8,3,1), P(2,2), C(16,3,1), P(2,2), FC(32), SM(10)]';
const INPUT = { height: 28, width: 28, channels: 1 } as const;
const BATCH = 32;

export interface CalibrationOptions {
  /** Timed steps stop once they took this long (at least `minSteps`, at most `maxSteps`). */
  readonly budgetMs?: number;
  readonly minSteps?: number;
  readonly maxSteps?: number;
}

export async function measureBackends(backends: readonly BackendName[], options: CalibrationOptions = {}): Promise<BackendSpeed[]> {
  const speeds: BackendSpeed[] = [];
  for (const backend of backends) speeds.push(await measureBackend(backend, options));
  return speeds;
}

async function measureBackend(name: BackendName, options: CalibrationOptions): Promise<BackendSpeed> {
  const { budgetMs = 600, minSteps = 2, maxSteps = 8 } = options;
  let info;
  try {
    info = await initBackend(name);
  } catch (error) {
    return { backend: name, imagesPerSecond: null, adapter: null, error: (error as Error).message };
  }
  if (info.backend !== name) return { backend: name, imagesPerSecond: null, adapter: null, error: info.fallbackReason ?? `TF.js is on ${info.backend}` };
  chooseKernels(true);
  const model = buildModel(parseNetwork(CALIBRATION_NET), INPUT, 1);
  const optimizer = tf.train.adam(0.001);
  const xs = tf.randomUniform([BATCH, INPUT.height, INPUT.width, INPUT.channels], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 10), 'int32');
  const step = async (): Promise<void> => {
    const cost = optimizer.minimize(() => crossEntropy(model.apply(xs, { training: true }) as tf.Tensor2D, ys, 10).mean() as tf.Scalar, true);
    await cost?.data();
    cost?.dispose();
  };
  try {
    await step();
    const start = performance.now();
    let steps = 0;
    while (steps < maxSteps && (steps < minSteps || performance.now() - start < budgetMs)) {
      await step();
      steps++;
    }
    const seconds = (performance.now() - start) / 1000;
    return { backend: name, imagesPerSecond: (steps * BATCH) / seconds, adapter: info.adapter };
  } catch (error) {
    return { backend: name, imagesPerSecond: null, adapter: info.adapter, error: (error as Error).message };
  } finally {
    model.dispose();
    optimizer.dispose();
    xs.dispose();
    ys.dispose();
  }
}
