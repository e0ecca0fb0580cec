/**
 * The budget benchmark's reference (scripts/bench/reference-cnn.ts drives it): one fixed net
 * trained by the app's trainer (TrainerPool) for as many epochs as fit a wall-clock budget, on
 * the split a search of the same seed trains on (prepared in Node, served beside this page
 * under payload/).
 */
import { parseNetwork } from '../../src/core';
import type { ImageSet } from '../../src/data/types';
import type { BackendInfo, BackendName, DatasetPayload, EpochRecord, TrainConfig } from '../../src/train/types';
import { TrainerPool } from '../../src/trainer-bridge/trainer-pool';

export interface ReferenceOptions {
  readonly backend: BackendName;
  readonly net: string;
  readonly seed: number;
  readonly minutes: number;
  /** The search's training setup (trainConfigOf of the preset); epochs is replaced by the clock. */
  readonly config: Partial<TrainConfig>;
}

/** What payload/meta.json says; each split's images and labels are payload/<split>-{images,labels}.bin. */
export interface PayloadMeta {
  readonly inputShape: DatasetPayload['inputShape'];
  readonly classes: number;
  readonly counts: { readonly train: number; readonly validation: number; readonly test: number };
}

export type ReferenceReport =
  | {
      readonly status: 'done';
      readonly backend: BackendInfo | null;
      readonly curve: readonly EpochRecord[];
      readonly testAccuracy: number;
      readonly bestValidationAccuracy: number;
      readonly trainImages: number;
      /** From the pool's creation (worker start, upload) to the test accuracy. */
      readonly wallMs: number;
    }
  | { readonly status: 'failed'; readonly backend: BackendInfo | null; readonly error: string; readonly wallMs: number };

export interface ReferencePage {
  runReference(options: ReferenceOptions): Promise<ReferenceReport>;
  referenceReady: boolean;
}

/** More epochs than any budget here can pay for: the clock ends training, not this. */
const EPOCH_CEILING = 1000;

async function fetchSplit(split: string, count: number, pixels: number): Promise<ImageSet> {
  const get = async (part: string, bytes: number): Promise<Uint8Array> => {
    const response = await fetch(`payload/${split}-${part}.bin`);
    if (!response.ok) throw new Error(`payload/${split}-${part}.bin: HTTP ${response.status}`);
    const data = new Uint8Array(await response.arrayBuffer());
    if (data.length !== bytes) throw new Error(`payload/${split}-${part}.bin: ${data.length} bytes, expected ${bytes}`);
    return data;
  };
  return { images: await get('images', count * pixels), labels: await get('labels', count), count };
}

async function runReference(o: ReferenceOptions): Promise<ReferenceReport> {
  const meta = (await (await fetch('payload/meta.json')).json()) as PayloadMeta;
  const pixels = meta.inputShape.height * meta.inputShape.width * meta.inputShape.channels;
  const payload: DatasetPayload = {
    inputShape: meta.inputShape,
    classes: meta.classes,
    train: await fetchSplit('train', meta.counts.train, pixels),
    validation: await fetchSplit('validation', meta.counts.validation, pixels),
    test: await fetchSplit('test', meta.counts.test, pixels),
  };
  const began = performance.now();
  const budgetMs = o.minutes * 60_000;
  const pool = new TrainerPool({ backend: o.backend });
  try {
    pool.setDataset('reference', payload);
    const net = parseNetwork(o.net);
    let epochEnded = began;
    const result = await pool.train(
      { id: 'reference', net, datasetId: 'reference', seed: o.seed, config: { ...o.config, epochs: EPOCH_CEILING, latencyBatchSize: 0, returnWeights: true } },
      {
        // Another epoch only when it would end within the budget at the last epoch's pace.
        continueAfterEpoch: (curve) => {
          const now = performance.now();
          const lastEpochMs = now - epochEnded;
          epochEnded = now;
          const more = now - began + lastEpochMs <= budgetMs;
          // The driver forwards the console: one line per epoch says how far it got.
          console.log(`reference: epoch ${curve.length} in ${(lastEpochMs / 1000).toFixed(1)} s, validation ${(curve[curve.length - 1]!.validationAccuracy * 100).toFixed(1)}%${more ? '' : ', the budget ends here'}`);
          return more;
        },
      },
    );
    if (result.status !== 'done') return { status: 'failed', backend: pool.backend, error: `${result.status}: ${result.reason}`, wallMs: performance.now() - began };
    // The trainer measures test accuracy only for a net trained to its last epoch; the clock
    // stopped this one, so its final weights are measured here, as a one-net ensemble.
    const testAccuracy =
      result.testAccuracy ??
      (await pool.evaluateEnsemble({ datasetId: 'reference', subset: 'test', members: [{ net, weights: result.weights! }] })).accuracy;
    return {
      status: 'done',
      backend: pool.backend,
      curve: result.curve,
      testAccuracy,
      bestValidationAccuracy: result.bestValidationAccuracy,
      trainImages: result.trainImages,
      wallMs: performance.now() - began,
    };
  } catch (error) {
    return { status: 'failed', backend: pool.backend, error: error instanceof Error ? error.message : String(error), wallMs: performance.now() - began };
  } finally {
    pool.terminate();
  }
}

const page = globalThis as unknown as ReferencePage;
page.runReference = runReference;
page.referenceReady = true;
