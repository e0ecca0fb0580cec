#!/usr/bin/env node
/**
 * Trains a few candidates in a real browser worker and prints what the trainer reports:
 * backend and adapter, build / first batch (shader compilation) / training / evaluation
 * times, throughput and forward latency. Doubles as a smoke test of src/train on WebGPU.
 *
 *   node scripts/bench-train.mjs [--backend webgpu|webgl|cpu|auto] [--side 28] [--images 256]
 *                                [--epochs 1] [--batch 64] [--nets "[C(8,3,1), P(2,2), SM(4)]";"..."]
 *                                [--out bench/results/train.json]
 *
 * Builds a throwaway page with Vite (the worker bundled exactly as the app bundles it),
 * serves it on 127.0.0.1, and drives Chromium (CHROMIUM_PATH, default /usr/bin/chromium)
 * with --enable-unsafe-webgpu. Exits non-zero if any job fails or the backend asked for
 * is not the one that ran.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { build } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'webgpu' },
    side: { type: 'string', default: '28' },
    images: { type: 'string', default: '256' },
    epochs: { type: 'string', default: '1' },
    batch: { type: 'string', default: '64' },
    nets: { type: 'string', default: '[C(8,3,1), P(2,2), SM(4)];[C(16,3,1), P(2,2), C(16,3,1), P(2,2), FC(32), SM(4)];[C(8,3,1), P(2,2), SM(4)]' },
    out: { type: 'string' },
    timeout: { type: 'string', default: '540' },
  },
});

// The page: synthetic 4-class images (one bright quadrant each), one TrainerPool, jobs in turn.
const harness = `
import { parseNetwork } from ${JSON.stringify(join(root, 'src/core/index.ts'))};
import { TrainerPool } from ${JSON.stringify(join(root, 'src/train/trainer-pool.ts'))};

function images(count, side, seed) {
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

window.runBench = async (options) => {
  const pool = new TrainerPool({ backend: options.backend });
  const side = options.side;
  pool.setDataset('bench', {
    inputShape: { height: side, width: side, channels: 1 },
    classes: 4,
    train: images(options.images, side, 1),
    validation: images(Math.max(64, options.images >> 2), side, 2),
    test: images(Math.max(64, options.images >> 2), side, 3),
  });
  const results = [];
  for (const [i, text] of options.nets.entries()) {
    const started = performance.now();
    const result = await pool.train({
      id: 'bench-' + i,
      net: parseNetwork(text),
      datasetId: 'bench',
      seed: i,
      config: { epochs: options.epochs, batchSize: options.batch, latencyBatchSize: 64, latencyRepeats: 2, learningRate: 0.003 },
    });
    const { weights, ...rest } = result;
    results.push({ net: text, wallMs: performance.now() - started, weightBytes: weights ? weights.data.byteLength : 0, ...rest });
  }
  const memory = await pool.memory();
  pool.terminate();
  return { backend: pool.backend, memory, results };
};
window.benchReady = true;
`;

const work = await mkdtemp(join(tmpdir(), 'bench-train-'));
const server = createServer();
let browser;
try {
  await writeFile(join(work, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="./bench.ts"></script>');
  await writeFile(join(work, 'bench.ts'), harness);
  await build({
    root: work,
    configFile: false,
    logLevel: 'warn',
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
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => window.benchReady === true);
  page.setDefaultTimeout(Number(args.timeout) * 1000);
  const report = await page.evaluate((options) => window.runBench(options), {
    backend: args.backend,
    side: Number(args.side),
    images: Number(args.images),
    epochs: Number(args.epochs),
    batch: Number(args.batch),
    nets: args.nets.split(';').map((s) => s.trim()).filter(Boolean),
  });
  const output = { date: new Date().toISOString(), options: args, ...report };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  if (args.out) {
    await mkdir(dirname(resolve(args.out)), { recursive: true });
    await writeFile(resolve(args.out), `${JSON.stringify(output, null, 2)}\n`);
  }
  const failed = report.results.filter((r) => r.status !== 'done');
  if (args.backend !== 'auto' && report.backend?.backend !== args.backend) {
    process.stderr.write(`asked for ${args.backend}, ran on ${report.backend?.backend}: ${report.backend?.fallbackReason}\n`);
    process.exitCode = 1;
  }
  if (failed.length > 0) process.exitCode = 1;
} finally {
  await browser?.close();
  server.close();
  await rm(work, { recursive: true, force: true });
}
