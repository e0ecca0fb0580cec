/**
 * The trainer's worker-side surface (everything here may load TF.js). The page imports
 * `TrainerPool` from src/trainer-bridge and only types from './types' and './protocol', so
 * TF.js stays out of the main bundle.
 */
export { initBackend, currentBackendInfo, memoryReport, DeviceLostError } from './backend';
export { buildModel, reseedDropout, outputClasses } from './build-model';
export { DEFAULT_TRAIN_CONFIG, RULE_DECAY_FACTOR, resolveTrainConfig } from './config';
export { DatasetCache, requireSplit, type CachedDataset, type DeviceSplit } from './dataset-cache';
export { evaluateEnsemble } from './ensemble';
export { crossEntropy, ensembleAccuracy, evaluateModel, measureLatency, predictSplit, type Evaluation } from './evaluate';
export { beatsEarlierNets, failedToLearn, nextLearningRate, type LearningRateState } from './learning-rate';
export { estimateMemoryBytes } from './memory';
export type { TrainerProtocol } from './protocol';
export { createTrainerApi } from './trainer-api';
export { sampleIndices } from './sample-indices';
export { fineTune, isOutOfMemory, trainCandidate, type TrainOptions } from './trainer';
export { exportLayersModel, loadWeights, modelFromWeights, serializeWeights } from './weights';
export type * from './types';
