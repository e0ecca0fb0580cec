/**
 * Dropout placement (spec section 3). The agent never chooses dropout; a rule places it.
 *
 * - 'seed' (default, the seed article): one dropout after every FC; with n of them the i-th
 *   has rate i/(2n). A net without FC gets none.
 * - 'paper' (the authors' code, `add_drop_out_states`): after every second layer and after
 *   every FC, never after GAP or SM, with n = floor((L - G - F)/2) + F. Pinned against all
 *   1,983 rows of the authors' replay file; what that takes:
 *     L counts every layer including SM, and SM counts as the TYPE of the layer before it
 *     (the code's terminal state keeps the previous layer's type), so G = #GAP + 1 and F =
 *     #FC + 1 when SM follows GAP or FC respectively.
 *     "Every second layer" is positions 2, 4, 6, ... counting SM. n is computed before
 *     placement and some slots are skipped (GAP, SM), so often fewer than n tokens appear:
 *     `[C(128,1,1), C(256,5,1), D(1,2), P(5,3), SM(10)]` is right.
 * - 'none': no dropout.
 */
import type { DropoutLayer, Layer, Net } from './types';

export type DropoutRule = 'seed' | 'paper' | 'none';
export const dropoutRules: readonly DropoutRule[] = ['seed', 'paper', 'none'];

/** Rate of the i-th of n dropout layers: i/(2n), so the last one drops half. */
export function dropoutRate(layer: DropoutLayer): number {
  return layer.index / (2 * layer.total);
}

export function stripDropout(net: Net): Net {
  return net.filter((layer) => layer.kind !== 'dropout');
}

function paperDropoutCount(layers: Net): number {
  const last = layers.at(-2)?.kind;
  const gap = layers.filter((l) => l.kind === 'gap').length + (last === 'gap' ? 1 : 0);
  const fc = layers.filter((l) => l.kind === 'fc').length + (last === 'fc' ? 1 : 0);
  return Math.floor((layers.length - gap - fc) / 2) + fc;
}

/** The net with dropout placed by `rule`; any dropout already in `net` is replaced. */
export function insertDropout(net: Net, rule: DropoutRule = 'seed'): Net {
  const layers = stripDropout(net);
  if (rule === 'none') return layers;
  const total = rule === 'seed' ? layers.filter((l) => l.kind === 'fc').length : paperDropoutCount(layers);
  const out: Layer[] = [];
  let index = 1;
  layers.forEach((layer, i) => {
    out.push(layer);
    const wanted =
      rule === 'seed'
        ? layer.kind === 'fc'
        : ((i + 1) % 2 === 0 || layer.kind === 'fc') && layer.kind !== 'softmax' && layer.kind !== 'gap';
    if (wanted && index <= total) out.push({ kind: 'dropout', index: index++, total });
  });
  return out;
}
