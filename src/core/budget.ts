/**
 * Planning a search within a time budget (issue 14): how many more nets the remaining minutes
 * buy at the throughput measured so far, and how to spread them over the ε levels still to come
 * in the proportions of the search's own schedule (the paper's, by default). The result is a
 * schedule `Agent.replan` accepts; re-planned as the search measures.
 */
import { currentLevel } from './agent-json';
import type { EpsilonSchedule } from './schedule';

export interface TimePlanInput {
  /** The whole budget, ms. */
  readonly budgetMs: number;
  /** Spent so far, ms. */
  readonly usedMs: number;
  /** Held back for the final phase (fine-tuning, ensemble), ms. */
  readonly reserveMs: number;
  /** Wall-clock ms one trainer takes per net, as measured in this search. */
  readonly msPerNet: number;
  /** Trainers working side by side. */
  readonly trainers: number;
}

/** Nets the main phase can still train (in flight ones included): none once its time is spent. */
export function netsForTime(input: TimePlanInput): number {
  const { budgetMs, usedMs, reserveMs, msPerNet, trainers } = input;
  if (!(msPerNet > 0) || !(trainers >= 1)) throw new RangeError(`netsForTime: msPerNet and trainers must be positive, got ${msPerNet} and ${trainers}`);
  return Math.max(0, Math.floor(((budgetMs - usedMs - reserveMs) * trainers) / msPerNet));
}

/**
 * Time to hold back for the final phase: fine-tuning the top nets one after another (each at
 * the measured cost of a fine-tuning) and the ensemble's evaluation, at most 30% of the budget
 * so the search itself keeps most of it.
 */
export function finalReserveMs(input: {
  readonly budgetMs: number;
  readonly fineTuneTop: number;
  /** One net's fine-tuning: its epochs at the measured build, training and evaluation time per epoch. */
  readonly fineTuneMsPerNet: number;
  readonly ensembleMs: number;
}): number {
  return Math.min(0.3 * input.budgetMs, input.fineTuneTop * input.fineTuneMsPerNet + input.ensembleMs);
}

/**
 * The schedule for `remainingNets` more nets. Levels already done keep what they trained; the
 * current level and the later ones share the rest in `template`'s proportions (largest
 * remainders), the current level counting the nets it has trained and keeping room for those
 * in flight, each later level at least one net. With every level done, more nets go to the
 * last (lowest ε) level: extra time is spent exploiting.
 */
export function planSchedule(
  template: EpsilonSchedule,
  current: EpsilonSchedule,
  trainedPerLevel: readonly number[],
  inFlight: number,
  remainingNets: number,
): EpsilonSchedule {
  if (template.length !== current.length) throw new RangeError(`planSchedule: template has ${template.length} levels, the schedule ${current.length}`);
  const levels = current.length;
  const c = currentLevel(current, trainedPerLevel);
  const counts = current.map((_, i) => trainedPerLevel[i] ?? 0);
  if (c === levels) {
    counts[levels - 1] = counts[levels - 1]! + Math.max(0, remainingNets);
    return current.map((level, i) => ({ epsilon: level.epsilon, nets: Math.max(1, counts[i]!) }));
  }
  const total = counts[c]! + Math.max(remainingNets, inFlight);
  const weights = template.slice(c).map((level) => level.nets);
  // The current level's share, but never below what it has trained and has in flight; when
  // it has already spent more than its share, the later levels share what is left.
  const atCurrent = Math.max(largestRemainder(total, weights)[0]!, counts[c]! + inFlight);
  const later = largestRemainder(Math.max(0, total - atCurrent), weights.slice(1));
  counts[c] = atCurrent;
  later.forEach((n, k) => (counts[c + 1 + k] = Math.max(1, n)));
  return current.map((level, i) => ({ epsilon: level.epsilon, nets: Math.max(1, counts[i]!) }));
}

/** `total` split in proportion to `weights`, whole numbers summing to `total`. */
function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return floors;
}
