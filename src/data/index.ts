/** Public API of src/data. See README.md. */
export type { DatasetMeta, ImageDataset, ImageSet, Normalization, ScaleNormalization, SplitInfo } from './types';
export { SCALE_255 } from './types';
export { DatasetImportError, DatasetLoadError } from './errors';
export type { ImportPhase, ImportProgress, TaskControl } from './progress';
export type { ImportFileInput } from './files';
export { DATASET_FORMATS, detectFormat, importDatasetFromFiles, type DatasetFormat, type ImportOptions } from './import-dataset';
export { expandArchives } from './archives';
export { importIdx, parseIdx, type IdxArray, type IdxImportOptions } from './idx';
export { CIFAR10_CLASS_NAMES, importCifar, parseCifarBatch, type CifarVariant } from './cifar';
export { readMatV5, type MatFile, type MatVariable } from './mat-v5';
export { importSvhn, SVHN_CLASS_NAMES } from './svhn';
export {
  importImageFolder,
  planImageFolder,
  sniffImageType,
  type DecodeTarget,
  type ImageDecodeInput,
  type ImageDecoder,
  type ImageFolderOptions,
  type ImageFolderPlan,
  type ImageType,
} from './image-folder';
export { createCanvasImageDecoder } from './canvas-image-decoder';
export { quotaAllocation, stratifiedSubset, stratifiedValidationSplit, type IndexSplit } from './splits';
export { countPerClass, gatherImageSet, imageBytes } from './image-set';
export { checksumFromPartHashes, datasetChecksum, importedDatasetId, DEFAULT_SPLIT_SEED, DEFAULT_TEST_FRACTION } from './dataset-meta';
export { mulberry32, shuffleInPlace, type Random } from './random';
export { listShippedDatasets, loadShippedDataset, loadShippedManifest, type LoadProgress, type LoadShippedOptions } from './load-shipped';
export { ShippedIndexSchema, ShippedManifestSchema, type ShippedIndex, type ShippedManifest } from './shipped-manifest';
