/**
 * Net (plain data from the core) → tf.LayersModel, with the spec's semantics
 * (../../../shared/spec/metaqnn.md section 1):
 * - C(d,f,l): conv2d, SAME padding, stride l, ReLU;
 * - P(f,l): max pooling, VALID padding;
 * - FC(d): dense + ReLU, with a flatten before the first dense;
 * - GAP(c): 1x1 conv to c channels + ReLU, then global average pooling;
 * - SM(c): dense + softmax (after GAP: dense c→c + softmax);
 * - D(i,n): dropout at rate i/(2n) (the core's dropoutRate).
 * Kernels are Glorot (Xavier) uniform, biases zero (paper: Xavier init). Every kernel
 * initialiser gets its own seed derived from the build seed, so one seed gives one set of
 * initial weights. Layer names are the net position (`l3_conv`), so weight names are
 * stable across builds and serialised weights load into any build of the same net.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, dropoutRate, layerCosts } from '../core/index';
import type { InputShape, Layer, Net } from '../core/types';

/** Kernel seeds are drawn below this so they stay exact integers for TF.js's seedrandom. */
const SEED_RANGE = 2 ** 31;

export function buildModel(net: Net, input: InputShape, seed: number): tf.LayersModel {
  checkBuildable(net);
  // Throws naming the layer when a shape cannot be built (a pool larger than its map...).
  const costs = layerCosts(net, input);
  const seeds = createRng(seed);
  const model = tf.sequential({ name: 'candidate' });
  // The first layer carries the input shape (no InputLayer in model.layers).
  let first: { inputShape?: number[] } = { inputShape: [input.height, input.width, input.channels] };
  const add = (layer: (args: { inputShape?: number[] }) => tf.layers.Layer): void => {
    model.add(layer(first));
    first = {};
  };
  const kernelInit = (): ReturnType<typeof tf.initializers.glorotUniform> =>
    tf.initializers.glorotUniform({ seed: seeds.int(SEED_RANGE) });

  let spatial = true;
  net.forEach((layer, i) => {
    const name = `l${i}_${layer.kind}`;
    if (spatial && (layer.kind === 'fc' || layer.kind === 'softmax')) {
      add((shape) => tf.layers.flatten({ ...shape, name: `l${i}_flatten` }));
    }
    spatial = costs[i]?.output.kind === 'map';
    switch (layer.kind) {
      case 'conv':
        add((shape) =>
          tf.layers.conv2d({
            ...shape,
            name,
            filters: layer.filters,
            kernelSize: layer.kernel,
            strides: layer.stride,
            padding: 'same',
            activation: 'relu',
            kernelInitializer: kernelInit(),
            biasInitializer: 'zeros',
          }),
        );
        break;
      case 'pool':
        add((shape) => tf.layers.maxPooling2d({ ...shape, name, poolSize: layer.size, strides: layer.stride, padding: 'valid' }));
        break;
      case 'gap':
        add((shape) =>
          tf.layers.conv2d({
            ...shape,
            name,
            filters: layer.classes,
            kernelSize: 1,
            strides: 1,
            padding: 'same',
            activation: 'relu',
            kernelInitializer: kernelInit(),
            biasInitializer: 'zeros',
          }),
        );
        add((shape) => tf.layers.globalAveragePooling2d({ ...shape, name: `l${i}_gap_average` }));
        break;
      case 'fc':
        add((shape) =>
          tf.layers.dense({
            ...shape,
            name,
            units: layer.units,
            activation: 'relu',
            kernelInitializer: kernelInit(),
            biasInitializer: 'zeros',
          }),
        );
        break;
      case 'softmax':
        add((shape) =>
          tf.layers.dense({
            ...shape,
            name,
            units: layer.classes,
            activation: 'softmax',
            kernelInitializer: kernelInit(),
            biasInitializer: 'zeros',
          }),
        );
        break;
      case 'dropout':
        add((shape) => tf.layers.dropout({ ...shape, name, rate: dropoutRate(layer) }));
        break;
    }
  });
  return model;
}

/**
 * Gives each dropout layer a fresh seed for the next training step. TF.js reuses a
 * Dropout layer's fixed seed on every call (the same mask every batch), and without one
 * it draws from an unseeded generator; setting it per step keeps masks both varied and
 * reproducible. `seed` is private in the typings but read on every call.
 */
export function reseedDropout(model: tf.LayersModel, stepSeed: number): void {
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() === 'Dropout') {
      (layer as unknown as { seed: number }).seed = stepSeed + i;
    }
  });
}

/** Whether the model has any dropout layer (reseeding is skipped otherwise). */
export function hasDropout(model: tf.LayersModel): boolean {
  return model.layers.some((layer) => layer.getClassName() === 'Dropout');
}

/** What the trainer needs beyond shapes: numbers that make sense and SM last, only last. */
function checkBuildable(net: Net): void {
  if (net.length === 0) throw new Error('Net is empty: expected layers ending in SM(c)');
  net.forEach((layer, i) => {
    for (const [key, value] of Object.entries(layer as Layer)) {
      if (key !== 'kind' && (!Number.isInteger(value) || (value as number) < 1)) {
        throw new Error(`Net layer ${i + 1} (${layer.kind}): ${key} must be a positive integer, got ${String(value)}`);
      }
    }
    if (layer.kind === 'dropout' && layer.index > layer.total) {
      throw new Error(`Net layer ${i + 1}: D(${layer.index},${layer.total}) has an index above its total`);
    }
    const last = i === net.length - 1;
    if (last !== (layer.kind === 'softmax')) {
      throw new Error(`Net layer ${i + 1} (${layer.kind}): ${last ? 'the last layer must be SM(c)' : 'SM(c) must be the last layer'}`);
    }
  });
}

/** Number of classes the net's SM layer outputs. */
export function outputClasses(net: Net): number {
  const last = net[net.length - 1];
  if (last?.kind !== 'softmax') throw new Error('Net does not end in SM(c)');
  return last.classes;
}
