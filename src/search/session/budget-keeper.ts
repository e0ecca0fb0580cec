/**
 * The leader's part in a budgeted search (issue 14): it keeps the search's clock, measures the
 * pace (wall-clock per net per trainer), re-plans the nets per ε level to fit the time left
 * after the final phase's reserve, and says when the main phase's time is up.
 */
import { finalReserveMs, netsForTime, planSchedule } from '../../core';
import { MAX_TICK_GAP_MS, type ReplayRecord, type SearchRecord } from '../../store';
import type { SearchConfig } from '../config';
import type { SearchLeader } from '../leader';
import type { SessionContext } from './context';
import { calibrate, nextDataPlan, plannedImages, plannedMsPerNet, plannedMultiplyAddCap, type SearchPlan } from './data-plan';

/** How often the leader ticks (hidden tabs may stretch it; the store's MAX_TICK_GAP_MS allows for that). */
export const TICK_MS = 1000;
/** Nets to measure before planning from the pace. */
const NETS_TO_MEASURE = 2;

export interface BudgetState {
  readonly budgetMs: number;
  readonly usedMs: number;
}

/**
 * The whole budget and what is used of it at `now` (the stored clock plus the time since its
 * last tick, while it runs), or null for a search sized by its schedule.
 */
export function budgetState(search: SearchRecord, budgetMinutes: number | null, now = Date.now()): BudgetState | null {
  if (budgetMinutes === null) return null;
  const clock = search.clock;
  const sinceTick = clock?.tickAt != null ? Math.min(Math.max(0, now - clock.tickAt), MAX_TICK_GAP_MS) : 0;
  return { budgetMs: budgetMinutes * 60_000 + (clock?.addedMs ?? 0), usedMs: (clock?.usedMs ?? 0) + sinceTick };
}

export class BudgetKeeper {
  readonly #ctx: SessionContext;
  /** The pace last measured (wall-clock ms per net per trainer); null before it could be. */
  msPerNet: number | null = null;
  /** What one fine-tuning and the ensemble cost, from the nets' own timings; null before measured. */
  #finalCosts: { fineTuneMsPerNet: number; ensembleMs: number } | null = null;
  /** Nets trained when #finalCosts was measured. */
  #costsAtTrained = -1;
  /** The median gap between the last nets' finishes (see recentMsPerNet), as of #costsAtTrained. */
  #recentGapMs = Infinity;
  /** The data plan in force (the search record's, or the one this leader made). */
  #dataPlan: SearchPlan | null = null;
  /** Wall-clock ms per net at the plan's images, predicted from the calibration; null before a plan. */
  #plannedMsPerNet: number | null = null;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  get budgeted(): boolean {
    return this.#ctx.config.budget !== null;
  }

  get #trainCount(): number {
    return this.#ctx.dataset.payload.train.count;
  }

  /** The leader queues and proposes by the plan in force (the probe's before there is one). */
  #applyPlan(leader: SearchLeader): void {
    leader.trainSampleSize = plannedImages(this.#dataPlan, this.#trainCount);
    leader.multiplyAddCap = plannedMultiplyAddCap(this.#dataPlan);
  }

  /** What one fine-tuning and the ensemble cost: as measured, or from the pace before that. */
  #costs(state: BudgetState, msPerNet: number): { fineTuneMsPerNet: number; ensembleMs: number } {
    return this.#finalCosts ?? finalCosts([], this.#ctx.config, msPerNet, state.budgetMs, this.#trainCount);
  }

  /** Counts the time since the last tick (the store stops the clock when the search is not running). */
  async tick(): Promise<BudgetState | null> {
    if (!this.budgeted) return null;
    const now = Date.now();
    const search = await this.#ctx.store.tickSearchClock(this.#ctx.searchId, now);
    return budgetState(search, this.#ctx.config.budget?.minutes ?? null, now);
  }

  /**
   * Re-plans the images per net (once this device is measured) and the agent's schedule from
   * the pace; 'final' once the main phase's time (the budget less the final phase's reserve)
   * is spent.
   */
  async plan(
    leader: SearchLeader,
    search: SearchRecord,
    state: BudgetState,
    trainers: number,
    readReplay: () => Promise<ReplayRecord[]> = () => this.#ctx.store.listReplay(this.#ctx.searchId),
  ): Promise<'main' | 'final'> {
    const { config, store, searchId } = this.#ctx;
    this.#dataPlan ??= search.plan ?? null;
    this.#applyPlan(leader);
    const progress = leader.progress;
    if (progress.trained < NETS_TO_MEASURE || state.usedMs <= 0) return state.usedMs >= state.budgetMs * 0.7 ? 'final' : 'main';
    // The replay is read again only when it grew.
    const replay = this.#costsAtTrained !== progress.trained ? await readReplay() : null;
    if (replay) this.#recentGapMs = recentMsPerNet(replay, 1);
    // The nets in flight have spent part of the time too (half of theirs, on average); the
    // recent pace leaves out starting up (loading, the first compilations), the whole-search
    // pace leaves out pauses: the smaller is the pace now.
    const wallMsPerNet = Math.min((state.usedMs * trainers) / (progress.trained + progress.inFlight / 2), this.#recentGapMs * trainers);
    if (replay) {
      const trainCount = this.#trainCount;
      this.#finalCosts = finalCosts(replay, config, wallMsPerNet, state.budgetMs, trainCount);
      this.#costsAtTrained = progress.trained;
      const timeLeftMs = state.budgetMs - state.usedMs - this.reserveMs(state, wallMsPerNet);
      const calibration = calibrate(replay);
      const next = nextDataPlan({ replay, calibration, current: this.#dataPlan, config, trainCount, timeLeftMs, wallMsPerNet, trainers, now: Date.now() });
      if (next) {
        await store.setSearchPlan(searchId, next);
        this.#dataPlan = next;
        this.#applyPlan(leader);
      }
      this.#plannedMsPerNet = this.#dataPlan && calibration ? plannedMsPerNet(this.#dataPlan, calibration, trainCount, wallMsPerNet) : null;
    }
    const msPerNet = this.#plannedMsPerNet ?? wallMsPerNet;
    this.msPerNet = msPerNet;
    const reserveMs = this.reserveMs(state, msPerNet);
    if (state.usedMs >= state.budgetMs - reserveMs) return 'final';
    const remaining = netsForTime({ budgetMs: state.budgetMs, usedMs: state.usedMs, reserveMs, msPerNet, trainers });
    await leader.replan(planSchedule(config.schedule, leader.schedule, leader.trainedPerLevel, progress.inFlight, remaining));
    return 'main';
  }

  /**
   * Why the budget was too small, with the smallest one that would do, when its main phase ends
   * before a net per ε level could be trained at this device's pace; null when it was enough.
   */
  tooSmall(leader: SearchLeader, state: BudgetState, trainers: number): string | null {
    const levels = this.#ctx.config.schedule.length;
    const trained = leader.progress.trained;
    if (trained >= levels) return null;
    const minutes = (ms: number) => `${Math.ceil(ms / 30_000) / 2} min`;
    if (trained === 0) {
      return `The time budget of ${minutes(state.budgetMs)} is too small on this device: no net finished in ${minutes(state.usedMs)}. Give it more time.`;
    }
    const msPerNet = this.msPerNet ?? (state.usedMs * trainers) / trained;
    const needed = (levels * msPerNet) / trainers + this.reserveMs(state, msPerNet);
    return `The time budget of ${minutes(state.budgetMs)} is too small on this device: a net takes about ${(msPerNet / 1000).toFixed(1)} s here, so one net per ε level and the final phase need at least ${minutes(needed)}.`;
  }

  /**
   * What one more fine-tuning can have: its share of the time left after the ensemble, shared
   * by the `netsLeft` nets still to fine-tune, spent on the config's epochs over all the
   * training images when they fit, fewer epochs when not, and one epoch on a sample (larger than
   * what the net trained on) as a last resort. Null: not budgeted, the config's fine-tuning.
   * 'none': no time for it (the net keeps its search accuracy).
   */
  async fineTunePlan(entry: ReplayRecord, netsLeft: number): Promise<FineTunePlan | null | 'none'> {
    const state = await this.tick();
    if (!state) return null;
    const costs = this.#costs(state, this.msPerNet ?? state.usedMs);
    const availableMs = (state.budgetMs - state.usedMs - costs.ensembleMs) / Math.max(1, netsLeft) - finalMarginMs(state.budgetMs);
    return planFineTuning(entry, availableMs, this.#ctx.config.final.fineTuneEpochs, this.#trainCount, costs.fineTuneMsPerNet);
  }

  /** Keeps the clock counting while this tab leads, every TICK_MS. */
  startTicking(signal: AbortSignal): () => void {
    if (!this.budgeted) return () => undefined;
    // A failed tick is counted by the next one.
    const timer = setInterval(() => void this.tick().catch(() => undefined), TICK_MS);
    const stop = () => clearInterval(timer);
    signal.addEventListener('abort', stop, { once: true });
    return stop;
  }

  reserveMs(state: BudgetState, msPerNet: number): number {
    const costs = this.#costs(state, msPerNet);
    return finalReserveMs({ budgetMs: state.budgetMs, fineTuneTop: this.#ctx.config.final.fineTuneTop, ...costs });
  }
}

/** Margin for what the timings do not see (messages, storage, the agent): 2 s, less in a short budget. */
const finalMarginMs = (budgetMs: number) => Math.min(2000, 0.02 * budgetMs);

/**
 * A fine-tuning's cost from the trained nets' own timings (build, first batch, training per
 * epoch scaled from the images they trained on to all `trainCount` of them, evaluation per
 * epoch, times the fine-tuning epochs), and the ensemble's (one evaluation per member).
 * Without timings, the wall-clock pace per net stands in (a net's whole cost).
 */
export function finalCosts(
  replay: readonly ReplayRecord[],
  config: SearchConfig,
  msPerNet: number,
  budgetMs: number,
  trainCount: number,
): { fineTuneMsPerNet: number; ensembleMs: number } {
  const margin = finalMarginMs(budgetMs);
  const timed = replay.filter((e) => e.timings !== null && e.valCurve.length > 0 && e.source === 'trained');
  if (timed.length === 0) {
    const perEpoch = msPerNet / Math.max(1, config.training.epochs);
    return { fineTuneMsPerNet: perEpoch * config.final.fineTuneEpochs + margin, ensembleMs: msPerNet };
  }
  const mean = (f: (e: (typeof timed)[number]) => number) => timed.reduce((s, e) => s + f(e), 0) / timed.length;
  const perEpoch = mean((e) => (e.timings!.trainingMs * (trainCount / (e.trainImages ?? trainCount)) + e.timings!.evaluationMs) / e.valCurve.length);
  const fixed = mean((e) => e.timings!.buildMs + e.timings!.firstBatchMs);
  const evaluation = mean((e) => e.timings!.evaluationMs / e.valCurve.length);
  return {
    fineTuneMsPerNet: fixed + perEpoch * config.final.fineTuneEpochs + margin,
    ensembleMs: evaluation * config.final.ensembleTop + margin,
  };
}

export interface FineTunePlan {
  readonly epochs: number;
  /** Training images (a sample); null: all of them. */
  readonly trainSampleSize: number | null;
}

/**
 * A fine-tuning that fits `availableMs`, from the net's own timings (see fineTunePlan); when
 * the net has none, all or nothing by the typical cost `typicalMs` of the config's fine-tuning.
 */
export function planFineTuning(entry: ReplayRecord, availableMs: number, configEpochs: number, trainCount: number, typicalMs: number): FineTunePlan | 'none' {
  const t = entry.timings;
  const epochsRun = entry.valCurve.length;
  if (!t || epochsRun === 0) return availableMs >= typicalMs ? { epochs: configEpochs, trainSampleSize: null } : 'none';
  const images = entry.trainImages ?? trainCount;
  const perImageEpochMs = t.trainingMs / (images * epochsRun);
  const evalPerEpochMs = t.evaluationMs / epochsRun;
  const fixedMs = t.buildMs + t.firstBatchMs;
  const epochs = Math.floor((availableMs - fixedMs) / (perImageEpochMs * trainCount + evalPerEpochMs));
  if (epochs >= 1) return { epochs: Math.min(configEpochs, epochs), trainSampleSize: null };
  const sample = Math.floor((availableMs - fixedMs - evalPerEpochMs) / perImageEpochMs);
  return sample > images ? { epochs: 1, trainSampleSize: Math.min(trainCount, sample) } : 'none';
}

/** Nets whose finishing times give the recent pace. */
const RECENT_NETS = 6;

/**
 * Wall-clock ms per net per trainer from the gaps between the last RECENT_NETS nets' finishing
 * times (their median, times the trainers sharing the work); Infinity with fewer than 3 nets.
 */
export function recentMsPerNet(replay: readonly ReplayRecord[], trainers: number): number {
  const times = replay.filter((e) => e.source === 'trained').map((e) => e.finishedAt).sort((a, b) => a - b).slice(-RECENT_NETS);
  if (times.length < 3) return Infinity;
  const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  const mid = gaps.length / 2;
  const median = gaps.length % 2 ? gaps[Math.floor(mid)]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
  return median > 0 ? median * trainers : Infinity;
}
