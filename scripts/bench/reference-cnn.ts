/**
 * The budget part's fixed reference: the TF.js MNIST tutorial's net (two 5×5 convs of 8 and 16
 * filters, each followed by 2×2 max pooling, then softmax) in the app's net grammar, trained by
 * the app's trainer in a page of its own (scripts/bench-train-page/reference-page.ts) for as
 * many epochs as fit the budget, on the budget preset's split for the same seed (preparePayload,
 * as a search prepares it) and its training setup (trainConfigOf).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { loadShippedDataset, type ImageDataset } from '../../src/data';
import { presetConfig } from '../../src/search/config';
import { preparePayload } from '../../src/search/prepare-dataset';
import { trainConfigOf } from '../../src/search/search-session';
import type { BackendName } from '../../src/train/types';
import type { PayloadMeta, ReferencePage, ReferenceReport } from '../bench-train-page/reference-page';
import { freePort, launchBrowser, newPage, RunnerError } from '../lib/browser';

export const REFERENCE_NET = '[C(8,5,1), P(2,2), C(16,5,1), P(2,2), SM(10)]';

const pageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'bench-train-page');

/** Builds the reference page once; `train` runs it per budget, dataset, backend and seed. */
export async function referenceTrainer(appUrl: string, log: (line: string) => void): Promise<{ train: (o: ReferenceRun) => Promise<ReferenceReport>; close: () => Promise<void> }> {
  const work = await mkdtemp(join(tmpdir(), 'bench-reference-'));
  const dist = join(work, 'dist');
  await build({
    root: pageRoot,
    configFile: false,
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir: dist, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8192, rollupOptions: { input: join(pageRoot, 'reference.html') } },
  });
  const datasets = new Map<string, ImageDataset>();
  return {
    train: async (o) => {
      let dataset = datasets.get(o.dataset);
      if (!dataset) {
        // Node's fetch from the app's own preview server: the files the app ships, checked against their manifest.
        dataset = await loadShippedDataset(o.dataset, { baseUrl: `${appUrl}datasets/` });
        datasets.set(o.dataset, dataset);
      }
      const config = presetConfig('budget', o.dataset, o.seed, { budget: { minutes: o.minutes } });
      const { payload } = preparePayload(dataset, config);
      const folder = join(dist, 'payload');
      await mkdir(folder, { recursive: true });
      const test = payload.test!;
      const meta: PayloadMeta = { inputShape: payload.inputShape, classes: payload.classes, counts: { train: payload.train.count, validation: payload.validation.count, test: test.count } };
      await writeFile(join(folder, 'meta.json'), JSON.stringify(meta));
      for (const [split, set] of [['train', payload.train], ['validation', payload.validation], ['test', test]] as const) {
        await writeFile(join(folder, `${split}-images.bin`), set.images);
        await writeFile(join(folder, `${split}-labels.bin`), set.labels);
      }
      // A server per run: the static server indexes its files when it starts.
      const port = await freePort();
      const server = await preview({ root: work, configFile: false, logLevel: 'silent', build: { outDir: 'dist' }, preview: { host: '127.0.0.1', port, strictPort: true, open: false } });
      const browser = await launchBrowser();
      try {
        const page = await newPage(browser);
        page.on('console', (m) => log(`  [page] ${m.text()}`));
        page.on('pageerror', (e) => log(`  [page error] ${e.message}`));
        page.setDefaultTimeout((o.minutes * 60 + 600) * 1000);
        await page.goto(`http://127.0.0.1:${port}/reference.html`);
        await page.waitForFunction(() => (globalThis as unknown as ReferencePage).referenceReady === true);
        const report = await page.evaluate(
          (options) => (globalThis as unknown as ReferencePage).runReference(options),
          { backend: o.backend, net: REFERENCE_NET, seed: o.seed, minutes: o.minutes, config: trainConfigOf(config) },
        );
        if (report.backend && report.backend.backend !== o.backend) {
          throw new RunnerError(`the reference needs ${o.backend} but its page ran ${report.backend.backend}${report.backend.fallbackReason ? `: ${report.backend.fallbackReason}` : ''}`, 3);
        }
        return report;
      } finally {
        await browser.close().catch(() => {});
        await new Promise<void>((ok) => server.httpServer.close(() => ok()));
      }
    },
    close: () => rm(work, { recursive: true, force: true }),
  };
}

export interface ReferenceRun {
  readonly dataset: string;
  readonly backend: BackendName;
  readonly seed: number;
  readonly minutes: number;
}
