/**
 * Limits on dataset imports, all in one place. Each is checked BEFORE the work it protects
 * (reading a file, inflating, decoding an image) and a refusal (`DatasetLimitError`) names
 * the file, the limit and the value found. The largest real inputs sit well inside them:
 * CIFAR-10's binary archive is 163 MB (184 MB unpacked), SVHN's train_32x32.mat 182 MB,
 * the full EMNIST "byclass" IDX files ~700 MB unpacked.
 */
import { DatasetImportError } from './errors';

const MiB = 1024 * 1024;

/**
 * One input file, read whole into a worker's memory. 1 GiB holds every common dataset file
 * (EMNIST's largest, SVHN's train and test .mat) and stays inside browsers' ArrayBuffer
 * limits; SVHN's 1.3 GB extra_32x32.mat is refused (as float32 on a GPU it would be 5 GB).
 */
export const DATASET_FILE_MAX_BYTES = 1024 * MiB;

/**
 * Everything the archives of one import unpack to, counted as it is inflated (not from the
 * sizes an archive declares). 1.5 GiB: EMNIST byclass unpacked (~700 MB) twice over, while a
 * zip bomb stops long before a tab runs out of memory.
 */
export const DATASET_MAX_UNPACKED_BYTES = 1536 * MiB;

/** Entries in one tar or zip: a zipped image folder of 200,000 images (CIFAR-10 as PNGs is 60,000). */
export const ARCHIVE_MAX_ENTRIES = 200_000;

/** A path inside an archive: deep class folders fit in far less; a megabyte-long name does not. */
export const ARCHIVE_MAX_NAME_CHARS = 1024;

/** Archives inside archives (a .gz inside a .tar) are opened to this depth. */
export const ARCHIVE_MAX_NESTING = 3;

/** Images in an image folder: decoding is ~1 ms each, so 200,000 is minutes, not hours. */
export const IMAGE_FOLDER_MAX_FILES = 200_000;

/**
 * One image's pixels, read from its header before decoding: a decoder makes RGBA of the full
 * image first, so 50 megapixels is 200 MB. Phone photos are 12 to 48 megapixels.
 */
export const IMAGE_MAX_PIXELS = 50_000_000;

/** One image side, for the same reason (a 1×50,000,000 strip would pass the pixel count). */
export const IMAGE_MAX_SIDE = 16_384;

/** A dataset import refused for its size; nothing was read past the check. */
export class DatasetLimitError extends DatasetImportError {
  constructor(
    file: string,
    /** What was measured: "the file", "its number of entries"... */
    readonly what: string,
    readonly limit: number,
    readonly found: number,
    readonly unit: string,
  ) {
    super(file, `${what} is ${found.toLocaleString('en-US')} ${unit}, over the limit of ${limit.toLocaleString('en-US')} ${unit}`);
  }
}

/** Throws `DatasetLimitError` when `found` is over `limit`. */
export function checkLimit(file: string, what: string, found: number, limit: number, unit: string): void {
  if (found > limit) throw new DatasetLimitError(file, what, limit, found, unit);
}

/** A path cut for a message: the start and the end, which say the most. */
export function shortPath(path: string, max = 160): string {
  return path.length <= max ? path : `${path.slice(0, max / 2)}…${path.slice(-max / 2)} (${path.length.toLocaleString('en-US')} characters)`;
}
