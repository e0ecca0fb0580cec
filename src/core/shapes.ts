/**
 * Output shapes, parameter counts and multiply-adds of a net, with the layer semantics the
 * trainer builds (types.ts): conv SAME + bias; max pool VALID, no parameters; flatten before
 * the first dense; FC dense + bias; GAP = 1x1 conv to the classes + bias, then the average
 * over the map; SM = dense to the classes + bias (after GAP: classes -> classes); dropout
 * nothing. These match TF.js's `model.countParams()` (tested against it).
 */
import type { InputShape, Layer, Net } from './types';
import { formatLayer } from './network-string';
import { convolvedSize, pooledSize } from './states';

export type OutputShape =
  | { readonly kind: 'map'; readonly height: number; readonly width: number; readonly channels: number }
  | { readonly kind: 'vector'; readonly units: number };

export interface LayerCost {
  readonly output: OutputShape;
  readonly params: number;
  /** Multiply-accumulates of one forward pass of one image (bias adds, pooling and averaging not counted). */
  readonly multiplyAdds: number;
}

function fail(layer: Layer, index: number, problem: string): never {
  throw new Error(`layer ${index + 1} ${formatLayer(layer)}: ${problem}`);
}

function flatLength(shape: OutputShape): number {
  return shape.kind === 'map' ? shape.height * shape.width * shape.channels : shape.units;
}

/** Per-layer output shape, parameters and multiply-adds. Throws naming the layer a net cannot build. */
export function layerCosts(net: Net, inputShape: InputShape): LayerCost[] {
  let shape: OutputShape = { kind: 'map', ...inputShape };
  return net.map((layer, i) => {
    let params = 0;
    let multiplyAdds = 0;
    switch (layer.kind) {
      case 'conv': {
        if (shape.kind !== 'map') fail(layer, i, 'a convolution needs a feature map, not a flat vector');
        const height = convolvedSize(shape.height, layer.stride);
        const width = convolvedSize(shape.width, layer.stride);
        const perOutput = layer.kernel * layer.kernel * shape.channels;
        params = perOutput * layer.filters + layer.filters;
        multiplyAdds = height * width * perOutput * layer.filters;
        shape = { kind: 'map', height, width, channels: layer.filters };
        break;
      }
      case 'pool': {
        if (shape.kind !== 'map') fail(layer, i, 'pooling needs a feature map, not a flat vector');
        const height = pooledSize(shape.height, layer.size, layer.stride);
        const width = pooledSize(shape.width, layer.size, layer.stride);
        if (height < 1 || width < 1) fail(layer, i, `pooling a ${shape.height}x${shape.width} map leaves nothing`);
        shape = { kind: 'map', height, width, channels: shape.channels };
        break;
      }
      case 'fc':
      case 'softmax': {
        const inputs = flatLength(shape);
        const units = layer.kind === 'fc' ? layer.units : layer.classes;
        params = inputs * units + units;
        multiplyAdds = inputs * units;
        shape = { kind: 'vector', units };
        break;
      }
      case 'gap': {
        if (shape.kind !== 'map') fail(layer, i, 'GAP needs a feature map, not a flat vector');
        params = shape.channels * layer.classes + layer.classes;
        multiplyAdds = shape.height * shape.width * shape.channels * layer.classes;
        shape = { kind: 'vector', units: layer.classes };
        break;
      }
      case 'dropout':
        break;
    }
    return { output: shape, params, multiplyAdds };
  });
}

/** Each layer's output shape, for diagrams. */
export function outputShapes(net: Net, inputShape: InputShape): OutputShape[] {
  return layerCosts(net, inputShape).map((cost) => cost.output);
}

/** Trainable parameters (weights and biases). Paper's best CIFAR-10 net at 32x32x3: 11,309,834. */
export function countParams(net: Net, inputShape: InputShape): number {
  return layerCosts(net, inputShape).reduce((sum, cost) => sum + cost.params, 0);
}

/** Multiply-accumulates of one forward pass of one image. */
export function countMultiplyAdds(net: Net, inputShape: InputShape): number {
  return layerCosts(net, inputShape).reduce((sum, cost) => sum + cost.multiplyAdds, 0);
}
