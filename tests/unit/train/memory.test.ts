import { describe, expect, it } from 'vitest';
import { countParams, parseNetwork } from '../../../src/core/index';
import { estimateMemoryBytes } from '../../../src/train/memory';

describe('estimateMemoryBytes', () => {
  it('counts params ×4 (weights, grads, Adam m and v) and activations ×2 at the batch size, float32', () => {
    const net = parseNetwork('[C(4,3,1), P(2,2), FC(8), SM(2)]');
    const input = { height: 8, width: 8, channels: 1 };
    const params = countParams(net, input); // 40 + 520 + 18
    // Input 64, conv 256, pool 64, flatten copy 64, FC 8, SM 2.
    const activations = 64 + 256 + 64 + 64 + 8 + 2;
    expect(estimateMemoryBytes(net, input, 10)).toBe(4 * (4 * params + 2 * activations * 10));
  });

  it('grows with the batch size and puts the paper best CIFAR-10 net near 1.7 GB at batch 128', () => {
    const net = parseNetwork('[C(512,5,1), C(256,3,1), C(256,5,1), C(256,3,1), P(5,3), C(512,3,1), C(512,5,1), P(2,2), SM(10)]');
    const input = { height: 32, width: 32, channels: 3 };
    const at128 = estimateMemoryBytes(net, input, 128);
    expect(at128).toBeGreaterThan(estimateMemoryBytes(net, input, 64));
    expect(at128 / 1e9).toBeGreaterThan(1.5);
    expect(at128 / 1e9).toBeLessThan(2);
  });

  it('rejects a bad batch size', () => {
    expect(() => estimateMemoryBytes(parseNetwork('[SM(2)]'), { height: 1, width: 1, channels: 1 }, 0)).toThrow(/batchSize/);
  });
});
