import type { ReplayRecord } from '../../src/store';

/** A stored replay entry for tests: an ordinary trained net, with `over` applied; the reward defaults to the accuracy. */
export function replayRecord(netString: string, over: Partial<ReplayRecord> = {}): ReplayRecord {
  return {
    searchId: 's',
    netString,
    iterations: [1],
    epsilon: 1,
    bestValAccuracy: 0.5,
    finalValAccuracy: 0.5,
    testAccuracy: 0.4,
    valCurve: [],
    params: 100,
    multiplyAdds: 1000,
    latency: null,
    reward: over.bestValAccuracy ?? 0.5,
    trainedBy: 'tab-a',
    backend: 'webgpu',
    adapter: null,
    timings: null,
    finishedAt: 1,
    status: 'ok',
    source: 'trained',
    ...over,
  };
}
