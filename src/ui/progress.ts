/**
 * Progress and time-left estimates for the live screen. Pure functions of what the app
 * already holds (a job's last progress event, the replay memory's finish times), so they can
 * be tested without a browser.
 */
import type { EpsilonSchedule } from '../core';

/** What a job's ETA needs from a batch progress event (train/types.ts `TrainProgress`). */
export interface BatchProgress {
  /** 1-based. */
  readonly epoch: number;
  /** 1-based, within the epoch. */
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly imagesPerSecond: number;
}

/**
 * Milliseconds until a candidate finishes its `epochs`, from its training speed; null when
 * the speed is not known yet (the first batch pays for shader compilation).
 */
export function jobEtaMs(progress: BatchProgress, epochs: number, batchSize: number): number | null {
  if (!(progress.imagesPerSecond > 0) || !(batchSize > 0)) return null;
  const batchesLeft = Math.max(0, epochs - progress.epoch) * progress.batchesPerEpoch + Math.max(0, progress.batchesPerEpoch - progress.batch);
  return ((batchesLeft * batchSize) / progress.imagesPerSecond) * 1000;
}

/** Share of a job done, 0..1, counting whole epochs and the batches of the current one. */
export function jobFraction(progress: Pick<BatchProgress, 'epoch' | 'batch' | 'batchesPerEpoch'>, epochs: number): number {
  if (!(epochs > 0) || !(progress.batchesPerEpoch > 0)) return 0;
  const done = (progress.epoch - 1 + progress.batch / progress.batchesPerEpoch) / epochs;
  return Math.min(1, Math.max(0, done));
}

/** How far the search is through each ε level of its schedule. */
export interface LevelProgress {
  readonly epsilon: number;
  readonly nets: number;
  readonly done: number;
}

/**
 * Nets trained at each level. `trainedPerLevel` is the agent's own count (its stored state)
 * and wins when it fits the schedule; otherwise nets are counted by the ε they were trained at.
 */
export function levelProgress(
  schedule: EpsilonSchedule,
  entries: readonly { readonly epsilon: number }[],
  trainedPerLevel: readonly number[] | null = null,
): LevelProgress[] {
  if (trainedPerLevel !== null && trainedPerLevel.length === schedule.length) {
    return schedule.map((level, i) => ({ epsilon: level.epsilon, nets: level.nets, done: Math.min(level.nets, trainedPerLevel[i] ?? 0) }));
  }
  const byEpsilon = new Map<number, number>();
  for (const entry of entries) byEpsilon.set(entry.epsilon, (byEpsilon.get(entry.epsilon) ?? 0) + 1);
  return schedule.map((level) => ({ epsilon: level.epsilon, nets: level.nets, done: Math.min(level.nets, byEpsilon.get(level.epsilon) ?? 0) }));
}

/** Finished nets looked at for the search's pace: recent enough to follow a change in speed. */
const PACE_WINDOW = 20;

/**
 * Milliseconds until `remaining` more nets are trained, from the pace of the last nets this
 * search trained (their finish times: the pace includes every trainer and tab working in
 * parallel). Needs two finished nets; imported entries say nothing about this machine.
 */
export function searchEtaMs(
  entries: readonly { readonly finishedAt: number; readonly source: string }[],
  remaining: number,
): number | null {
  if (remaining <= 0) return 0;
  const times = entries
    .filter((e) => e.source === 'trained' && e.finishedAt > 0)
    .map((e) => e.finishedAt)
    .sort((a, b) => a - b)
    .slice(-PACE_WINDOW);
  if (times.length < 2) return null;
  const span = times[times.length - 1]! - times[0]!;
  if (!(span > 0)) return null;
  return (span / (times.length - 1)) * remaining;
}

/** Nets per hour of a tab since `since` (ms epoch); null before a minute has passed. */
export function netsPerHour(netsDone: number, since: number, now: number): number | null {
  const hours = (now - since) / 3_600_000;
  if (!(hours >= 1 / 60)) return null;
  return netsDone / hours;
}
