import { describe, expect, it } from 'vitest';
import { budgetEndsAt, clockTime, planText, significant, type SearchPlan } from '../../../src/ui/budget-status';

const plan = (trainSampleSize: number | null, nsPerMultiplyAdd: number, nets: number): SearchPlan => ({
  trainSampleSize,
  calibration: { backend: 'cpu', msPerImage: 0.05, nsPerMultiplyAdd, nets },
  plannedAt: Date.UTC(2026, 0, 1),
});

describe('budget status: when a budgeted search ends, and its data plan', () => {
  it('ends at now plus what is left of the budget, never before now', () => {
    const now = Date.UTC(2026, 0, 1, 14, 22, 0);
    expect(budgetEndsAt({ budgetMs: 600_000, usedMs: 0 }, now)).toBe(now + 600_000);
    expect(budgetEndsAt({ budgetMs: 600_000, usedMs: 450_000 }, now)).toBe(now + 150_000);
    expect(budgetEndsAt({ budgetMs: 600_000, usedMs: 700_000 }, now)).toBe(now);
  });

  it('shows the end as a clock time', () => {
    const end = budgetEndsAt({ budgetMs: 600_000, usedMs: 0 }, Date.UTC(2026, 0, 1, 14, 22, 30));
    expect(clockTime(end, 'en-GB', 'UTC')).toBe('14:32');
    expect(clockTime(end, 'en-GB', 'Europe/Berlin')).toBe('15:32');
  });

  it('says the images per net and what they were planned from', () => {
    expect(planText(plan(2000, 0.9, 3), null)).toBe('Each net trains on 2,000 images (measured on cpu: 0.05 ms per image and 0.9 ns per multiply-add per epoch, from 3 nets)');
    expect(planText({ ...plan(2000, 0.9, 3), multiplyAddCap: 4_416_666 }, null)).toContain('on 2,000 images, nets up to 4.4 M multiply-adds (');
    expect(planText(plan(2000, 0.9, 3), 6000)).toContain('on 2,000 images');
    // No sample chosen by the plan: all the config's, or the whole training split.
    expect(planText(plan(null, 0.9, 3), 160)).toContain('Each net trains on 160 images (');
    expect(planText(plan(null, 0.0123, 1), null)).toBe('Each net trains on every training image (measured on cpu: 0.05 ms per image and 0.012 ns per multiply-add per epoch, from 1 net)');
  });

  it('rounds to two significant digits, whole numbers from 10', () => {
    expect(significant(0.9)).toBe('0.9');
    expect(significant(3.456)).toBe('3.5');
    expect(significant(12_345.6)).toBe('12,346');
    expect(significant(Number.NaN)).toBe('–');
  });
});
