#!/usr/bin/env node
/**
 * Trains a few candidates in a real browser worker and prints what the trainer reports:
 * backend and adapter, build / first batch (shader compilation) / training / evaluation
 * times, throughput and forward latency; and, as the baseline measured in the same run,
 * the same nets trained with plain `model.fit` in a worker of their own on the same
 * backend and data. Doubles as a smoke test of src/train on WebGPU.
 *
 *   node scripts/bench-train.mjs [--backend webgpu|webgl|cpu|auto] [--side 28] [--images 256]
 *                                [--epochs 1] [--batch 64] [--nets "[C(8,3,1), P(2,2), SM(4)]";"..."]
 *                                [--no-baseline] [--out bench/results/train.json]
 *
 * Builds a throwaway page with Vite (the worker bundled exactly as the app bundles it),
 * serves it on 127.0.0.1, and drives Chromium (CHROMIUM_PATH, default /usr/bin/chromium)
 * with --enable-unsafe-webgpu. Exits non-zero if any job fails or the backend asked for
 * is not the one that ran. scripts/bench.mjs imports `runTrainBench` for its part 1.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { build } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = (path) => JSON.stringify(join(root, path));

export const DEFAULT_NETS = [
  '[C(8,3,1), P(2,2), SM(4)]',
  '[C(16,3,1), P(2,2), C(16,3,1), P(2,2), FC(32), SM(4)]',
  '[C(8,3,1), P(2,2), SM(4)]',
];

/** Synthetic 4-class images (one bright quadrant each), seeded; shared by page and baseline worker. */
const imagesSource = `
export function images(count, side, seed) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const px = new Uint8Array(count * side * side);
  const labels = new Uint8Array(count);
  const half = side >> 1;
  for (let n = 0; n < count; n++) {
    const label = n % 4;
    labels[n] = label;
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const lit = (y >= half) === label >= 2 && (x >= half) === (label % 2 === 1);
        px[n * side * side + y * side + x] = (lit ? 140 : 0) + Math.floor(next() * 100);
      }
  }
  return { images: px, labels, count };
}
export function payload(options) {
  const side = options.side;
  return {
    inputShape: { height: side, width: side, channels: 1 },
    classes: 4,
    train: images(options.images, side, 1),
    validation: images(Math.max(64, options.images >> 2), side, 2),
    test: images(Math.max(64, options.images >> 2), side, 3),
  };
}
`;

/**
 * The baseline: the same model (src/train/build-model.ts), the same data already on the
 * device (src/train/dataset-cache.ts), Adam at the same rate, trained by tf's model.fit.
 */
const fitWorker = `
import * as tf from '@tensorflow/tfjs';
import { expose } from 'comlink';
import { insertDropout, parseNetwork } from ${src('src/core/index.ts')};
import { initBackend } from ${src('src/train/backend.ts')};
import { buildModel } from ${src('src/train/build-model.ts')};
import { DatasetCache } from ${src('src/train/dataset-cache.ts')};

const cache = new DatasetCache();
expose({
  init: (backend) => initBackend(backend),
  /** Upload and normalisation of every split, read back so the time is real. */
  async upload(payload) {
    const started = performance.now();
    const dataset = cache.load('bench', payload);
    for (const split of dataset.splits.values()) await split.chunks[0].slice([0, 0, 0, 0], [1, 1, 1, 1]).data();
    return performance.now() - started;
  },
  async fit({ net, epochs, batch, learningRate, seed }) {
    const dataset = cache.get('bench');
    const train = dataset.splits.get('train');
    // The bench's few hundred images are one tensor (chunks only start past the device's largest buffer).
    if (train.chunks.length !== 1) throw new Error(\`the bench's training split is in \${train.chunks.length} chunks\`);
    const images = train.chunks[0];
    const ys = tf.oneHot(train.labels, dataset.classes);
    const model = buildModel(insertDropout(parseNetwork(net), 'seed'), dataset.inputShape, seed);
    model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy' });
    try {
      // One batch first, timed apart as the trainer's firstBatchMs is (shader compilation).
      const first = performance.now();
      const xb = images.slice(0, Math.min(batch, train.count));
      const yb = ys.slice(0, Math.min(batch, train.count));
      await model.trainOnBatch(xb, yb);
      tf.dispose([xb, yb]);
      const firstBatchMs = performance.now() - first;
      const started = performance.now();
      const history = await model.fit(images, ys, { epochs, batchSize: batch, shuffle: true, yieldEvery: 'never', verbose: 0 });
      const fitMs = performance.now() - started;
      return { status: 'done', backend: tf.getBackend(), firstBatchMs, fitMs, images: train.count * epochs, loss: history.history.loss.at(-1) };
    } finally {
      model.dispose();
      ys.dispose();
    }
  },
});
`;

// The page: one TrainerPool and one baseline worker, jobs in turn.
const harness = `
import { wrap } from 'comlink';
import { parseNetwork } from ${src('src/core/index.ts')};
import { TrainerPool } from ${src('src/train/trainer-pool.ts')};
import { payload } from './images.js';

window.runBench = async (options) => {
  const pool = new TrainerPool({ backend: options.backend });
  const data = payload(options);
  pool.setDataset('bench', data);
  let baseline = null;
  let fitWorker = null;
  if (options.baseline) {
    fitWorker = new Worker(new URL('./fit.worker.js', import.meta.url), { type: 'module' });
    baseline = wrap(fitWorker);
    await baseline.init(options.backend);
  }
  const uploadMs = baseline ? await baseline.upload(data) : null;
  const results = [];
  for (const [i, text] of options.nets.entries()) {
    const runFit = async () => {
      if (!baseline) return undefined;
      try {
        return await baseline.fit({ net: text, epochs: options.epochs, batch: options.batch, learningRate: 0.003, seed: i });
      } catch (error) {
        return { status: 'failed', error: String(error && error.message || error) };
      }
    };
    // Whoever trains a new architecture first may leave compiled shaders behind for the other
    // (the GPU process is shared): 'alternate' lets the baseline go first on every other net.
    const fitFirst = options.order === 'fit-first' || (options.order === 'alternate' && i % 2 === 1);
    const fitBefore = fitFirst ? await runFit() : undefined;
    const started = performance.now();
    const result = await pool.train({
      id: 'bench-' + i,
      net: parseNetwork(text),
      datasetId: 'bench',
      seed: i,
      config: { epochs: options.epochs, batchSize: options.batch, latencyBatchSize: 64, latencyRepeats: 2, learningRate: 0.003 },
    });
    const { weights, ...rest } = result;
    const row = { net: text, wallMs: performance.now() - started, weightBytes: weights ? weights.data.byteLength : 0, ...rest };
    row.fit = fitFirst ? fitBefore : await runFit();
    row.first = baseline ? (fitFirst ? 'fit' : 'trainer') : 'trainer';
    results.push(row);
  }
  const memory = await pool.memory();
  pool.terminate();
  fitWorker?.terminate();
  return { backend: pool.backend, memory, uploadMs, results };
};
window.benchReady = true;
`;

/**
 * Steady-state images per second of the trainer (first batch excluded) and of model.fit
 * (warm-up batch excluded), their ratio, and achieved multiply-adds per second counted as
 * 3 × the forward multiply-adds per image (backward ≈ 2 forwards: input and weight gradients).
 */
export function throughput(row, { epochs, batch }) {
  if (row.status !== 'done') return null;
  const images = row.trainImages * epochs - Math.min(batch, row.trainImages);
  const trainer = row.timings.trainMs > 0 ? (images * 1000) / row.timings.trainMs : null;
  const fit = row.fit?.status === 'done' && row.fit.fitMs > 0 ? (row.fit.images * 1000) / row.fit.fitMs : null;
  return {
    trainerImagesPerSecond: trainer,
    fitImagesPerSecond: fit,
    speedup: trainer !== null && fit !== null ? trainer / fit : null,
    trainerMultiplyAddsPerSecond: trainer === null ? null : 3 * row.multiplyAdds * trainer,
    fitMultiplyAddsPerSecond: fit === null ? null : 3 * row.multiplyAdds * fit,
  };
}

/**
 * Builds the harness, runs it in headless Chromium, returns the report.
 * @param {{ backend?: string, side?: number, images?: number, epochs?: number, batch?: number,
 *           nets?: string[], baseline?: boolean, order?: 'trainer-first' | 'fit-first' | 'alternate', timeoutS?: number, log?: (line: string) => void }} options
 */
export async function runTrainBench(options = {}) {
  const o = {
    backend: 'webgpu',
    side: 28,
    images: 256,
    epochs: 1,
    batch: 64,
    nets: DEFAULT_NETS,
    baseline: true,
    order: 'alternate',
    timeoutS: 540,
    log: (line) => process.stderr.write(line),
    ...options,
  };
  const work = await mkdtemp(join(tmpdir(), 'bench-train-'));
  const server = createServer();
  let browser;
  try {
    await writeFile(join(work, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="./bench.ts"></script>');
    await writeFile(join(work, 'bench.ts'), harness);
    await writeFile(join(work, 'images.js'), imagesSource);
    await writeFile(join(work, 'fit.worker.js'), fitWorker);
    await build({
      root: work,
      configFile: false,
      logLevel: 'warn',
      // The page and the baseline worker live in a temp folder: resolve their bare imports here.
      resolve: { alias: [{ find: /^(@tensorflow\/tfjs|comlink)$/, replacement: join(root, 'node_modules', '$1') }] },
      worker: { format: 'es' },
      build: { outDir: join(work, 'dist'), target: 'es2022', chunkSizeWarningLimit: 8192 },
    });
    const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    server.on('request', async (req, res) => {
      const path = join(work, 'dist', decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '/index.html')));
      try {
        const body = await readFile(path);
        res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    const port = server.address().port;

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage();
    page.on('console', (m) => o.log(`[page] ${m.text()}\n`));
    page.on('pageerror', (e) => o.log(`[page error] ${e.message}\n`));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => window.benchReady === true);
    page.setDefaultTimeout(o.timeoutS * 1000);
    const report = await page.evaluate((options) => window.runBench(options), {
      backend: o.backend,
      side: o.side,
      images: o.images,
      epochs: o.epochs,
      batch: o.batch,
      nets: o.nets,
      baseline: o.baseline,
      order: o.order,
    });
    for (const row of report.results) row.throughput = throughput(row, o);
    const { log: _log, ...recorded } = o;
    return { date: new Date().toISOString(), options: recorded, browser: `Chromium ${browser.version()}`, ...report };
  } finally {
    await browser?.close();
    server.close();
    await rm(work, { recursive: true, force: true });
  }
}

const TRAIN_USAGE = `npm run bench:train -- [options]   the trainer against plain model.fit, in headless Chromium
  --backend webgpu|webgl|cpu|auto   (webgpu)
  --images N      training images (256)      --side N    image side in pixels (28)
  --epochs N      (1)                        --batch N   batch size (64)
  --nets "A;B"    net strings separated by ;  --no-baseline   skip model.fit
  --order trainer-first|fit-first|alternate   who trains each net first (alternate: the baseline on odd nets)
  --out FILE      also write the JSON report here
  --timeout S     seconds before giving up (540)`;

async function main() {
  let parsed;
  try {
    parsed = parseTrainArgs();
  } catch (error) {
    process.stderr.write(`npm run bench:train: ${error.message}\n${TRAIN_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(`${TRAIN_USAGE}\n`);
    return;
  }
  const args = parsed;
  if (!['trainer-first', 'fit-first', 'alternate'].includes(args.order)) {
    process.stderr.write(`npm run bench:train: --order must be trainer-first, fit-first or alternate, got ${JSON.stringify(args.order)}\n`);
    process.exitCode = 2;
    return;
  }
  for (const key of ['side', 'images', 'epochs', 'batch', 'timeout']) {
    if (!(Number(args[key]) > 0) || !Number.isInteger(Number(args[key]))) {
      process.stderr.write(`npm run bench:train: --${key} must be a positive integer, got ${JSON.stringify(args[key])}\n`);
      process.exitCode = 2;
      return;
    }
  }
  await runMain(args);
}

function parseTrainArgs() {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'webgpu' },
      side: { type: 'string', default: '28' },
      images: { type: 'string', default: '256' },
      epochs: { type: 'string', default: '1' },
      batch: { type: 'string', default: '64' },
      nets: { type: 'string', default: DEFAULT_NETS.join(';') },
      'no-baseline': { type: 'boolean', default: false },
      order: { type: 'string', default: 'alternate' },
      out: { type: 'string' },
      timeout: { type: 'string', default: '540' },
    },
  });
  return values;
}

async function runMain(args) {
  const report = await runTrainBench({
    backend: args.backend,
    side: Number(args.side),
    images: Number(args.images),
    epochs: Number(args.epochs),
    batch: Number(args.batch),
    nets: args.nets.split(';').map((s) => s.trim()).filter(Boolean),
    baseline: !args['no-baseline'],
    order: args.order,
    timeoutS: Number(args.timeout),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (args.out) {
    await mkdir(dirname(resolve(args.out)), { recursive: true });
    await writeFile(resolve(args.out), `${JSON.stringify(report, null, 2)}\n`);
  }
  const failed = report.results.filter((r) => r.status !== 'done');
  if (args.backend !== 'auto' && report.backend?.backend !== args.backend) {
    process.stderr.write(`asked for ${args.backend}, ran on ${report.backend?.backend}: ${report.backend?.fallbackReason}\n`);
    process.exitCode = 1;
  }
  if (failed.length > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
