import { describe, expect, it } from 'vitest';
import {
  ADMISSION_WINDOW,
  firstAdmission,
  idleReason,
  isAdmitted,
  nextAdmission,
  paceSince,
  trainerOrder,
  type Admission,
} from '../../../src/search/session/admission';

/** `n` finishes every `gapMs` from `start`. */
const every = (start: number, gapMs: number, n: number) => Array.from({ length: n }, (_, i) => start + i * gapMs);

describe('paceSince', () => {
  it('times the gaps between the finishes since the level began, null before a window of nets', () => {
    expect(paceSince(every(1000, 1000, ADMISSION_WINDOW - 1), 0)).toBeNull();
    // 4 finishes a second apart: 3 gaps in 3 s, whatever came before the level.
    expect(paceSince([0, 10, ...every(5000, 1000, 4)], 4999)).toBe(3600);
    // A net that finished as the level began belongs to the level before.
    expect(paceSince(every(5000, 1000, 4), 5000)).toBeNull();
  });
});

describe('nextAdmission', () => {
  const step = (a: Admission | null, now: number, finishes: number[], available: number) => nextAdmission(a, { now, finishes, available });

  it('measures one trainer, tries two, and keeps two when the search got 5% faster', () => {
    let a = step(null, 0, [], 2);
    expect(a).toMatchObject({ admitted: 1, phase: 'steady' });
    const one = every(1000, 1000, 4); // 3,600 nets/hour
    a = step(a, 4000, one, 2);
    expect(a).toMatchObject({ admitted: 2, phase: 'trial', since: 4000 });
    const two = [...one, ...every(4500, 500, 4)]; // 7,200 nets/hour
    a = step(a, 6000, two, 2);
    // Kept; there is no third trainer to try.
    expect(a).toMatchObject({ admitted: 2, phase: 'steady', ceiling: null, since: 6000 });
    expect(a.measured).toEqual([
      { trainers: 1, netsPerHour: 3600 },
      { trainers: 2, netsPerHour: 7200 },
    ]);
  });

  it('goes back to one trainer when two were not faster, says why, and does not try two again', () => {
    const one = every(1000, 1000, 4);
    let a = step(step(null, 0, [], 2), 4000, one, 2);
    const slower = [...one, ...every(4500, 1100, 4)];
    a = step(a, 8000, slower, 2);
    expect(a).toMatchObject({ admitted: 1, phase: 'steady', ceiling: 2 });
    expect(idleReason({ ...a, trainers: ['t#0'] })).toMatch(/held back: 2 trainers made the search no faster than 1 \(3,273 vs 3,600 nets\/hour\)/);
    a = step(a, 20_000, [...slower, ...every(9000, 1000, 8)], 2);
    expect(a).toMatchObject({ admitted: 1, phase: 'steady' });
  });

  it('never admits more trainers than there are, and drops to what is left when a tab closes', () => {
    let a = step(null, 0, [], 1);
    a = step(a, 4000, every(1000, 1000, 4), 1);
    expect(a).toMatchObject({ admitted: 1, phase: 'steady' });
    const three: Admission = { ...firstAdmission(0), admitted: 3, phase: 'steady' };
    expect(step(three, 100, [], 2)).toMatchObject({ admitted: 2, since: 100 });
  });

  it('keeps adding trainers while each one helps', () => {
    let a = step(null, 0, [], 3);
    let finishes = every(1000, 1000, 4);
    a = step(a, 4000, finishes, 3);
    finishes = [...finishes, ...every(4500, 500, 4)];
    a = step(a, 6500, finishes, 3);
    expect(a).toMatchObject({ admitted: 3, phase: 'trial', since: 6500 });
  });
});

describe('who may claim', () => {
  it('orders the leader’s slots first, then the other tabs by id', () => {
    expect(trainerOrder('tab-b', new Set(['tab-c', 'tab-a', 'tab-b']), 2)).toEqual(['tab-b#0', 'tab-b#1', 'tab-a#0', 'tab-a#1', 'tab-c#0', 'tab-c#1']);
  });

  it('lets every trainer claim before the leader decided, then only the admitted', () => {
    expect(isAdmitted(undefined, 'tab-a#0')).toBe(true);
    const a: Admission = { ...firstAdmission(0), trainers: ['tab-a#0'] };
    expect(isAdmitted(a, 'tab-a#0')).toBe(true);
    expect(isAdmitted(a, 'tab-b#0')).toBe(false);
    expect(idleReason(a)).toBe('waiting: one trainer is measured first');
  });
});
