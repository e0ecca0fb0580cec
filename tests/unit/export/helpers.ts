/** Shared pieces of the export tests: the authors' replay file and small replay entries. */
import { readFileSync } from 'node:fs';
import type { InputShape } from '../../../src/core';
import type { ReplayEntry } from '../../../src/store';

/** shared/fixtures/README.md: the original code's replay_database.csv (SVHN, 32x32x3). */
export const fixtureText = (): string =>
  readFileSync(new URL('../../../../shared/fixtures/metaqnn-replay_database.csv', import.meta.url), 'utf8');
export const SVHN: InputShape = { height: 32, width: 32, channels: 3 };
export const MNIST: InputShape = { height: 28, width: 28, channels: 1 };

export const HEADER =
  'net,accuracy_best_val,iter_best_val,accuracy_last_val,iter_last_val,accuracy_best_test,accuracy_last_test,ix_q_value_update,epsilon,time_finished,machine_run_on';

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
