/**
 * Turns a loaded dataset into what every trainer of one search trains on: a validation set
 * drawn from the training split keeping the class distribution (the seed's rule), a stratified
 * training sample of the configured size, and the test images. Seeded by the search, so every
 * tab of a search trains every candidate on exactly the same images.
 */
import { gatherImageSet, stratifiedSubset, stratifiedValidationSplit, type ImageDataset } from '../data';
import type { DatasetPayload } from '../train/types';
import type { DataSetup, SearchConfig } from './config';

export interface PreparedDataset {
  /** Cache key for the trainer workers: dataset, seed and sizes. */
  readonly payloadId: string;
  readonly payload: DatasetPayload;
  readonly classNames: readonly string[];
}

export function preparePayload(dataset: ImageDataset, config: Pick<SearchConfig, 'seed' | 'data'>): PreparedDataset {
  const { meta, train, test } = dataset;
  const shape = meta.shape;
  const data: DataSetup = config.data;
  const where = `dataset ${meta.id}`;
  if (data.validationSize >= train.count) {
    throw new Error(`${where}: validation size ${data.validationSize} needs more than the ${train.count} training images`);
  }
  const split = stratifiedValidationSplit(train.labels, data.validationSize, config.seed);
  let trainIndices = split.train;
  if (data.trainSize !== null && data.trainSize < trainIndices.length) {
    const remainingLabels = Uint8Array.from(trainIndices, (i) => train.labels[i] as number);
    const picked = stratifiedSubset(remainingLabels, data.trainSize, config.seed ^ 0x5bd1e995);
    trainIndices = Uint32Array.from(picked, (k) => trainIndices[k] as number);
  }
  let testSet = test;
  if (data.testSize !== null && data.testSize < test.count) {
    testSet = gatherImageSet(test, stratifiedSubset(test.labels, data.testSize, config.seed ^ 0x27d4eb2f), shape);
  }
  const payload: DatasetPayload = {
    inputShape: shape,
    classes: meta.classNames.length,
    train: gatherImageSet(train, trainIndices, shape),
    validation: gatherImageSet(train, split.validation, shape),
    test: testSet,
  };
  const payloadId = [meta.id, meta.checksum.slice(0, 12), config.seed, data.validationSize, data.trainSize ?? 'all', data.testSize ?? 'all'].join(':');
  return { payloadId, payload, classNames: meta.classNames };
}

/**
 * Progressive data (seed extension): the share of the training sample used at ε level
 * `level` of `levels` grows linearly from `progressiveStart` at the first level to all of
 * it at the last. Without the option, every candidate trains on the whole sample.
 */
export function trainSampleSize(data: DataSetup, trainCount: number, level: number, levels: number): number | null {
  if (!data.progressive || levels <= 1) return null;
  const t = Math.min(1, Math.max(0, level / (levels - 1)));
  const share = data.progressiveStart + (1 - data.progressiveStart) * t;
  const size = Math.round(trainCount * share);
  return size >= trainCount ? null : Math.max(1, size);
}
