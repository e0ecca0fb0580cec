import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParams, parseNetwork } from '../../../src/core/index';
import type { InputShape, Net } from '../../../src/core/types';
import { buildModel, reseedDropout } from '../../../src/train/build-model';
import { CLASSES, INPUT, TINY_NETS, useCpu } from './synthetic';

const CIFAR: InputShape = { height: 32, width: 32, channels: 3 };
const MNIST: InputShape = { height: 28, width: 28, channels: 1 };

beforeAll(useCpu);

function withModel<T>(net: Net, input: InputShape, seed: number, use: (model: tf.LayersModel) => T): T {
  const model = buildModel(net, input, seed);
  try {
    return use(model);
  } finally {
    model.dispose();
  }
}

describe('buildModel parameter counts', () => {
  // Spec section 1: the paper's best and 4th CIFAR-10 nets.
  it.each([
    ['[C(512,5,1), C(256,3,1), C(256,5,1), C(256,3,1), P(5,3), C(512,3,1), C(512,5,1), P(2,2), SM(10)]', 11_309_834],
    ['[C(256,3,1), C(256,3,1), P(5,3), C(256,1,1), C(128,3,1), P(2,2), C(128,3,1), SM(10)]', 1_137_674],
  ])('paper CIFAR-10 net %s has %i parameters', (text, expected) => {
    const net = parseNetwork(text);
    expect(countParams(net, CIFAR)).toBe(expected);
    withModel(net, CIFAR, 1, (model) => expect(model.countParams()).toBe(expected));
  });

  const table: [string, InputShape][] = [
    ['[C(64,3,1), P(2,2), C(128,5,1), FC(256), SM(10)]', CIFAR],
    ['[C(64,1,1), GAP(10), SM(10)]', MNIST],
    ['[P(3,2), FC(128), FC(128), SM(10)]', MNIST],
    ['[FC(512), D(1,2), FC(256), D(2,2), SM(10)]', MNIST],
    ['[C(128,3,1), P(5,3), C(64,5,1), P(3,2), FC(128), SM(10)]', CIFAR],
    ['[SM(10)]', MNIST],
  ];
  it.each(table)('%s matches the core count', (text, input) => {
    const net = parseNetwork(text);
    withModel(net, input, 2, (model) => expect(model.countParams()).toBe(countParams(net, input)));
  });

  it.each(TINY_NETS.map((net, i) => [i, net] as const))('tiny net %i matches the core count', (_, net) => {
    withModel(net, INPUT, 3, (model) => {
      expect(model.countParams()).toBe(countParams(net, INPUT));
      expect(model.outputs[0]?.shape).toEqual([null, CLASSES]);
    });
  });
});

describe('buildModel layer semantics', () => {
  it('uses SAME convs with ReLU, VALID pools, a flatten before the first dense, softmax last', () => {
    const net = parseNetwork('[C(8,3,1), P(2,2), FC(16), D(1,2), FC(8), D(2,2), SM(4)]');
    withModel(net, INPUT, 1, (model) => {
      const configs = model.layers.map((l) => ({ cls: l.getClassName(), ...(l.getConfig() as Record<string, unknown>) }));
      expect(configs.map((c) => c.cls)).toEqual(['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
      expect(configs[0]).toMatchObject({ padding: 'same', activation: 'relu', strides: [1, 1], kernelSize: [3, 3] });
      expect(configs[1]).toMatchObject({ padding: 'valid', poolSize: [2, 2], strides: [2, 2] });
      expect(configs[3]).toMatchObject({ activation: 'relu', units: 16 });
      // D(i,n) has rate i/(2n).
      expect(configs[4]).toMatchObject({ rate: 0.25 });
      expect(configs[6]).toMatchObject({ rate: 0.5 });
      expect(configs[7]).toMatchObject({ activation: 'softmax', units: 4 });
      expect(model.layers[0]?.outputShape).toEqual([null, 8, 8, 8]);
      expect(model.layers[1]?.outputShape).toEqual([null, 4, 4, 8]);
    });
  });

  it('builds GAP as a 1x1 conv with ReLU, a global average, then dense classes→classes + softmax', () => {
    withModel(parseNetwork('[C(8,3,1), GAP(4), SM(4)]'), INPUT, 1, (model) => {
      const [, gapConv, average, dense] = model.layers;
      expect(gapConv?.getClassName()).toBe('Conv2D');
      expect(gapConv?.getConfig()).toMatchObject({ filters: 4, kernelSize: [1, 1], activation: 'relu' });
      expect(average?.getClassName()).toBe('GlobalAveragePooling2D');
      expect(dense?.getConfig()).toMatchObject({ units: 4, activation: 'softmax' });
      expect(dense?.getWeights()[0]?.shape).toEqual([4, 4]);
    });
  });

  it('honours the conv stride', () => {
    withModel(parseNetwork('[C(4,3,2), SM(4)]'), INPUT, 1, (model) => {
      expect(model.layers[0]?.outputShape).toEqual([null, 4, 4, 4]);
    });
  });

  it('gives identical initial weights for one seed and different ones for another', async () => {
    const net = TINY_NETS[4] as Net;
    const weightsOf = (seed: number) =>
      withModel(net, INPUT, seed, (model) => model.getWeights().map((w) => Array.from(w.dataSync())));
    const a = weightsOf(7);
    expect(weightsOf(7)).toEqual(a);
    expect(weightsOf(8)).not.toEqual(a);
    // Biases start at zero; kernels are Glorot uniform within ±sqrt(6/(fanIn+fanOut)).
    withModel(net, INPUT, 7, (model) => {
      const [kernel, bias] = model.layers[0]?.getWeights() ?? [];
      expect(Array.from(bias?.dataSync() ?? [1])).toEqual([0, 0, 0]);
      const limit = Math.sqrt(6 / (5 * 5 * 1 + 5 * 5 * 3));
      const values = Array.from(kernel?.dataSync() ?? []);
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(limit);
      expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(limit * 0.8);
    });
  });

  it('draws a different dropout mask per step seed, the same for a repeated seed', () => {
    withModel(parseNetwork('[FC(64), D(1,1), SM(4)]'), INPUT, 1, (model) => {
      const dropout = model.layers.find((l) => l.getClassName() === 'Dropout');
      if (!dropout) throw new Error('no dropout layer');
      const x = tf.ones([1, 64]);
      const mask = (seed: number) => {
        reseedDropout(model, seed);
        return tf.tidy(() => Array.from((dropout.apply(x, { training: true }) as tf.Tensor).dataSync()));
      };
      expect(mask(1)).toEqual(mask(1));
      expect(mask(1)).not.toEqual(mask(2));
      x.dispose();
    });
  });

  it('rejects nets it cannot build, naming the layer', () => {
    expect(() => buildModel(parseNetwork('[C(4,3,1), SM(4)]').slice(0, 1), INPUT, 1)).toThrow(/layer 1 \(conv\).*SM/);
    expect(() => buildModel([{ kind: 'softmax', classes: 4 }, { kind: 'fc', units: 4 }], INPUT, 1)).toThrow(/layer 1/);
    expect(() => buildModel([{ kind: 'conv', filters: 0, kernel: 3, stride: 1 }, { kind: 'softmax', classes: 4 }], INPUT, 1)).toThrow(
      /layer 1 \(conv\): filters must be a positive integer/,
    );
    // An 8x8 map pooled 5x5/3 → 2x2, then again 5x5/3 is impossible.
    expect(() => buildModel(parseNetwork('[C(4,3,1), P(5,3), C(4,3,1), P(5,3), SM(4)]'), INPUT, 1)).toThrow(/layer 4/);
  });
});
