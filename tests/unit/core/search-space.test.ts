import { describe, expect, it } from 'vitest';
import { parseNetwork, formatLayer } from '../../../src/core/network-string';
import { paperSchedule, scaleSchedule, schedulePresets, scheduleTotal, checkSchedule } from '../../../src/core/schedule';
import {
  checkSearchSpace,
  makeSearchSpace,
  paperSearchSpace,
  searchSpacePresets,
  sizeBin,
  type SearchSpace,
} from '../../../src/core/search-space';
import { applyAction, legalActions, startState, stateBin, stateKey, type WalkState } from '../../../src/core/states';

const cifar = paperSearchSpace({ inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10 });

/** The state reached by walking `layers` (a network string without SM) from the start. */
function stateAfter(layers: string, space: SearchSpace = cifar): WalkState {
  const net = layers === '' ? [] : parseNetwork(`[${layers}]`);
  return net.reduce(applyAction, startState(space));
}

describe('paper search space (Table 1)', () => {
  it('has the paper numbers, depth 12 unless asked for 18', () => {
    expect(cifar.convFilters).toEqual([64, 128, 256, 512]);
    expect(cifar.convKernels).toEqual([1, 3, 5]);
    expect(cifar.pools).toEqual([
      { size: 5, stride: 3 },
      { size: 3, stride: 2 },
      { size: 2, stride: 2 },
    ]);
    expect(cifar.fcSizes).toEqual([512, 256, 128]);
    expect(cifar.maxDepth).toBe(12);
    expect(paperSearchSpace({ inputShape: cifar.inputShape, numClasses: 10, maxDepth: 18 }).maxDepth).toBe(18);
  });

  it('bins representation sizes: n > 7 -> 8, 4..7 -> 4, n <= 3 -> 1', () => {
    const bins = Array.from({ length: 12 }, (_, i) => sizeBin(i + 1, cifar));
    expect(bins).toEqual([1, 1, 1, 4, 4, 4, 4, 8, 8, 8, 8, 8]);
  });

  // spec section 1: the action counts to check.
  it.each([
    ['start', '', 14, 8],
    ['conv@8', 'C(64,3,1)', 17, 8],
    ['conv@4', 'C(64,3,1), P(3,2), C(64,3,1), P(3,2), C(64,3,1)', 15, 4],
    ['conv@1', 'C(64,3,1), P(5,3), C(64,3,1), P(3,2), C(64,3,1), P(2,2), C(64,1,1)', 5, 1],
    ['pool@8', 'C(64,3,1), P(2,2)', 14, 8],
    ['pool@4', 'C(64,3,1), P(5,3), C(64,3,1), P(2,2)', 13, 4],
    ['pool@1', 'C(64,3,1), P(5,3), C(64,3,1), P(3,2), C(64,1,1), P(3,2)', 5, 1],
    ['first FC(512)', 'C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(512)', 4, null],
    ['FC(256)', 'C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(256)', 3, null],
    ['FC(128)', 'C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(128)', 2, null],
    ['second FC', 'C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(512), FC(256)', 1, null],
    ['GAP', 'C(64,3,1), GAP(10)', 1, null],
  ])('%s has %i legal actions', (_name, layers, count, bin) => {
    const state = stateAfter(layers);
    if (bin !== null) expect(stateBin(state, cifar)).toBe(bin);
    expect(legalActions(state, cifar)).toHaveLength(count);
  });

  it('allows termination (SM) from every non-terminal state and only SM after GAP', () => {
    for (const layers of ['', 'C(64,3,1)', 'C(64,3,1), P(2,2)', 'C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(128)']) {
      expect(legalActions(stateAfter(layers), cifar).map(formatLayer)).toContain('SM(10)');
    }
    expect(legalActions(stateAfter('C(64,3,1), GAP(10)'), cifar).map(formatLayer)).toEqual(['SM(10)']);
    expect(legalActions(stateAfter('C(64,3,1), SM(10)'), cifar)).toEqual([]);
  });

  it('keeps kernels and pools below the bin, pools only after conv, FC only at bin <= 4', () => {
    const kinds = (layers: string) => legalActions(stateAfter(layers), cifar).map(formatLayer);
    const atStart = kinds('');
    expect(atStart.some((a) => a.startsWith('P('))).toBe(false);
    expect(atStart.some((a) => a.startsWith('FC('))).toBe(false);
    const conv4 = kinds('C(64,3,1), P(3,2), C(64,3,1), P(3,2), C(64,3,1)');
    expect(conv4.filter((a) => a.startsWith('C(')).every((a) => !a.includes(',5,'))).toBe(true);
    expect(conv4.filter((a) => a.startsWith('P('))).toEqual(['P(3,2)', 'P(2,2)']);
    expect(conv4.filter((a) => a.startsWith('FC('))).toEqual(['FC(512)', 'FC(256)', 'FC(128)']);
    // after pool: no pool; after FC: only FC (not wider) or SM.
    expect(kinds('C(64,3,1), P(2,2)').some((a) => a.startsWith('P('))).toBe(false);
    expect(kinds('C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(256)')).toEqual(['FC(256)', 'FC(128)', 'SM(10)']);
  });

  it('counts depth as layers before SM: at the depth limit only termination is legal', () => {
    const eleven = Array.from({ length: 11 }, () => 'C(64,3,1)').join(', ');
    expect(stateAfter(eleven).depth).toBe(11);
    expect(legalActions(stateAfter(eleven), cifar)).toHaveLength(17);
    expect(legalActions(stateAfter(`${eleven}, C(64,3,1)`), cifar).map(formatLayer)).toEqual(['SM(10)']);
    // GAP counts as a layer: GAP as the 12th layer is legal, then SM.
    expect(legalActions(stateAfter(eleven), cifar).map(formatLayer)).toContain('GAP(10)');
    // Dropout never counts.
    expect(stateAfter(`C(64,3,1), D(1,2), C(64,3,1)`).depth).toBe(2);
  });

  it('tracks both sides of a non-square input and bins on the smaller side', () => {
    const wide = makeSearchSpace('paper', { inputShape: { height: 12, width: 40, channels: 1 }, numClasses: 10 });
    const state = stateAfter('C(64,3,1), P(3,2)', wide);
    expect([state.height, state.width]).toEqual([5, 19]);
    expect(stateBin(state, wide)).toBe(4);
    expect(stateKey(state, wide)).toBe('P(3,2)|d2|b4');
  });

  it('keys states by type, depth, parameters and bin (not the true size)', () => {
    expect(stateKey(stateAfter(''), cifar)).toBe('start|d0|b8');
    expect(stateKey(stateAfter('C(64,3,1)'), cifar)).toBe('C(64,3,1)|d1|b8');
    // 32 -> P(5,3) -> 10 and 32 -> P(2,2) -> 16: both bin 8, same key shape.
    expect(stateKey(stateAfter('C(64,3,1), P(5,3)'), cifar)).toBe('P(5,3)|d2|b8');
    expect(stateKey(stateAfter('C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(512), FC(256)'), cifar)).toBe('FC(256)|d6|fc2');
    expect(stateKey(stateAfter('GAP(10)'), cifar)).toBe('GAP(10)|d1');
  });
});

describe('presets', () => {
  it('are data rows completed by the dataset', () => {
    for (const name of ['paper', 'quick', 'tiny'] as const) {
      const space = makeSearchSpace(name, { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10 });
      expect(space).toMatchObject(searchSpacePresets[name]);
    }
    expect(searchSpacePresets.tiny.convFilters).toEqual([4, 8]);
    expect(searchSpacePresets.tiny.maxDepth).toBeLessThanOrEqual(5);
    expect(searchSpacePresets.quick.maxDepth).toBe(8);
  });

  it('tiny can reach FC on 28x28 within its depth limit', () => {
    const tiny = makeSearchSpace('tiny', { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10 });
    const state = stateAfter('C(4,3,1), P(2,2), C(4,3,1), P(2,2)', tiny);
    expect(legalActions(state, tiny).map(formatLayer)).toContain('FC(16)');
  });

  it('rejects a bad custom space, naming the field', () => {
    const bad = { ...cifar, pools: [{ size: 2, stride: 1.5 }] };
    expect(() => checkSearchSpace(bad)).toThrow('search space.pools[0].stride: expected an integer, got 1.5');
    expect(() => checkSearchSpace({ ...cifar, sizeBins: [8, 4] })).toThrow(/sizeBins: must end with 1/);
    expect(() => checkSearchSpace({ ...cifar, convFilters: [] })).toThrow(/convFilters: expected at least one value/);
    expect(() => checkSearchSpace({ ...cifar, inputShape: { height: 32, width: 32 } })).toThrow(
      'search space.inputShape.channels: expected a finite number, got undefined (missing)',
    );
  });
});

describe('ε schedules', () => {
  it('paper: 1.0×1500 then down to 0.1, 2,700 nets', () => {
    expect(scheduleTotal(paperSchedule)).toBe(2700);
    expect(paperSchedule.map((l) => l.epsilon)).toEqual([1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]);
    expect(paperSchedule[0]).toEqual({ epsilon: 1, nets: 1500 });
  });

  it('presets are the paper schedule scaled, keeping every ε level', () => {
    expect(schedulePresets.quick).toEqual(scaleSchedule(paperSchedule, 1 / 18));
    expect(schedulePresets.tiny).toEqual(scaleSchedule(paperSchedule, 1 / 270));
    expect(scheduleTotal(schedulePresets.quick)).toBe(149);
    expect(scheduleTotal(schedulePresets.tiny)).toBeGreaterThanOrEqual(10);
    expect(scheduleTotal(schedulePresets.tiny)).toBeLessThanOrEqual(16);
    expect(scaleSchedule(paperSchedule, 0.0001).every((l) => l.nets === 1)).toBe(true);
    expect(() => scaleSchedule(paperSchedule, 0)).toThrow(/factor/);
  });

  it('rejects a bad schedule, naming the level', () => {
    expect(() => checkSchedule([{ epsilon: 1, nets: 5 }, { epsilon: 1.2, nets: 5 }])).toThrow(
      'schedule[1].epsilon: expected a number <= 1, got 1.2',
    );
    expect(() => checkSchedule([])).toThrow(/at least one/);
  });
});
