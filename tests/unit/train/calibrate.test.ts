import { afterAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { measureBackends } from '../../../src/train/calibrate';

describe('measureBackends', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('times the calibration net where a backend runs and says why where it does not (Node: cpu only)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const before = tf.memory().numTensors;
    const [webgpu, cpu] = await measureBackends(['webgpu', 'cpu'], { budgetMs: 50, minSteps: 2, maxSteps: 3 });
    warn.mockRestore();
    expect(webgpu).toMatchObject({ backend: 'webgpu', imagesPerSecond: null });
    expect(webgpu!.error).toMatch(/navigator.gpu is not available|TF.js is on/);
    expect(cpu!.backend).toBe('cpu');
    expect(cpu!.imagesPerSecond).toBeGreaterThan(0);
    expect(cpu!.error).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
  });
});
