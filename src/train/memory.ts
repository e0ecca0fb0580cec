/**
 * Training memory estimate, float32 (the paper's net_too_large check, done before
 * training instead of after a crash). Deliberately simple and on the high side:
 * - parameters ×4: weights, their gradients, Adam's first and second moments;
 * - activations ×2 at the batch size: the input and every layer output the forward pass
 *   keeps for backprop (a flatten's copy included), plus one gradient of each flowing back.
 * The cached dataset tensors are not counted: every candidate shares them.
 */
import { layerCosts, type OutputShape } from '../core/index';
import type { InputShape, Net } from '../core/types';

const BYTES_PER_FLOAT = 4;
/** Weights, gradients, Adam m and v. */
const PARAM_COPIES = 4;
/** Forward values kept for backprop, and their gradients. */
const ACTIVATION_COPIES = 2;

export function estimateMemoryBytes(net: Net, input: InputShape, batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`estimateMemoryBytes: batchSize must be a positive integer, got ${batchSize}`);
  }
  const costs = layerCosts(net, input);
  let params = 0;
  let activations = input.height * input.width * input.channels;
  let previous: OutputShape = { kind: 'map', ...input };
  for (const cost of costs) {
    params += cost.params;
    activations += size(cost.output);
    // Dense after a map: TF.js materialises the flattened copy too.
    if (previous.kind === 'map' && cost.output.kind === 'vector') activations += size(previous);
    previous = cost.output;
  }
  return BYTES_PER_FLOAT * (PARAM_COPIES * params + ACTIVATION_COPIES * activations * batchSize);
}

function size(shape: OutputShape): number {
  return shape.kind === 'map' ? shape.height * shape.width * shape.channels : shape.units;
}
