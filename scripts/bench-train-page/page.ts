/**
 * The bench page (built by Vite from this folder, driven by scripts/bench-train.ts): one
 * TrainerPool, the app's, and one baseline worker training the same nets with model.fit, in turn.
 */
import { wrap, type Remote } from 'comlink';
import { parseNetwork } from '../../src/core';
import { TrainerPool } from '../../src/trainer-bridge/trainer-pool';
import { payload } from './images';
import type { FitWorkerApi } from './fit.worker';
import type { BenchOptions, BenchPage, BenchPageReport, BenchRow, FitResult } from './protocol';

/** The learning rate both sides train at (higher than the app's default: one epoch must learn something). */
const LEARNING_RATE = 0.003;

async function runBench(options: BenchOptions): Promise<BenchPageReport> {
  const pool = new TrainerPool({ backend: options.backend });
  const data = payload(options);
  pool.setDataset('bench', data);
  let baseline: Remote<FitWorkerApi> | null = null;
  let fitWorker: Worker | null = null;
  if (options.baseline) {
    fitWorker = new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module' });
    baseline = wrap<FitWorkerApi>(fitWorker);
    await baseline.init(options.backend);
  }
  const uploadMs = baseline ? await baseline.upload(data) : null;
  const results: BenchRow[] = [];
  for (const [i, text] of options.nets.entries()) {
    const runFit = async (): Promise<FitResult | undefined> => {
      if (!baseline) return undefined;
      try {
        return await baseline.fit({ net: text, epochs: options.epochs, batch: options.batch, learningRate: LEARNING_RATE, seed: i });
      } catch (error) {
        return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
      }
    };
    // Whoever trains a new architecture first may leave compiled shaders behind for the other
    // (the GPU process is shared): 'alternate' lets the baseline go first on every other net.
    const fitFirst = options.order === 'fit-first' || (options.order === 'alternate' && i % 2 === 1);
    const fitBefore = fitFirst ? await runFit() : undefined;
    const started = performance.now();
    const result = await pool.train({
      id: `bench-${i}`,
      net: parseNetwork(text),
      datasetId: 'bench',
      seed: i,
      config: { epochs: options.epochs, batchSize: options.batch, latencyBatchSize: 64, latencyRepeats: 2, learningRate: LEARNING_RATE },
    });
    const wallMs = performance.now() - started;
    const fit = fitFirst ? fitBefore : await runFit();
    const first = baseline && fitFirst ? 'fit' : 'trainer';
    if (result.status === 'done') {
      const { weights, ...rest } = result;
      results.push({ ...rest, net: text, wallMs, weightBytes: weights ? weights.data.byteLength : 0, fit, first });
    } else {
      results.push({ ...result, net: text, wallMs, weightBytes: 0, fit, first });
    }
  }
  const memory = await pool.memory();
  pool.terminate();
  fitWorker?.terminate();
  return { backend: pool.backend, memory, uploadMs, results };
}

const page = globalThis as unknown as BenchPage;
page.runBench = runBench;
page.benchReady = true;
