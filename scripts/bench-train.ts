/**
 * Trains a few candidates in a real browser worker and prints what the trainer reports:
 * backend and adapter, build / first batch (shader compilation) / training / evaluation
 * times, throughput and forward latency; and, as the baseline measured in the same run,
 * the same nets trained with plain `model.fit` in a worker of their own on the same
 * backend and data. Doubles as a smoke test of src/train on WebGPU.
 *
 *   npm run bench:train-one -- --help
 *
 * Builds the page in scripts/bench-train-page/ with Vite (the worker bundled exactly as the
 * app bundles it), serves it on 127.0.0.1, and drives Chromium (CHROMIUM_PATH, default
 * /usr/bin/chromium) with --enable-unsafe-webgpu. Exits non-zero if any job fails or the
 * backend asked for is not the one that ran. scripts/bench.ts imports `runTrainBench` for its part 1.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';
import { ArgError } from './lib/args';
import { DEFAULT_NETS, parseTrainArgs, TRAIN_USAGE, type TrainArgs } from './lib/args-bench-train';
import { launchBrowser, newPage, RunnerError } from './lib/browser';
import type { BenchOptions, BenchPage, BenchPageReport, BenchRow } from './bench-train-page/protocol';

const here = dirname(fileURLToPath(import.meta.url));
const pageRoot = join(here, 'bench-train-page');

export interface Throughput {
  readonly trainerImagesPerSecond: number | null;
  readonly fitImagesPerSecond: number | null;
  readonly speedup: number | null;
  readonly trainerMultiplyAddsPerSecond: number | null;
  readonly fitMultiplyAddsPerSecond: number | null;
}

/**
 * Steady-state images per second of the trainer (first batch excluded) and of model.fit
 * (warm-up batch excluded), their ratio, and achieved multiply-adds per second counted as
 * 3 × the forward multiply-adds per image (backward ≈ 2 forwards: input and weight gradients).
 */
export function throughput(row: BenchRow, { epochs, batch }: { epochs: number; batch: number }): Throughput | null {
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

export interface TrainBenchOptions extends Partial<BenchOptions> {
  readonly timeoutS?: number;
  readonly log?: (line: string) => void;
}

export type TrainBenchReport = Omit<BenchPageReport, 'results'> & {
  readonly date: string;
  readonly options: BenchOptions & { timeoutS: number };
  readonly browser: string;
  readonly results: readonly (BenchRow & { throughput: Throughput | null })[];
};

/** Builds the bench page, runs it in headless Chromium, returns the report. */
export async function runTrainBench(options: TrainBenchOptions = {}): Promise<TrainBenchReport> {
  const { log = (line: string) => void process.stderr.write(line), timeoutS = 540, ...rest } = options;
  const o: BenchOptions = {
    backend: 'webgpu',
    side: 28,
    images: 256,
    epochs: 1,
    batch: 64,
    nets: DEFAULT_NETS,
    baseline: true,
    order: 'alternate',
    ...rest,
  };
  const work = await mkdtemp(join(tmpdir(), 'bench-train-'));
  const server = createHttpServer();
  let browser;
  try {
    await build({
      root: pageRoot,
      configFile: false,
      logLevel: 'warn',
      worker: { format: 'es' },
      build: { outDir: join(work, 'dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8192 },
    });
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    server.on('request', async (req, res) => {
      const path = join(work, 'dist', decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '/index.html')));
      try {
        const body = await readFile(path);
        res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;

    browser = await launchBrowser();
    const page = await newPage(browser);
    page.on('console', (m) => log(`[page] ${m.text()}\n`));
    page.on('pageerror', (e) => log(`[page error] ${e.message}\n`));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as unknown as BenchPage).benchReady === true);
    page.setDefaultTimeout(timeoutS * 1000);
    const report = await page.evaluate((options) => (globalThis as unknown as BenchPage).runBench(options), o);
    const results = report.results.map((row) => ({ ...row, throughput: throughput(row, o) }));
    return { date: new Date().toISOString(), options: { ...o, timeoutS }, browser: `Chromium ${browser.version()}`, ...report, results };
  } finally {
    await browser?.close();
    server.close();
    await rm(work, { recursive: true, force: true });
  }
}

async function runMain(args: TrainArgs): Promise<number> {
  const report = await runTrainBench({
    backend: args.backend,
    side: args.side,
    images: args.images,
    epochs: args.epochs,
    batch: args.batch,
    nets: args.nets,
    baseline: args.baseline,
    order: args.order,
    timeoutS: args.timeoutS,
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (args.out) {
    await mkdir(dirname(resolve(args.out)), { recursive: true });
    await writeFile(resolve(args.out), `${JSON.stringify(report, null, 2)}\n`);
  }
  let code = 0;
  if (args.backend !== 'auto' && report.backend?.backend !== args.backend) {
    process.stderr.write(`asked for ${args.backend}, ran on ${report.backend?.backend}: ${report.backend?.fallbackReason}\n`);
    code = 1;
  }
  if (report.results.some((r) => r.status !== 'done')) code = 1;
  return code;
}

async function main(): Promise<number> {
  const args = parseTrainArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${TRAIN_USAGE}\n`);
    return 0;
  }
  return runMain(args);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ArgError) {
        process.stderr.write(`npm run bench:train-one: ${error.message}\nRun with --help for the options.\n`);
        process.exit(2);
      }
      if (error instanceof RunnerError) {
        process.stderr.write(`npm run bench:train-one: ${error.message}\n`);
        process.exit(error.exitCode);
      }
      process.stderr.write(`npm run bench:train-one: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
