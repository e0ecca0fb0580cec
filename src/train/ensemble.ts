/**
 * The final phase's ensemble (spec section 3): the average of K models' softmax outputs.
 * Members are evaluated one at a time, so only one model is on the device at once; each
 * leaves its [count, classes] outputs behind for the average.
 */
import * as tf from '@tensorflow/tfjs';
import { outputClasses } from './build-model';
import type { DatasetCache } from './dataset-cache';
import { requireSplit } from './dataset-cache';
import { ensembleAccuracy, predictSplit } from './evaluate';
import type { EnsembleRequest, EnsembleResult } from './types';
import { modelFromWeights } from './weights';

const DEFAULT_BATCH = 256;

export async function evaluateEnsemble(request: EnsembleRequest, cache: DatasetCache): Promise<EnsembleResult> {
  if (request.members.length === 0) throw new Error('evaluateEnsemble: no members');
  const dataset = cache.get(request.datasetId);
  const split = requireSplit(dataset, request.subset);
  const batchSize = request.batchSize ?? DEFAULT_BATCH;
  const outputs: tf.Tensor2D[] = [];
  try {
    request.members.forEach((member, i) => {
      let model: tf.LayersModel;
      try {
        const classes = outputClasses(member.net);
        if (classes !== dataset.classes) {
          throw new Error(`the net ends in SM(${classes}) but dataset "${dataset.id}" has ${dataset.classes} classes`);
        }
        model = modelFromWeights(member.net, dataset.inputShape, member.weights);
      } catch (error) {
        throw new Error(`Ensemble member ${i}: ${(error as Error).message}`);
      }
      try {
        outputs.push(predictSplit(model, split, batchSize));
      } finally {
        model.dispose();
      }
    });
    const { accuracy, memberAccuracies } = await ensembleAccuracy(outputs, split.labels);
    return { accuracy, memberAccuracies, count: split.count };
  } finally {
    tf.dispose(outputs);
  }
}
