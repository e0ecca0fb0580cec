/**
 * A budgeted search's data plan (issue 14): its first nets are small ones (PROBE_MULTIPLY_ADDS)
 * on a small probe of the data; from their timings the search fits this device's speed (per
 * image and per multiply-add, on the backend they ran on), picks the training images per net
 * at which the time left buys the rest of about TARGET_NETS nets, and caps the nets' size so
 * that none costs more than a few nets' share. Re-planned each time the nets it can fit to
 * double, so the plan follows what it measures without changing at every net.
 */
import { fitThroughput, planTrainImages, predictTrainingMs, scheduleTotal, type Throughput } from '../../core';
import type { ReplayRecord, SearchRecord } from '../../store';
import type { SearchConfig } from '../config';

/** Images the first nets train on, before the device is measured. */
export const PROBE_IMAGES = 500;
/**
 * Multiply-adds the first nets stay within: about the TF.js tutorial's CNN (0.33 M), whose probe
 * takes about half a minute on the cpu backend here (64 M multiply-adds/s), where the largest
 * net of the quick space would take hours.
 */
export const PROBE_MULTIPLY_ADDS = 300_000;
/** A net may cost this many times the planned time per net (the agent should still try some larger ones). */
const CAP_FACTOR = 3;
/** No cap goes below this (the smallest useful nets). */
const MIN_CAP = 100_000;
/** No plan goes below this (a net that sees fewer says little of what it could do). */
export const MIN_IMAGES = 500;
/** Nets a budget should buy: enough for the agent to explore and then exploit (the paper's proportions). */
export const TARGET_NETS = 40;
/** Nets timed on one backend before planning. */
export const NETS_TO_CALIBRATE = 2;

export type SearchPlan = NonNullable<SearchRecord['plan']>;

export interface Calibration {
  readonly backend: string;
  readonly fit: Throughput;
  /** The nets it was fitted to. */
  readonly timed: readonly ReplayRecord[];
}

/** This device's speed from the trained nets on the backend the latest one ran on; null before enough were timed. */
export function calibrate(replay: readonly ReplayRecord[]): Calibration | null {
  const timed = replay.filter((e) => e.source === 'trained' && e.timings !== null && e.backend !== null && (e.trainImages ?? 0) > 0 && e.valCurve.length > 0);
  if (timed.length === 0) return null;
  const latest = timed.reduce((a, b) => (b.finishedAt > a.finishedAt ? b : a));
  const mine = timed.filter((e) => e.backend === latest.backend);
  if (mine.length < NETS_TO_CALIBRATE) return null;
  const fit = fitThroughput(mine.map((e) => ({ multiplyAdds: e.multiplyAdds, images: e.trainImages!, epochs: e.valCurve.length, trainingMs: e.timings!.trainingMs })));
  return fit ? { backend: latest.backend!, fit, timed: mine } : null;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

/** What a typical net of this search costs apart from its training images, and how long it trains. */
function typicalNet(timed: readonly ReplayRecord[]) {
  return {
    multiplyAdds: mean(timed.map((e) => e.multiplyAdds)),
    epochs: mean(timed.map((e) => e.valCurve.length)),
    fixedMs: mean(timed.map((e) => e.timings!.buildMs + e.timings!.firstBatchMs + e.timings!.evaluationMs)),
    timedMs: mean(timed.map((e) => e.timings!.buildMs + e.timings!.firstBatchMs + e.timings!.evaluationMs + e.timings!.trainingMs)),
  };
}

export interface DataPlanInput {
  readonly replay: readonly ReplayRecord[];
  /** `calibrate(replay)`, when the caller has it already. */
  readonly calibration?: Calibration | null;
  readonly current: SearchPlan | null;
  readonly config: SearchConfig;
  /** Images the config's sample holds. */
  readonly trainCount: number;
  /** The main phase's time still to spend (budget less used less the final reserve), ms. */
  readonly timeLeftMs: number;
  /** Wall-clock ms per net per trainer so far. */
  readonly wallMsPerNet: number;
  readonly trainers: number;
  readonly now: number;
}

/** A new plan when there is one to make (first calibration, or twice the nets since the last); else null. */
export function nextDataPlan(input: DataPlanInput): SearchPlan | null {
  const calibration = input.calibration !== undefined ? input.calibration : calibrate(input.replay);
  if (!calibration) return null;
  if (input.current && input.current.calibration.backend === calibration.backend && calibration.fit.nets < 2 * input.current.calibration.nets) return null;
  const typical = typicalNet(calibration.timed);
  // The nets still to buy: the target less those trained, but never under a quarter of it
  // (the last minutes would otherwise train a few nets on all of the data).
  const target = Math.max(1, Math.min(TARGET_NETS, scheduleTotal(input.config.schedule)));
  const trained = input.replay.filter((e) => e.source === 'trained').length;
  const netsToBuy = Math.max(target - trained, Math.ceil(target / 4));
  const timeLeftMs = Math.max(0, input.timeLeftMs);
  const overhead = overheadOf(input.wallMsPerNet, typical.timedMs);
  const fit = calibration.fit;
  const images = planTrainImages({
    fit,
    timeLeftMs,
    trainers: input.trainers,
    targetNets: netsToBuy,
    multiplyAdds: typical.multiplyAdds,
    epochs: typical.epochs,
    fixedMsPerNet: typical.fixedMs,
    overhead,
    maxImages: input.trainCount,
    minImages: MIN_IMAGES,
  });
  // The largest net whose training at these images costs CAP_FACTOR nets' time.
  const perNetMs = (timeLeftMs * input.trainers) / netsToBuy / overhead;
  const perImageEpochMs = (CAP_FACTOR * perNetMs - typical.fixedMs) / (images * Math.max(1, typical.epochs));
  const cap = fit.nsPerMultiplyAdd > 0 ? Math.floor(((perImageEpochMs - fit.msPerImage) / fit.nsPerMultiplyAdd) * 1e6) : null;
  return {
    trainSampleSize: images >= input.trainCount ? null : images,
    multiplyAddCap: cap === null ? null : Math.max(MIN_CAP, cap),
    calibration: { backend: calibration.backend, msPerImage: fit.msPerImage, nsPerMultiplyAdd: fit.nsPerMultiplyAdd, nets: fit.nets },
    plannedAt: input.now,
  };
}

/** Wall time per net over the parts a net times itself (messages, storage, the agent, starting up): at least 1. */
function overheadOf(wallMsPerNet: number, timedMs: number): number {
  return timedMs > 0 && Number.isFinite(wallMsPerNet) ? Math.max(1, wallMsPerNet / timedMs) : 1;
}

/** The multiply-adds a net proposed now should stay within: the plan's, or the probe's before there is a plan. */
export function plannedMultiplyAddCap(plan: SearchPlan | null | undefined): number | null {
  return plan ? (plan.multiplyAddCap ?? null) : PROBE_MULTIPLY_ADDS;
}

/** Images a net queued now trains on: the plan's, or the probe's before there is a plan. */
export function plannedImages(plan: SearchPlan | null | undefined, trainCount: number): number | null {
  if (plan) return plan.trainSampleSize;
  return PROBE_IMAGES < trainCount ? PROBE_IMAGES : null;
}

/**
 * Wall-clock ms a net will take per trainer under `plan`: the pace measured so far, scaled by
 * what the plan's images cost against those the timed nets trained on (`calibration`, this
 * search's now). Null when it cannot be said.
 */
export function plannedMsPerNet(plan: SearchPlan, calibration: Calibration, trainCount: number, wallMsPerNet: number): number | null {
  const fit: Throughput = { msPerImage: plan.calibration.msPerImage, nsPerMultiplyAdd: plan.calibration.nsPerMultiplyAdd, nets: plan.calibration.nets };
  const typical = typicalNet(calibration.timed);
  const costAt = (images: number) => typical.fixedMs + predictTrainingMs(fit, typical.multiplyAdds, images, typical.epochs);
  const then = mean(calibration.timed.map((e) => costAt(e.trainImages!)));
  const planned = costAt(plan.trainSampleSize ?? trainCount);
  return then > 0 ? (wallMsPerNet * planned) / then : null;
}
