/**
 * validateNetwork: every search-space rule a net breaks (spec section 1), one message each.
 * Layers are numbered from 1 in the net as given (dropout tokens included), so a message
 * points at the token a person sees in the string.
 */
import type { Layer, Net } from './types';
import { formatLayer } from './network-string';
import type { SearchSpace } from './search-space';
import { applyAction, pooledSize, startState, stateBin, type WalkState } from './states';

const describeState: Record<WalkState['kind'], string> = {
  start: 'the input',
  conv: 'a convolution',
  pool: 'a pooling layer',
  fc: 'an FC layer',
  gap: 'GAP',
  end: 'SM',
};

function list(values: readonly (number | string)[]): string {
  return `{${values.join(', ')}}`;
}

/** Problems with a layer given the state before it (structure and parameters). */
function layerProblems(layer: Layer, state: WalkState, space: SearchSpace): string[] {
  const problems: string[] = [];
  const size = `${state.height}x${state.width}`;
  switch (layer.kind) {
    case 'conv': {
      if (state.kind !== 'start' && state.kind !== 'conv' && state.kind !== 'pool') {
        problems.push(`a convolution cannot follow ${describeState[state.kind]}`);
        break;
      }
      if (!space.convFilters.includes(layer.filters)) problems.push(`filters ${layer.filters} not in ${list(space.convFilters)}`);
      if (!space.convKernels.includes(layer.kernel)) problems.push(`kernel ${layer.kernel} not in ${list(space.convKernels)}`);
      if (layer.stride !== space.convStride) problems.push(`stride ${layer.stride}, the space's conv stride is ${space.convStride}`);
      const bin = stateBin(state, space);
      if (layer.kernel >= bin) {
        problems.push(`kernel ${layer.kernel} must be smaller than the representation-size bin; the map is ${size} (bin ${bin})`);
      }
      break;
    }
    case 'pool': {
      if (state.kind !== 'conv') {
        problems.push(`pooling must follow a convolution, not ${describeState[state.kind]}`);
        break;
      }
      if (!space.pools.some((p) => p.size === layer.size && p.stride === layer.stride)) {
        problems.push(`(size, stride) (${layer.size},${layer.stride}) not in ${list(space.pools.map((p) => `(${p.size},${p.stride})`))}`);
      }
      const bin = stateBin(state, space);
      if (layer.size >= bin) {
        problems.push(`pool size ${layer.size} must be smaller than the representation-size bin; the map is ${size} (bin ${bin})`);
      } else if (pooledSize(Math.min(state.height, state.width), layer.size, layer.stride) < 1) {
        problems.push(`pooling a ${size} map leaves nothing`);
      }
      break;
    }
    case 'fc': {
      if (state.kind === 'gap' || state.kind === 'end') {
        problems.push(`an FC layer cannot follow ${describeState[state.kind]}`);
        break;
      }
      if (!space.fcSizes.includes(layer.units)) problems.push(`units ${layer.units} not in ${list(space.fcSizes)}`);
      if (state.fcCount >= space.maxFc) problems.push(`at most ${space.maxFc} FC layers are allowed, this is FC number ${state.fcCount + 1}`);
      if (state.kind === 'fc') {
        const previous = state.layer?.kind === 'fc' ? state.layer.units : Infinity;
        if (layer.units > previous) problems.push(`a second FC must not be wider than the first (${previous})`);
      } else {
        const bin = stateBin(state, space);
        if (bin > space.fcMaxBin) {
          problems.push(`FC needs a representation-size bin <= ${space.fcMaxBin}; the map is ${size} (bin ${bin})`);
        }
      }
      break;
    }
    case 'gap': {
      if (state.kind !== 'start' && state.kind !== 'conv' && state.kind !== 'pool') {
        problems.push(`GAP cannot follow ${describeState[state.kind]}`);
      }
      if (layer.classes !== space.numClasses) problems.push(`GAP must map to the ${space.numClasses} classes, not ${layer.classes}`);
      break;
    }
    case 'softmax': {
      if (layer.classes !== space.numClasses) problems.push(`SM must have the ${space.numClasses} classes, not ${layer.classes}`);
      break;
    }
    case 'dropout':
      break;
  }
  return problems;
}

/** Dropout tokens: i-th of n, 1 <= i <= n, one n for the whole net, i counting up. */
function dropoutProblems(net: Net): string[] {
  const problems: string[] = [];
  let previousIndex = 0;
  let total: number | null = null;
  net.forEach((layer, i) => {
    if (layer.kind !== 'dropout') return;
    const where = `layer ${i + 1} ${formatLayer(layer)}`;
    if (!Number.isInteger(layer.index) || !Number.isInteger(layer.total) || layer.index < 1 || layer.index > layer.total) {
      problems.push(`${where}: needs 1 <= i <= n`);
    }
    if (total !== null && layer.total !== total) problems.push(`${where}: n differs from the first dropout's n (${total})`);
    total ??= layer.total;
    if (layer.index <= previousIndex) problems.push(`${where}: index must count up (previous was ${previousIndex})`);
    previousIndex = layer.index;
  });
  return problems;
}

/**
 * Lists every rule of `space` that `net` breaks; empty means valid. Checks each layer's
 * parameters and place (what may follow what, kernel/pool size against the bin, FC count and
 * widths), the class counts, the depth limit, SM last, and the dropout tokens.
 */
export function validateNetwork(net: Net, space: SearchSpace): string[] {
  if (net.length === 0) return [`the network is empty; it must end with SM(${space.numClasses})`];
  const problems: string[] = [];
  let state = startState(space);
  net.forEach((layer, i) => {
    if (layer.kind === 'dropout') return;
    const where = `layer ${i + 1} ${formatLayer(layer)}`;
    if (state.kind === 'end') {
      problems.push(`${where}: comes after SM; SM must be the last layer`);
      return;
    }
    for (const problem of layerProblems(layer, state, space)) problems.push(`${where}: ${problem}`);
    state = applyAction(state, layer);
  });
  const depth = net.filter((l) => l.kind !== 'dropout' && l.kind !== 'softmax').length;
  if (depth > space.maxDepth) {
    problems.push(`${depth} layers before SM (dropout not counted); the depth limit is ${space.maxDepth}`);
  }
  const last = net.filter((l) => l.kind !== 'dropout').at(-1);
  if (last?.kind !== 'softmax') problems.push(`the network must end with SM(${space.numClasses})`);
  problems.push(...dropoutProblems(net));
  return problems;
}

/** Throws an Error listing every problem when `net` breaks a rule of `space`. */
export function assertValidNetwork(net: Net, space: SearchSpace, what = 'network'): void {
  const problems = validateNetwork(net, space);
  if (problems.length > 0) throw new Error(`${what} breaks the search space's rules:\n- ${problems.join('\n- ')}`);
}
