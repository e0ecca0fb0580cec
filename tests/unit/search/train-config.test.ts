import { describe, expect, it } from 'vitest';
import { parseSearchConfig, presetConfig } from '../../../src/search/config';
import { testThreshold, trainConfigOf } from '../../../src/search/session/net-jobs';
import { replayRecord as entry } from '../replay-record';

describe('trainConfigOf', () => {
  it('measures latency only when a latency target shapes the reward', () => {
    const config = presetConfig('tiny', 'mnist', 1);
    expect(trainConfigOf(config).latencyBatchSize).toBe(0);
    const targeted = { ...config, constraints: { ...config.constraints, latencyTargetMs: 2 } };
    expect(trainConfigOf(targeted).latencyBatchSize).toBe(config.training.batchSize);
  });
});

describe('the savings switch and the test threshold', () => {
  const config = presetConfig('tiny', 'mnist', 1);
  const off = { ...config, training: { ...config.training, savings: false } };

  it('passes the switch to the trainer, and measures latency again with the savings off', () => {
    expect(trainConfigOf(config).savings).toBe(true);
    expect(trainConfigOf(off)).toMatchObject({ savings: false, latencyBatchSize: config.training.batchSize });
    expect(parseSearchConfig(off, 'test').training.savings).toBe(false);
    expect(() => parseSearchConfig({ ...config, training: { ...config.training, savings: 'no' } }, 'test')).toThrow(/savings/);
  });

  it('asks for the test pass only from nets that reach the n-th best ranked net, n the nets the final phase shows', () => {
    // tiny: fine-tune the top 2, ensemble the top 2.
    const one = [entry('[A]', { bestValAccuracy: 0.5 })];
    expect(testThreshold(config, one)).toBeNull();
    const replay = [
      entry('[A]', { bestValAccuracy: 0.5 }),
      entry('[B]', { bestValAccuracy: 0.8 }),
      entry('[C]', { bestValAccuracy: 0.6 }),
      // Not ranked: stopped early, failed, or imported; none of them may raise the bar.
      entry('[D]', { bestValAccuracy: 0.95, earlyStop: { afterEpoch: 1, predicted: 0.9, chance: 0.01, bar: 0.8 } as never }),
      entry('[E]', { bestValAccuracy: 0.99, status: 'failed' }),
      entry('[F]', { bestValAccuracy: 0.97, source: 'imported' }),
    ];
    expect(testThreshold(config, replay)).toBe(0.6);
    expect(testThreshold(off, replay)).toBeNull();
    const targeted = { ...config, constraints: { ...config.constraints, latencyTargetMs: 2 } };
    expect(testThreshold(targeted, replay)).toBeNull();
  });
});
