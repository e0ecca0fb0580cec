/** Replay entries for the unit tests: one trained net as this app writes it, and as the store returns it. */
import type { ReplayEntry, ReplayRecord } from '../../src/store';

/** A trained entry as this app writes it. */
export function trainedEntry(netString: string, overrides: Partial<ReplayEntry> = {}): ReplayEntry {
  return {
    netString,
    iterations: [1],
    epsilon: 1,
    bestValAccuracy: 0.61,
    finalValAccuracy: 0.58,
    testAccuracy: 0.6,
    valCurve: [
      { accuracy: 0.4, loss: 1.7 },
      { accuracy: 0.61, loss: 1.1 },
      { accuracy: 0.58, loss: 1.2 },
    ],
    params: 12_345,
    multiplyAdds: 678_910,
    latency: { batch1Ms: 2.5, batchNPerImageMs: 0.3, batchSize: 64 },
    reward: 0.61,
    trainedBy: 'tab-1',
    backend: 'webgpu',
    adapter: 'swiftshader',
    timings: { buildMs: 10, firstBatchMs: 900, trainingMs: 12_000, evaluationMs: 300 },
    finishedAt: 1_700_000_000_123,
    status: 'ok',
    source: 'trained',
    ...overrides,
  };
}

/** The stored record of a trained entry; its reward follows the accuracy unless given. */
export function replayRecord(netString: string, over: Partial<ReplayRecord> = {}): ReplayRecord {
  return { searchId: 's', ...trainedEntry(netString, { reward: over.bestValAccuracy ?? 0.61, ...over }) };
}
