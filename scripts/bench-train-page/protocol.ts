/**
 * What scripts/bench-train.ts sends to the bench page and gets back. Types only: the page
 * (page.ts) and the Node side both import them, so the two cannot drift apart.
 */
import type { TrainOrder } from '../lib/args-bench-train';
import type { BackendInfo, BackendPreference, MemoryReport, TrainSuccess, TrainTooLarge } from '../../src/train/types';

export interface BenchOptions {
  readonly backend: BackendPreference;
  /** Image side in pixels (1 channel). */
  readonly side: number;
  readonly images: number;
  readonly epochs: number;
  readonly batch: number;
  readonly nets: readonly string[];
  /** Train each net with plain model.fit too. */
  readonly baseline: boolean;
  readonly order: TrainOrder;
}

/** The baseline's outcome for one net. */
export type FitResult =
  | { readonly status: 'done'; readonly backend: string; readonly firstBatchMs: number; readonly fitMs: number; readonly images: number; readonly loss: number | null }
  | { readonly status: 'failed'; readonly error: string };

/** One net: the trainer's result without its weights, and the baseline's. */
export type BenchRow = (Omit<TrainSuccess, 'weights'> | TrainTooLarge) & {
  readonly net: string;
  readonly wallMs: number;
  readonly weightBytes: number;
  readonly fit: FitResult | undefined;
  /** Who trained this net first. */
  readonly first: 'fit' | 'trainer';
};

export interface BenchPageReport {
  readonly backend: BackendInfo | null;
  readonly memory: readonly MemoryReport[];
  /** The baseline worker's upload of every split, read back; null without a baseline. */
  readonly uploadMs: number | null;
  readonly results: readonly BenchRow[];
}

/** What the page exposes to the driver. */
export interface BenchPage {
  runBench(options: BenchOptions): Promise<BenchPageReport>;
  benchReady: boolean;
}
