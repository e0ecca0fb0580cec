import { describe, expect, it } from 'vitest';
import { fitThroughput, planTrainImages, predictTrainingMs, type Throughput } from '../../../src/core';

describe('fitThroughput', () => {
  it('recovers a fixed part and a part per multiply-add from nets of different sizes', () => {
    // 0.2 ms per image plus 1.5 ns per multiply-add, per image-epoch.
    const truth = (macs: number) => 0.2 + 1.5e-6 * macs;
    const samples = [1e5, 4e5, 2e6, 8e6].map((macs, i) => ({ multiplyAdds: macs, images: 500 * (i + 1), epochs: 2, trainingMs: truth(macs) * 500 * (i + 1) * 2 }));
    const fit = fitThroughput(samples)!;
    expect(fit.msPerImage).toBeCloseTo(0.2, 6);
    expect(fit.nsPerMultiplyAdd).toBeCloseTo(1.5, 6);
    expect(fit.nets).toBe(4);
    expect(predictTrainingMs(fit, 1e6, 1000, 3)).toBeCloseTo(truth(1e6) * 3000, 3);
  });

  it('never goes negative: nets that got faster as they grew leave a constant per image', () => {
    const fit = fitThroughput([
      { multiplyAdds: 1e5, images: 100, epochs: 1, trainingMs: 100 },
      { multiplyAdds: 1e7, images: 100, epochs: 1, trainingMs: 60 },
    ])!;
    expect(fit.nsPerMultiplyAdd).toBe(0);
    expect(fit.msPerImage).toBeCloseTo(0.8, 6);
  });

  it('puts the time on the multiply-adds when the line would cross below zero', () => {
    const fit = fitThroughput([
      { multiplyAdds: 1e6, images: 100, epochs: 1, trainingMs: 10 },
      { multiplyAdds: 2e6, images: 100, epochs: 1, trainingMs: 100 },
    ])!;
    expect(fit.msPerImage).toBe(0);
    expect(fit.nsPerMultiplyAdd).toBeGreaterThan(0);
  });

  it('one net, or nets of one size, give a constant per image', () => {
    expect(fitThroughput([{ multiplyAdds: 5e5, images: 200, epochs: 2, trainingMs: 400 }])).toEqual({ msPerImage: 1, nsPerMultiplyAdd: 0, nets: 1 });
  });

  it('skips samples without time or images, and is null with none left', () => {
    expect(fitThroughput([])).toBeNull();
    expect(fitThroughput([{ multiplyAdds: 5e5, images: 0, epochs: 2, trainingMs: 400 }, { multiplyAdds: 5e5, images: 10, epochs: 1, trainingMs: 0 }])).toBeNull();
  });
});

describe('planTrainImages', () => {
  // 1 ms per image-epoch for the typical net.
  const fit: Throughput = { msPerImage: 1, nsPerMultiplyAdd: 0, nets: 3 };
  const base = { fit, trainers: 1, targetNets: 40, multiplyAdds: 1e6, epochs: 2, fixedMsPerNet: 0, overhead: 1, maxImages: 8500, minImages: 250 };

  it('takes the largest step at which the target nets fit the time left', () => {
    // 600 s / 40 nets = 15 s a net = 7,500 images at 2 ms per image: the step below is 6,000.
    expect(planTrainImages({ ...base, timeLeftMs: 600_000 })).toBe(6000);
    // Twice the trainers, twice the time per net: all 8,500 fit.
    expect(planTrainImages({ ...base, timeLeftMs: 600_000, trainers: 2 })).toBe(8500);
  });

  it('counts the fixed cost of a net and the overhead around the timed parts', () => {
    // 15 s a net less 5 s fixed = 10 s = 5,000 images; 1.5× overhead: 10 s - 5 s = 2,500 → 2,000.
    expect(planTrainImages({ ...base, timeLeftMs: 600_000, fixedMsPerNet: 5000 })).toBe(4000);
    expect(planTrainImages({ ...base, timeLeftMs: 600_000, fixedMsPerNet: 5000, overhead: 1.5 })).toBe(2000);
  });

  it('keeps the floor when even it buys fewer nets, and never more than there are', () => {
    expect(planTrainImages({ ...base, timeLeftMs: 10_000 })).toBe(250);
    expect(planTrainImages({ ...base, timeLeftMs: 10_000, maxImages: 160, minImages: 250 })).toBe(160);
    expect(planTrainImages({ ...base, timeLeftMs: 1e9, maxImages: 160 })).toBe(160);
  });

  it('refuses nonsense', () => {
    expect(() => planTrainImages({ ...base, timeLeftMs: 1000, targetNets: 0 })).toThrow(/targetNets/);
  });
});
