import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseNetwork } from '../../../src/core/network-string';
import { createRng } from '../../../src/core/rng';
import { makeSearchSpace } from '../../../src/core/search-space';
import { countMultiplyAdds, countParams, outputShapes, type OutputShape } from '../../../src/core/shapes';
import { epsilonGreedyWalk } from '../../../src/core/strategies';
import { insertDropout } from '../../../src/core/dropout';
import type { InputShape, Net } from '../../../src/core/types';
import { paperBest, paperFourth } from './fixture';

const cifar: InputShape = { height: 32, width: 32, channels: 3 };

/** The layer semantics of types.ts in TF.js (what src/train builds), for cross-checking. */
function buildTfModel(net: Net, input: InputShape): { model: tf.Sequential; ends: number[] } {
  const model = tf.sequential();
  const ends: number[] = [];
  let flat = false;
  const add = (layer: tf.layers.Layer) => model.add(layer);
  add(tf.layers.inputLayer({ inputShape: [input.height, input.width, input.channels] }));
  for (const layer of net) {
    switch (layer.kind) {
      case 'conv':
        add(tf.layers.conv2d({ filters: layer.filters, kernelSize: layer.kernel, strides: layer.stride, padding: 'same', activation: 'relu' }));
        break;
      case 'pool':
        add(tf.layers.maxPooling2d({ poolSize: layer.size, strides: layer.stride, padding: 'valid' }));
        break;
      case 'fc':
      case 'softmax':
        if (!flat) add(tf.layers.flatten());
        flat = true;
        add(tf.layers.dense({ units: layer.kind === 'fc' ? layer.units : layer.classes, activation: layer.kind === 'fc' ? 'relu' : 'softmax' }));
        break;
      case 'gap':
        add(tf.layers.conv2d({ filters: layer.classes, kernelSize: 1, padding: 'same', activation: 'relu' }));
        add(tf.layers.globalAveragePooling2d({}));
        flat = true;
        break;
      case 'dropout':
        add(tf.layers.dropout({ rate: layer.index / (2 * layer.total) }));
        break;
    }
    ends.push(model.layers.length - 1);
  }
  return { model, ends };
}

function tfShape(shape: OutputShape): (number | null)[] {
  return shape.kind === 'map' ? [null, shape.height, shape.width, shape.channels] : [null, shape.units];
}

describe('parameter and multiply-add counts', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('counts the paper nets at 32x32x3 exactly (spec: 11,309,834 and 1,137,674)', () => {
    expect(countParams(parseNetwork(paperBest), cifar)).toBe(11_309_834);
    expect(countParams(parseNetwork(paperFourth), cifar)).toBe(1_137_674);
  });

  it('gives each layer output shape (VALID pooling, SAME conv)', () => {
    const shapes = outputShapes(parseNetwork(paperFourth), cifar);
    expect(shapes).toEqual([
      { kind: 'map', height: 32, width: 32, channels: 256 },
      { kind: 'map', height: 32, width: 32, channels: 256 },
      { kind: 'map', height: 10, width: 10, channels: 256 },
      { kind: 'map', height: 10, width: 10, channels: 256 },
      { kind: 'map', height: 10, width: 10, channels: 128 },
      { kind: 'map', height: 5, width: 5, channels: 128 },
      { kind: 'map', height: 5, width: 5, channels: 128 },
      { kind: 'vector', units: 10 },
    ]);
  });

  it('counts GAP as a 1x1 conv to the classes, SM after it as classes -> classes, dropout as nothing', () => {
    // conv 3*3*3*64+64 = 1792; GAP 64*10+10 = 650; SM 10*10+10 = 110.
    expect(countParams(parseNetwork('[C(64,3,1), GAP(10), SM(10)]'), cifar)).toBe(1792 + 650 + 110);
    // conv 1792; pool 32 -> 10; conv 9*64*64+64 = 36928; pool 10 -> 5; FC 5*5*64*128+128 = 204928; SM 1290.
    const fc = parseNetwork('[C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(128), D(1,1), SM(10)]');
    expect(countParams(fc, cifar)).toBe(1792 + 36928 + 204928 + 1290);
    expect(countParams(parseNetwork('[SM(10)]'), cifar)).toBe(32 * 32 * 3 * 10 + 10);
  });

  it('counts multiply-adds of conv and dense layers', () => {
    // Hand count: 32²·9·3·256 + 32²·9·256² + 10²·256² + 10²·9·256·128 + 5²·9·128² + 3200·10.
    expect(countMultiplyAdds(parseNetwork(paperFourth), cifar)).toBe(650_820_864);
    // GAP: 32²·64·10 for the 1x1 conv, then SM 10·10.
    expect(countMultiplyAdds(parseNetwork('[C(64,3,1), GAP(10), SM(10)]'), cifar)).toBe(32 * 32 * 27 * 64 + 32 * 32 * 64 * 10 + 100);
  });

  it('tracks non-square inputs side by side', () => {
    const shapes = outputShapes(parseNetwork('[C(8,3,1), P(3,2), SM(2)]'), { height: 9, width: 20, channels: 1 });
    expect(shapes[1]).toEqual({ kind: 'map', height: 4, width: 9, channels: 8 });
    expect(countParams(parseNetwork('[C(8,3,1), P(3,2), SM(2)]'), { height: 9, width: 20, channels: 1 })).toBe(80 + 4 * 9 * 8 * 2 + 2);
  });

  it('names the layer a net cannot build', () => {
    expect(() => countParams(parseNetwork('[FC(128), C(64,3,1), SM(10)]'), cifar)).toThrow(
      'layer 2 C(64,3,1): a convolution needs a feature map, not a flat vector',
    );
    expect(() => countParams(parseNetwork('[C(4,3,1), P(5,3), P(5,3), P(5,3), SM(10)]'), cifar)).toThrow(
      'layer 4 P(5,3): pooling a 2x2 map leaves nothing',
    );
  });

  it("matches TF.js's own countParams() and output shapes on the paper nets and random walks", () => {
    const rng = createRng(2024);
    const tiny = makeSearchSpace('tiny', { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10 });
    const quick = makeSearchSpace('quick', { inputShape: { height: 20, width: 24, channels: 3 }, numClasses: 7 });
    const cases: [Net, InputShape][] = [
      [parseNetwork(paperBest), cifar],
      [parseNetwork(paperFourth), cifar],
      ...Array.from({ length: 25 }, (): [Net, InputShape] => [insertDropout(epsilonGreedyWalk(tiny, 1, rng), 'paper'), tiny.inputShape]),
      ...Array.from({ length: 10 }, (): [Net, InputShape] => [insertDropout(epsilonGreedyWalk(quick, 1, rng), 'seed'), quick.inputShape]),
    ];
    const kinds = new Set(cases.flatMap(([net]) => net.map((l) => l.kind)));
    expect([...kinds].sort()).toEqual(['conv', 'dropout', 'fc', 'gap', 'pool', 'softmax']);
    for (const [net, input] of cases) {
      const { model, ends } = buildTfModel(net, input);
      expect(countParams(net, input)).toBe(model.countParams());
      const shapes = outputShapes(net, input);
      expect(shapes.map(tfShape)).toEqual(ends.map((i) => model.layers[i]!.outputShape));
      model.dispose();
    }
  });
});
