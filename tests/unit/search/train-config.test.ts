import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/search/config';
import { trainConfigOf } from '../../../src/search/session/net-jobs';

describe('trainConfigOf', () => {
  it('measures latency only when a latency target shapes the reward', () => {
    const config = presetConfig('tiny', 'mnist', 1);
    expect(trainConfigOf(config).latencyBatchSize).toBe(0);
    const targeted = { ...config, constraints: { ...config.constraints, latencyTargetMs: 2 } };
    expect(trainConfigOf(targeted).latencyBatchSize).toBe(config.training.batchSize);
  });
});
