/**
 * The manifest.json and index.json that scripts/build-datasets.ts writes under
 * public/datasets/. Validated with valibot on load: they arrive over the network (or from
 * a service-worker cache written by an older build).
 */
import * as v from 'valibot';
import type { InputShape } from '../core/types';

export const SHIPPED_FORMAT = 'metaqnn-dataset';
export const SHIPPED_INDEX_FORMAT = 'metaqnn-dataset-index';
export const SHIPPED_FORMAT_VERSION = 1;

/** Dataset ids are folder names: lower-case letters, digits and dashes. */
export const DATASET_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const positive = v.pipe(v.number(), v.integer(), v.minValue(1));
const sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'));
const datasetId = v.pipe(v.string(), v.regex(DATASET_ID_PATTERN, 'expected lower-case letters, digits and dashes'));

const ShippedFileSchema = v.object({
  /** File name inside the dataset's folder. */
  path: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a plain file name')),
  bytes: count,
  sha256,
});

const ShapeSchema = v.object({ height: positive, width: positive, channels: v.picklist([1, 3]) });

export const ShippedManifestSchema = v.object({
  format: v.literal(SHIPPED_FORMAT),
  formatVersion: v.literal(SHIPPED_FORMAT_VERSION),
  id: datasetId,
  name: v.string(),
  source: v.string(),
  licence: v.string(),
  shape: ShapeSchema,
  classNames: v.pipe(v.array(v.string()), v.minLength(2), v.maxLength(256)),
  counts: v.object({ train: positive, test: positive }),
  perClass: v.object({ train: v.array(count), test: v.array(count) }),
  normalization: v.object({ kind: v.literal('scale'), divisor: v.literal(255) }),
  split: v.object({
    method: v.picklist(['given', 'stratified-random']),
    seed: v.optional(count),
    testFraction: v.optional(v.number()),
    description: v.string(),
  }),
  files: v.object({ trainImages: ShippedFileSchema, trainLabels: ShippedFileSchema, testImages: ShippedFileSchema, testLabels: ShippedFileSchema }),
  checksum: sha256,
});
export type ShippedManifest = v.InferOutput<typeof ShippedManifestSchema>;
export type ShippedFileKey = keyof ShippedManifest['files'];

export const ShippedIndexSchema = v.object({
  format: v.literal(SHIPPED_INDEX_FORMAT),
  formatVersion: v.literal(SHIPPED_FORMAT_VERSION),
  datasets: v.array(
    v.object({
      id: datasetId,
      name: v.string(),
      /** Path of the manifest relative to index.json. */
      manifest: v.string(),
      shape: ShapeSchema,
      classCount: positive,
      counts: v.object({ train: positive, test: positive }),
      /** Sum of the binary files' sizes: what loading downloads. */
      bytes: count,
    }),
  ),
});
export type ShippedIndex = v.InferOutput<typeof ShippedIndexSchema>;

/** Parsed, or a one-line reason naming the first bad field. */
export function parseWith<T>(schema: v.GenericSchema<unknown, T>, value: unknown): { ok: true; value: T } | { ok: false; reason: string } {
  const result = v.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.output };
  const [issue] = result.issues;
  const path = v.getDotPath(issue) ?? '(root)';
  return { ok: false, reason: `${path}: ${issue.message}` };
}

/** Sizes and counts that must agree with each other; returns the first disagreement. */
export function manifestInconsistency(manifest: ShippedManifest): string | undefined {
  const shape: InputShape = manifest.shape;
  const imageSize = shape.height * shape.width * shape.channels;
  const { files, counts, perClass, classNames } = manifest;
  const expect: [ShippedFileKey, number][] = [
    ['trainImages', counts.train * imageSize],
    ['trainLabels', counts.train],
    ['testImages', counts.test * imageSize],
    ['testLabels', counts.test],
  ];
  for (const [key, bytes] of expect) {
    if (files[key].bytes !== bytes) return `files.${key}.bytes is ${files[key].bytes}, but the counts and shape need ${bytes}`;
  }
  for (const split of ['train', 'test'] as const) {
    if (perClass[split].length !== classNames.length) return `perClass.${split} has ${perClass[split].length} entries for ${classNames.length} classes`;
    const sum = perClass[split].reduce((a, b) => a + b, 0);
    if (sum !== counts[split]) return `perClass.${split} sums to ${sum}, but counts.${split} is ${counts[split]}`;
  }
  return undefined;
}
