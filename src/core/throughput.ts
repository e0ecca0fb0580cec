/**
 * This device's training speed, measured on the search's own nets (issue 14): the time to
 * train one image for one epoch is a fixed part (data movement, the optimizer, per-batch
 * overhead) plus a part per multiply-add of the net's forward pass. Fitted by least squares
 * on the nets trained so far, per backend; the plan asks it what a net would cost at a given
 * number of training images.
 */

export interface TrainingSample {
  /** Multiply-adds of one forward pass of one image. */
  readonly multiplyAdds: number;
  /** Images trained per epoch. */
  readonly images: number;
  /** Epochs trained. */
  readonly epochs: number;
  /** Time spent training (not building, not evaluating), ms. */
  readonly trainingMs: number;
}

export interface Throughput {
  /** Per image per epoch, whatever the net. */
  readonly msPerImage: number;
  /** Per image per epoch per multiply-add, in nanoseconds. */
  readonly nsPerMultiplyAdd: number;
  /** Samples it was fitted to. */
  readonly nets: number;
}

/**
 * Fits ms per image-epoch = msPerImage + nsPerMultiplyAdd·1e-6·multiplyAdds, weighting each net
 * by the images it trained. Both parts are kept non-negative: when the unconstrained fit would
 * make one negative (nets too alike, noise), the other carries the whole time. Null without a
 * usable sample.
 */
export function fitThroughput(samples: readonly TrainingSample[]): Throughput | null {
  const usable = samples.filter((s) => s.images > 0 && s.epochs > 0 && s.trainingMs > 0 && Number.isFinite(s.trainingMs) && s.multiplyAdds >= 0);
  if (usable.length === 0) return null;
  // y = per image-epoch ms, x = mega multiply-adds; weights w = image-epochs.
  const points = usable.map((s) => ({ x: s.multiplyAdds / 1e6, y: s.trainingMs / (s.images * s.epochs), w: s.images * s.epochs }));
  const sw = points.reduce((t, p) => t + p.w, 0);
  const mx = points.reduce((t, p) => t + p.w * p.x, 0) / sw;
  const my = points.reduce((t, p) => t + p.w * p.y, 0) / sw;
  const sxx = points.reduce((t, p) => t + p.w * (p.x - mx) ** 2, 0);
  const sxy = points.reduce((t, p) => t + p.w * (p.x - mx) * (p.y - my), 0);
  let slope = sxx > 1e-12 * sw ? sxy / sxx : NaN;
  let intercept = my - slope * mx;
  if (!Number.isFinite(slope) || slope < 0) {
    // No usable spread, or bigger nets were not slower: a constant per image.
    slope = 0;
    intercept = my;
  } else if (intercept < 0) {
    // Through the origin: all of the time per multiply-add.
    const sxxo = points.reduce((t, p) => t + p.w * p.x * p.x, 0);
    slope = sxxo > 0 ? points.reduce((t, p) => t + p.w * p.x * p.y, 0) / sxxo : 0;
    intercept = sxxo > 0 ? 0 : my;
  }
  return { msPerImage: intercept, nsPerMultiplyAdd: slope, nets: usable.length };
}

/** Training ms for `images` images over `epochs` epochs of a net of `multiplyAdds`. */
export function predictTrainingMs(fit: Throughput, multiplyAdds: number, images: number, epochs: number): number {
  return (fit.msPerImage + fit.nsPerMultiplyAdd * (multiplyAdds / 1e6)) * images * epochs;
}

export interface DataPlanInput {
  readonly fit: Throughput;
  /** The main phase's time still to spend, ms (budget less used less the final phase's reserve). */
  readonly timeLeftMs: number;
  readonly trainers: number;
  /** Nets the plan wants the time to buy. */
  readonly targetNets: number;
  /** Multiply-adds of a typical net of this search (the mean of those trained). */
  readonly multiplyAdds: number;
  /** Epochs a net trains for, on average (early stopping makes it fewer than configured). */
  readonly epochs: number;
  /** What a net costs whatever its data: building, the first batch, evaluating, ms. */
  readonly fixedMsPerNet: number;
  /** Wall time per net over the timed parts (messages, storage, the agent): at least 1. */
  readonly overhead: number;
  /** The images available (the config's training sample). */
  readonly maxImages: number;
  /** Never fewer than this (or maxImages when smaller). */
  readonly minImages: number;
}

/** Steps the plan chooses from: a size one step away from another is not worth a new plan. */
const STEPS = [250, 500, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12_000, 16_000, 24_000, 32_000, 48_000, 64_000];

/**
 * The training images per net: the largest step (or all of them) at which `targetNets` nets
 * fit in the time left; at least `minImages`, when even that buys fewer nets.
 */
export function planTrainImages(input: DataPlanInput): number {
  const { fit, timeLeftMs, trainers, targetNets, multiplyAdds, epochs, fixedMsPerNet, overhead, maxImages, minImages } = input;
  if (!(targetNets >= 1) || !(trainers >= 1) || !(overhead >= 1) || !(maxImages >= 1)) {
    throw new RangeError(`planTrainImages: targetNets, trainers, overhead and maxImages must be at least 1, got ${targetNets}, ${trainers}, ${overhead}, ${maxImages}`);
  }
  const perNetMs = (timeLeftMs * trainers) / targetNets / overhead - fixedMsPerNet;
  const perImageMs = predictTrainingMs(fit, multiplyAdds, 1, Math.max(1, epochs));
  const affordable = perImageMs > 0 ? perNetMs / perImageMs : Infinity;
  const floor = Math.min(minImages, maxImages);
  if (affordable >= maxImages) return maxImages;
  const step = [...STEPS].reverse().find((s) => s <= affordable && s <= maxImages);
  return Math.max(floor, step ?? floor);
}
