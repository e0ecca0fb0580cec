import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { currentBackendInfo, initBackend, memoryReport, throwIfDeviceLost } from '../../../src/train/backend';

describe('initBackend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('falls back WebGPU → WebGL → CPU in Node, reads the backend back and says why', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const info = await initBackend('auto');
    warn.mockRestore();
    expect(info.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(info.adapter).toBeNull();
    expect(info.fallbackReason).toMatch(/^webgpu: navigator.gpu is not available; webgl: /);
    expect(currentBackendInfo()).toEqual(info);
  });

  it('reports no fallback when the preferred backend is the one running', async () => {
    const info = await initBackend('cpu');
    // On the CPU the only limit is the cap that keeps host arrays reasonable.
    expect(info).toEqual({ backend: 'cpu', adapter: null, largestTensorBytes: 1024 ** 3 });
    expect(() => throwIfDeviceLost()).not.toThrow();
  });

  it('reports memory for the owner to recycle on (no GPU bytes on cpu)', () => {
    const report = memoryReport(['a']);
    expect(report).toMatchObject({ backend: 'cpu', gpuBytesAllocated: null, datasets: ['a'] });
    expect(report.numTensors).toBe(tf.memory().numTensors);
  });
});
