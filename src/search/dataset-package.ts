/**
 * An imported dataset as one file, to travel through the hub to other machines (issue 17):
 *
 *   "MQNN-DATASET-1\n"  (15 bytes, ASCII)
 *   header length       (4 bytes, unsigned little-endian, at most MAX_HEADER_BYTES)
 *   header              (UTF-8 JSON: { meta: DatasetMeta, partBytes: { trainImages, trainLabels, testImages, testLabels } })
 *   train images, train labels, test images, test labels  (raw, in that order)
 *
 * The hub checks the structure (`readPackageHeader`) and the checksum; a machine that receives
 * one checks everything before it keeps it (`decodeDatasetPackage`): the meta's schema, every
 * part's size against the counts and the image shape, the labels against the classes and the
 * per-class counts, and the content checksum against the meta's. Each refusal names the file.
 */
import * as v from 'valibot';
import { checksumFromPartHashes, countPerClass, DatasetLoadError, datasetChecksum, imageBytes, type ImageDataset } from '../data';
import { DATASET_FILE_MAX_BYTES } from '../data/limits';
import { checkDatasetMeta } from './catalog';

const MAGIC = new TextEncoder().encode('MQNN-DATASET-1\n');
/** The header is a DatasetMeta and four sizes: a megabyte holds 10,000 class names. */
export const MAX_HEADER_BYTES = 1024 * 1024;
/** A whole package: the largest file an import reads. */
export const MAX_PACKAGE_BYTES = DATASET_FILE_MAX_BYTES;
export const PACKAGE_PARTS = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;
export type PackagePart = (typeof PACKAGE_PARTS)[number];

/** Bytes of the magic and the length field: read these first to learn the header's length. */
export const PREFIX_BYTES = MAGIC.length + 4;

const size = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_PACKAGE_BYTES));
const HeaderSchema = v.object({
  meta: v.record(v.string(), v.unknown()),
  partBytes: v.object({ trainImages: size, trainLabels: size, testImages: size, testLabels: size }),
});

export interface PackageHeader {
  /** Not checked here: `decodeDatasetPackage` checks it. */
  readonly meta: Record<string, unknown>;
  readonly partBytes: Readonly<Record<PackagePart, number>>;
  /** Where the train images start. */
  readonly dataOffset: number;
}

/** The package's pieces in order, for a Blob (nothing is copied). */
export function encodeDatasetPackage(dataset: ImageDataset): Uint8Array[] {
  const partBytes = {
    trainImages: dataset.train.images.byteLength,
    trainLabels: dataset.train.labels.byteLength,
    testImages: dataset.test.images.byteLength,
    testLabels: dataset.test.labels.byteLength,
  };
  const header = new TextEncoder().encode(JSON.stringify({ meta: dataset.meta, partBytes }));
  if (header.length > MAX_HEADER_BYTES) throw new RangeError(`dataset ${dataset.meta.id}: its description is ${header.length} bytes, over the package's ${MAX_HEADER_BYTES}`);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, header.length, true);
  return [MAGIC, length, header, dataset.train.images, dataset.train.labels, dataset.test.images, dataset.test.labels];
}

/** Length of the header from the package's first PREFIX_BYTES bytes; throws unless it is a package. */
export function headerLength(prefix: Uint8Array, where: string): number {
  if (prefix.length < PREFIX_BYTES || MAGIC.some((b, i) => prefix[i] !== b)) throw new DatasetLoadError(where, 'not a MetaQNN dataset package (it does not start with "MQNN-DATASET-1")');
  const length = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(MAGIC.length, true);
  if (length > MAX_HEADER_BYTES) throw new DatasetLoadError(where, `its header is ${length} bytes, over the limit of ${MAX_HEADER_BYTES}`);
  return length;
}

/**
 * The header of a package of `totalBytes` from its first bytes (at least PREFIX_BYTES plus the
 * header): the structure only, so the parts' sizes add up to the whole.
 */
export function readPackageHeader(start: Uint8Array, totalBytes: number, where: string): PackageHeader {
  if (totalBytes > MAX_PACKAGE_BYTES) throw new DatasetLoadError(where, `it is ${totalBytes} bytes, over the limit of ${MAX_PACKAGE_BYTES}`);
  const length = headerLength(start, where);
  const dataOffset = PREFIX_BYTES + length;
  if (start.length < dataOffset) throw new DatasetLoadError(where, `truncated: the header needs ${length} bytes, ${Math.max(0, start.length - PREFIX_BYTES)} are there`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(start.subarray(PREFIX_BYTES, dataOffset)));
  } catch (error) {
    throw new DatasetLoadError(where, `its header is not JSON: ${(error as Error).message}`);
  }
  const result = v.safeParse(HeaderSchema, parsed);
  if (!result.success) {
    const issue = result.issues[0];
    throw new DatasetLoadError(where, `its header is invalid at ${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`);
  }
  const { meta, partBytes } = result.output;
  const expected = PACKAGE_PARTS.reduce((sum, part) => sum + partBytes[part], dataOffset);
  if (expected !== totalBytes) throw new DatasetLoadError(where, `it is ${totalBytes} bytes, its header says ${expected}: the transfer was cut short or the file is damaged`);
  return { meta, partBytes, dataOffset };
}

/** The package's content checksum from the SHA-256 (hex) of its four parts, as DatasetMeta.checksum is made. */
export function packageChecksum(hashes: Readonly<Record<PackagePart, string>>): Promise<string> {
  return checksumFromPartHashes(hashes.trainImages, hashes.trainLabels, hashes.testImages, hashes.testLabels);
}

/** A whole package, checked through and through, as the dataset it holds (views into `bytes`). */
export async function decodeDatasetPackage(bytes: Uint8Array, where: string): Promise<ImageDataset> {
  const header = readPackageHeader(bytes, bytes.length, where);
  let meta;
  try {
    meta = checkDatasetMeta(header.meta, where);
  } catch (error) {
    throw new DatasetLoadError(where, (error as Error).message.replace(`${where}: `, ''));
  }
  const parts = {} as Record<PackagePart, Uint8Array>;
  let offset = header.dataOffset;
  for (const part of PACKAGE_PARTS) {
    parts[part] = bytes.subarray(offset, offset + header.partBytes[part]);
    offset += header.partBytes[part];
  }
  const pixels = imageBytes(meta.shape);
  for (const split of ['train', 'test'] as const) {
    const count = meta.counts[split];
    const images = parts[`${split}Images`];
    const labels = parts[`${split}Labels`];
    if (!Number.isInteger(count) || count < 1) throw new DatasetLoadError(where, `its ${split} set has ${count} images`);
    if (labels.length !== count) throw new DatasetLoadError(where, `its ${split} labels are ${labels.length} bytes for ${count} images`);
    if (images.length !== count * pixels) throw new DatasetLoadError(where, `its ${split} images are ${images.length} bytes, ${count} × ${pixels} expected`);
    let perClass: number[];
    try {
      perClass = countPerClass(labels, meta.classNames.length);
    } catch (error) {
      throw new DatasetLoadError(where, `its ${split} labels: ${(error as Error).message}`);
    }
    const first = perClass.findIndex((n, c) => n !== meta.perClass[split][c]);
    if (first >= 0 || perClass.length !== meta.perClass[split].length) throw new DatasetLoadError(where, `its ${split} class ${Math.max(first, 0)} has ${perClass[Math.max(first, 0)]} images, its description says ${meta.perClass[split][Math.max(first, 0)]}`);
  }
  const dataset: ImageDataset = {
    meta,
    train: { images: parts.trainImages, labels: parts.trainLabels, count: meta.counts.train },
    test: { images: parts.testImages, labels: parts.testLabels, count: meta.counts.test },
  };
  const checksum = await datasetChecksum(dataset.train, dataset.test);
  if (checksum !== meta.checksum) throw new DatasetLoadError(where, `its content checksum ${checksum} does not match its description's ${meta.checksum}: the data was changed or damaged`);
  return dataset;
}
