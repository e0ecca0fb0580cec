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

  it('measures one trainer, tries two, measures one again, and keeps two when they beat both by 5%', () => {
    let a = step(null, 0, [], 2);
    expect(a).toMatchObject({ admitted: 1, phase: 'steady' });
    let finishes = every(1000, 1000, 4); // 3,600 nets/hour
    a = step(a, 4000, finishes, 2);
    expect(a).toMatchObject({ admitted: 2, phase: 'trial', since: 4000 });
    finishes = [...finishes, ...every(4500, 500, 4)]; // 7,200
    a = step(a, 6000, finishes, 2);
    expect(a).toMatchObject({ admitted: 1, phase: 'confirm', since: 6000 });
    expect(idleReason(a)).toBe('waiting: one trainer is measured again after a trial of 2');
    finishes = [...finishes, ...every(7000, 900, 4)]; // 4,000
    a = step(a, 10_000, finishes, 2);
    expect(a).toMatchObject({ admitted: 2, phase: 'steady', ceiling: null, since: 10_000 });
    expect(a.measured).toEqual([
      { trainers: 1, netsPerHour: 3800 },
      { trainers: 2, netsPerHour: 7200 },
    ]);
  });

  it('keeps one trainer when the trial only beat the first measurement, the search having sped up meanwhile', () => {
    let finishes = every(1000, 1000, 4); // 3,600: early nets compile their shaders
    let a = step(step(null, 0, [], 2), 4000, finishes, 2);
    finishes = [...finishes, ...every(4500, 900, 4)]; // 4,000: better than 3,600 by 11%
    a = step(a, 8000, finishes, 2);
    finishes = [...finishes, ...every(8500, 750, 4)]; // 4,800 alone, now warm
    a = step(a, 12_000, finishes, 2);
    expect(a).toMatchObject({ admitted: 1, phase: 'steady', ceiling: 2 });
    expect(idleReason({ ...a, trainers: ['t#0'] })).toBe('held back: 2 trainers made the search no faster than 1 (4,000 vs 4,200 nets/hour)');
    // Two are not tried again.
    a = step(a, 20_000, [...finishes, ...every(13_000, 1000, 8)], 2);
    expect(a).toMatchObject({ admitted: 1, phase: 'steady' });
  });

  it('never admits more trainers than there are, and drops to what is left when a tab closes', () => {
    let a = step(null, 0, [], 1);
    a = step(a, 4000, every(1000, 1000, 4), 1);
    expect(a).toMatchObject({ admitted: 1, phase: 'steady' });
    const three: Admission = { ...firstAdmission(0), admitted: 3, phase: 'steady' };
    expect(step(three, 100, [], 2)).toMatchObject({ admitted: 2, since: 100 });
  });

  it('tries a third trainer once two are kept and measured', () => {
    const two: Admission = { ...firstAdmission(0), admitted: 2, phase: 'steady', measured: [{ trainers: 1, netsPerHour: 3600 }] };
    const a = step(two, 5000, every(1000, 500, 4), 3);
    expect(a).toMatchObject({ admitted: 3, phase: 'trial', since: 5000 });
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
