/**
 * States, legal actions and transitions of the MetaQNN decision process (spec section 1).
 *
 * Depth convention (the one the authors' code uses, and the one that reproduces the spec's
 * action counts): the start state has depth 0, every chosen layer other than SM adds 1
 * (conv, pool, FC and GAP all count; dropout is never chosen and never counts). A layer may
 * be added only while depth < maxDepth, so a net has at most maxDepth layers before SM, and
 * at depth maxDepth the only legal action is termination. With the paper's 12 the longest
 * nets in the authors' replay file have exactly 12 layers before SM.
 *
 * Non-square inputs: the true height and width are both tracked through pooling; the bin
 * (and so every rule that reads the representation size) uses the smaller side, the side
 * that limits which kernels and pools fit.
 *
 * Actions are layers. Termination is the action SM(classes); "GAP then SM" is the action
 * GAP(classes) into a GAP state whose only action is SM.
 */
import type { Layer, Net } from './types';
import { formatLayer } from './network-string';
import { sizeBin, type SearchSpace } from './search-space';

export type StateKind = 'start' | 'conv' | 'pool' | 'fc' | 'gap' | 'end';

export interface WalkState {
  readonly kind: StateKind;
  /** Layers chosen so far, SM and dropout not counted. */
  readonly depth: number;
  /** True spatial size of the current feature map (kept unchanged through FC and GAP). */
  readonly height: number;
  readonly width: number;
  /** FC layers so far. */
  readonly fcCount: number;
  /** The layer that led here; null at the start. */
  readonly layer: Layer | null;
}

export function startState(space: SearchSpace): WalkState {
  return {
    kind: 'start',
    depth: 0,
    height: space.inputShape.height,
    width: space.inputShape.width,
    fcCount: 0,
    layer: null,
  };
}

/** The bin of the current map: the Q-table sees this, not the true size. */
export function stateBin(state: WalkState, space: SearchSpace): number {
  return sizeBin(Math.min(state.height, state.width), space);
}

/** VALID pooling output side: floor((n - f) / l) + 1 (spec section 1). */
export function pooledSize(n: number, size: number, stride: number): number {
  return Math.floor((n - size) / stride) + 1;
}

/** SAME convolution output side: ceil(n / l). */
export function convolvedSize(n: number, stride: number): number {
  return Math.ceil(n / stride);
}

/**
 * Every legal action from a state, in a fixed order (conv, pool, FC, GAP, SM) so that a
 * seeded walk is reproducible. Empty for the end state.
 */
export function legalActions(state: WalkState, space: SearchSpace): Layer[] {
  if (state.kind === 'end') return [];
  const terminate: Layer = { kind: 'softmax', classes: space.numClasses };
  if (state.kind === 'gap') return [terminate];
  const actions: Layer[] = [];
  if (state.depth < space.maxDepth) {
    if (state.kind === 'fc') {
      if (state.fcCount < space.maxFc) {
        const previous = state.layer?.kind === 'fc' ? state.layer.units : Infinity;
        for (const units of space.fcSizes) if (units <= previous) actions.push({ kind: 'fc', units });
      }
    } else {
      // start, conv or pool
      const bin = stateBin(state, space);
      for (const filters of space.convFilters) {
        for (const kernel of space.convKernels) {
          if (kernel < bin) actions.push({ kind: 'conv', filters, kernel, stride: space.convStride });
        }
      }
      if (state.kind === 'conv') {
        for (const pool of space.pools) {
          if (pool.size < bin) actions.push({ kind: 'pool', size: pool.size, stride: pool.stride });
        }
      }
      if (bin <= space.fcMaxBin && state.fcCount < space.maxFc) {
        for (const units of space.fcSizes) actions.push({ kind: 'fc', units });
      }
      actions.push({ kind: 'gap', classes: space.numClasses });
    }
  }
  actions.push(terminate);
  return actions;
}

/**
 * The state after taking `action` (not checked for legality: see validateNetwork). Dropout
 * leaves the state as it is.
 */
export function applyAction(state: WalkState, action: Layer): WalkState {
  switch (action.kind) {
    case 'dropout':
      return state;
    case 'softmax':
      return { ...state, kind: 'end', layer: action };
    case 'conv':
      return {
        ...state,
        kind: 'conv',
        depth: state.depth + 1,
        height: convolvedSize(state.height, action.stride),
        width: convolvedSize(state.width, action.stride),
        layer: action,
      };
    case 'pool':
      return {
        ...state,
        kind: 'pool',
        depth: state.depth + 1,
        // Clamped only so an invalid net can still be walked to report its other faults.
        height: Math.max(1, pooledSize(state.height, action.size, action.stride)),
        width: Math.max(1, pooledSize(state.width, action.size, action.stride)),
        layer: action,
      };
    case 'fc':
      return { ...state, kind: 'fc', depth: state.depth + 1, fcCount: state.fcCount + 1, layer: action };
    case 'gap':
      return { ...state, kind: 'gap', depth: state.depth + 1, height: 1, width: 1, layer: action };
  }
}

/**
 * The Q-table key of a state: what the paper's Table 1 says a state holds, with the map size
 * replaced by its bin. Conv/pool/start: type, depth, parameters, bin. FC: depth, units, and
 * how many FC layers so far (no map size: it no longer matters). GAP: depth only.
 * Examples: `start|d0|b8`, `C(64,3,1)|d1|b8`, `P(2,2)|d2|b4`, `FC(512)|d3|fc1`, `GAP(10)|d4`.
 */
export function stateKey(state: WalkState, space: SearchSpace): string {
  switch (state.kind) {
    case 'start':
      return `start|d0|b${stateBin(state, space)}`;
    case 'conv':
    case 'pool':
      return `${formatLayer(state.layer!)}|d${state.depth}|b${stateBin(state, space)}`;
    case 'fc':
      return `${formatLayer(state.layer!)}|d${state.depth}|fc${state.fcCount}`;
    case 'gap':
      return `${formatLayer(state.layer!)}|d${state.depth}`;
    case 'end':
      return 'end';
  }
}

/** Pattern every state key matches; used to reject corrupt Q-tables. */
export const stateKeyPattern = /^(start\|d0\|b\d+|(C\(\d+,\d+,\d+\)|P\(\d+,\d+\))\|d\d+\|b\d+|FC\(\d+\)\|d\d+\|fc\d+|GAP\(\d+\)\|d\d+)$/;

/** The Q-table key of an action: the layer's own token, e.g. `C(64,3,1)` or `SM(10)`. */
export function actionKey(action: Layer): string {
  return formatLayer(action);
}

export interface TrajectoryStep {
  readonly state: WalkState;
  readonly action: Layer;
  readonly next: WalkState;
}

/**
 * The walk that builds a net: one step per layer (dropout skipped), the last one into the
 * end state. The net is assumed valid (see validateNetwork); this does not re-check.
 */
export function trajectoryOf(net: Net, space: SearchSpace): TrajectoryStep[] {
  const steps: TrajectoryStep[] = [];
  let state = startState(space);
  for (const layer of net) {
    if (layer.kind === 'dropout') continue;
    const next = applyAction(state, layer);
    steps.push({ state, action: layer, next });
    state = next;
  }
  return steps;
}
