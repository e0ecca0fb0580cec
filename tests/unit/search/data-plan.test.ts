import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/search/config';
import { calibrate, MIN_IMAGES, nextDataPlan, plannedImages, plannedMsPerNet, plannedMultiplyAddCap, PROBE_IMAGES, PROBE_MULTIPLY_ADDS, type SearchPlan } from '../../../src/search/session/data-plan';
import { replayRecord } from '../replay-record';

/** A net timed at `msPerImage` per image-epoch over 2 epochs of `images`, on `backend`. */
const timed = (i: number, backend: string, msPerImage: number, images = 1000) =>
  replayRecord(`[C(${i},3,1), SM(10)]`, {
    backend,
    trainImages: images,
    finishedAt: 1000 + i,
    valCurve: [{ accuracy: 0.5, loss: 1 }, { accuracy: 0.6, loss: 0.9 }],
    timings: { buildMs: 100, firstBatchMs: 200, trainingMs: msPerImage * images * 2, evaluationMs: 200 },
  });

const config = presetConfig('budget', 'mnist', 1);

describe('calibrate', () => {
  it('fits the backend the latest net ran on, once two nets were timed there', () => {
    expect(calibrate([timed(1, 'cpu', 1)])).toBeNull();
    expect(calibrate([timed(1, 'cpu', 1), timed(2, 'webgpu', 0.2)])).toBeNull();
    const c = calibrate([timed(1, 'cpu', 1), timed(2, 'webgpu', 0.2), timed(3, 'webgpu', 0.2)])!;
    expect(c.backend).toBe('webgpu');
    expect(c.fit.nets).toBe(2);
    expect(c.fit.msPerImage + c.fit.nsPerMultiplyAdd * 1e-6 * c.timed[0]!.multiplyAdds).toBeCloseTo(0.2, 6);
  });

  it('skips nets that say nothing of the speed (imported, untimed, without their images)', () => {
    const replay = [timed(1, 'cpu', 1), { ...timed(2, 'cpu', 1), source: 'imported' as const }, { ...timed(3, 'cpu', 1), trainImages: null }, { ...timed(4, 'cpu', 1), timings: null }];
    expect(calibrate(replay)).toBeNull();
  });
});

describe('nextDataPlan', () => {
  const base = { config, trainCount: 8000, trainers: 1, now: 5 };

  it('gives each net the images at which the time left buys the rest of about 40 nets', () => {
    // 2 ms an image-epoch, 2 epochs, 500 ms fixed: 38 nets in 600 s is 15.8 s a net, ~3,800 images.
    const replay = [timed(1, 'cpu', 2), timed(2, 'cpu', 2)];
    const plan = nextDataPlan({ ...base, replay, current: null, timeLeftMs: 600_000, wallMsPerNet: 4500 })!;
    expect(plan.trainSampleSize).toBe(3000);
    expect(plan.calibration).toMatchObject({ backend: 'cpu', nets: 2 });
    // Twice the time: all the images fit.
    expect(nextDataPlan({ ...base, replay, current: null, timeLeftMs: 1_500_000, wallMsPerNet: 4500 })!.trainSampleSize).toBeNull();
    // All of the time is per image here (one net size): no cap on the nets' size.
    expect(plan.multiplyAddCap).toBeNull();
    // Hardly any time: the floor.
    expect(nextDataPlan({ ...base, replay, current: null, timeLeftMs: 10_000, wallMsPerNet: 4500 })!.trainSampleSize).toBe(MIN_IMAGES);
  });

  it('re-plans only once the nets it can fit to have doubled, or the backend changed', () => {
    const current: SearchPlan = { trainSampleSize: 2000, calibration: { backend: 'cpu', msPerImage: 2, nsPerMultiplyAdd: 0, nets: 2 }, plannedAt: 1 };
    const three = [timed(1, 'cpu', 2), timed(2, 'cpu', 2), timed(3, 'cpu', 2)];
    expect(nextDataPlan({ ...base, replay: three, current, timeLeftMs: 600_000, wallMsPerNet: 4500 })).toBeNull();
    expect(nextDataPlan({ ...base, replay: [...three, timed(4, 'cpu', 2)], current, timeLeftMs: 600_000, wallMsPerNet: 4500 })).not.toBeNull();
    expect(nextDataPlan({ ...base, replay: [...three, timed(4, 'webgpu', 0.5), timed(5, 'webgpu', 0.5)], current, timeLeftMs: 600_000, wallMsPerNet: 4500 })?.calibration.backend).toBe('webgpu');
  });
});

describe('the cap on the nets\' size', () => {
  it('lets a net cost three nets\' share of the time at the planned images, from the time per multiply-add', () => {
    // Two sizes: 1 ms an image-epoch at 0.5 M multiply-adds, 2 ms at 1.5 M: 0.5 ms + 1 ns per multiply-add.
    const at = (i: number, macs: number, ms: number) => ({ ...timed(i, 'cpu', ms), multiplyAdds: macs });
    const replay = [at(1, 500_000, 1), at(2, 1_500_000, 2)];
    const plan = nextDataPlan({ config, trainCount: 8000, trainers: 1, now: 5, replay, current: null, timeLeftMs: 380_000, wallMsPerNet: 3500 })!;
    // 10 s a net (38 nets), overhead 1 (3,500 ms wall over 3,500 ms timed): 1.5 ms an image-epoch at the typical 1 M
    // affords 3,166 images over 2 epochs → 3,000. The cap: (3 × 10 s - 500 ms) / 6,000 image-epochs = 4.917 ms,
    // less 0.5 ms, at 1 ns per multiply-add: 4.4 M.
    expect(plan.trainSampleSize).toBe(3000);
    expect(plan.multiplyAddCap! / 1e6).toBeCloseTo(4.4167, 3);
  });
});

describe('plannedImages and plannedMsPerNet', () => {
  it('probes before the plan, then follows it', () => {
    expect(plannedImages(null, 8000)).toBe(PROBE_IMAGES);
    expect(plannedImages(null, PROBE_IMAGES)).toBeNull();
    expect(plannedMultiplyAddCap(null)).toBe(PROBE_MULTIPLY_ADDS);
    expect(plannedMultiplyAddCap({ trainSampleSize: 3000, multiplyAddCap: 4e6, calibration: { backend: 'cpu', msPerImage: 1, nsPerMultiplyAdd: 0, nets: 2 }, plannedAt: 1 })).toBe(4e6);
    expect(plannedImages({ trainSampleSize: 3000, calibration: { backend: 'cpu', msPerImage: 1, nsPerMultiplyAdd: 0, nets: 2 }, plannedAt: 1 }, 8000)).toBe(3000);
  });

  it('scales the measured pace by what the planned images cost against the probed ones', () => {
    const replay = [timed(1, 'cpu', 2), timed(2, 'cpu', 2)];
    const plan: SearchPlan = { trainSampleSize: 3000, calibration: { backend: 'cpu', msPerImage: 2, nsPerMultiplyAdd: 0, nets: 2 }, plannedAt: 1 };
    // Probed: 500 + 2·2·1000 = 4,500 ms; planned: 500 + 2·2·3000 = 12,500 ms; the pace 5,000 ms scales alike.
    expect(plannedMsPerNet(plan, calibrate(replay)!, 8000, 5000)).toBeCloseTo((5000 * 12_500) / 4500, 6);
  });
});
