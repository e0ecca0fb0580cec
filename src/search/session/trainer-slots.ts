/**
 * One tab's trainer slots: each claims the oldest queued job, trains it and commits the
 * result with the job's completion in one transaction (architecture.md, steps 3 to 5).
 *
 * A slot never dies of a failed store call: it says so and tries again. And a claim this tab
 * holds but none of its slots trains (a write that failed after the claim, however often
 * retried) goes back to the queue from here: the leader requeues only the claims of closed
 * tabs, so such a claim would otherwise hold the agent up for good.
 */
import { insertDropout, parseNetwork } from '../../core';
import { isSearchEnded, QuotaError, WEIGHTS_KEEP_TOP, type JobRecord } from '../../store';
import type { SerializedWeights } from '../../train/types';
import { trainSampleSize } from '../prepare-dataset';
import { askAfterEpoch, earlyStopperFor } from './early-stop';
import { replayEntryFromResult } from '../reward';
import { POLL_MS, SearchGoneError, type SessionContext } from './context';
import { netSeed, rankReplay, testThreshold, trainConfigOf } from './net-jobs';
import { idleReason, isAdmitted, trainerId } from './admission';
import { messageOf, withStoreRetry } from './store-retry';
import { stallMessage, stallWatchdog } from './watchdog';

/** How long a slot waits after a failed job before it claims the next. */
const FAILURE_PAUSE_MS = 1000;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class TrainerSlots {
  readonly #ctx: SessionContext;
  readonly #controllers = new Map<number, AbortController>();
  /** Ids of the jobs this tab's slots train now. */
  readonly #training = new Set<number>();
  /** Claims under way: their job is not in #training yet. */
  #claiming = 0;
  #netsDone = 0;
  /** Slots the leader's admission keeps from claiming, with why. */
  readonly #held = new Map<number, string>();
  #slotCount = 0;
  /** false: a closing tab behaves like one that died (see SearchSession.close). */
  requeueOnAbort = true;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  get netsDone(): number {
    return this.#netsDone;
  }

  /** Why this tab's trainers (or some of them) wait, when the leader's admission holds them back. */
  get heldBack(): string | null {
    const reason = [...this.#held.values()][0];
    if (reason === undefined) return null;
    return this.#slotCount > 1 ? `${this.#held.size} of ${this.#slotCount} trainers ${reason}` : reason;
  }

  /** Slots training now. */
  get busySlots(): number[] {
    return [...this.#controllers.keys()];
  }

  /** Runs `count` slots until the search ends or the session closes. */
  run(count: number): Promise<void>[] {
    this.#slotCount = count;
    return Array.from({ length: count }, (_, slot) => this.#loop(slot));
  }

  /** Cancels every running job (paused, stopped or closing); they go back to the queue. */
  cancelAll(): void {
    for (const controller of this.#controllers.values()) controller.abort();
  }

  async #loop(slot: number): Promise<void> {
    const { store, coordination, signal, wakeup, searchId } = this.#ctx;
    let failing = false;
    while (!signal.aborted) {
      const seen = wakeup.seq;
      let job: JobRecord | undefined;
      try {
        const search = await this.#ctx.readSearch();
        if (isSearchEnded(search.status)) return;
        const admitted = isAdmitted(search.admission, trainerId(coordination.tabId, slot));
        if (admitted) this.#held.delete(slot);
        else if (search.admission) this.#held.set(slot, idleReason(search.admission));
        if (search.status === 'running' && admitted) {
          this.#claiming++;
          try {
            job = await store.claimNextJob(searchId, coordination.tabId);
            // Synchronously after the claim committed: the orphan check below never sees it unowned.
            if (job) this.#training.add(job.id);
          } finally {
            this.#claiming--;
          }
          if (!job) await this.#requeueOrphanedClaims();
        }
        failing = false;
      } catch (error) {
        if (error instanceof SearchGoneError) return;
        if (!failing) this.#ctx.emit({ type: 'warning', message: `Trainer ${slot + 1}: ${messageOf(error)}; trying again.` });
        failing = true;
      }
      if (!job) {
        await wakeup.wait(POLL_MS, signal, seen);
        continue;
      }
      let outcome: 'done' | 'failed' | 'cancelled';
      try {
        outcome = await this.#train(slot, job);
      } finally {
        this.#training.delete(job.id);
      }
      // A trainer that fails at once (a worker that cannot start) would burn every attempt of
      // the next jobs in milliseconds: give it a moment first.
      if (outcome === 'failed') await pause(FAILURE_PAUSE_MS, signal);
    }
  }

  /** Claims of this tab that no slot trains go back to the queue. */
  async #requeueOrphanedClaims(): Promise<void> {
    const { store, searchId, coordination } = this.#ctx;
    const requeued = await store.requeueJobs(
      searchId,
      (claimedBy, job) => claimedBy === coordination.tabId && this.#claiming === 0 && !this.#training.has(job.id),
    );
    if (requeued.length > 0) coordination.post({ type: 'job-queued', searchId });
  }

  async #train(slot: number, job: JobRecord): Promise<'done' | 'failed' | 'cancelled'> {
    const { store, coordination, dataset, config, searchId } = this.#ctx;
    const tabId = coordination.tabId;
    const controller = new AbortController();
    this.#controllers.set(slot, controller);
    this.#ctx.emit({ type: 'job-started', slot, job });
    const watchdog = stallWatchdog(controller, this.#ctx.stallMs);
    try {
      const replay = await store.listReplay(searchId);
      const bestSoFar = replay.reduce((best, e) => Math.max(best, e.source === 'trained' ? e.bestValAccuracy : 0), 0);
      const level = Math.max(0, config.schedule.findIndex((l) => l.epsilon === job.epsilon));
      const stopper = earlyStopperFor(config, replay);
      const trainImages = jobTrainImages(job, trainSampleSize(config.data, dataset.payload.train.count, level, config.schedule.length), dataset.payload.train.count);
      const earlyStop = stopper ? askAfterEpoch(stopper, job.netString, dataset.payload.inputShape, config.training.epochs) : null;
      const result = await this.#ctx.trainer.train(
        {
          id: `${searchId}:${job.id}:${job.attempts}`,
          net: insertDropout(parseNetwork(job.netString), config.training.dropoutRule),
          datasetId: dataset.payloadId,
          seed: netSeed(config.seed, job.netString),
          bestSoFar: replay.length > 0 ? bestSoFar : null,
          testIfValidationAtLeast: testThreshold(config, replay),
          config: trainConfigOf(config),
          trainSampleSize: trainImages < dataset.payload.train.count ? trainImages : null,
        },
        {
          signal: controller.signal,
          onProgress: (progress) => {
            watchdog.touch();
            this.#ctx.emit({ type: 'progress', slot, job, progress });
          },
          ...(earlyStop ? { continueAfterEpoch: earlyStop.ask } : {}),
        },
      );
      const verdict = earlyStop?.verdict();
      const entry = replayEntryFromResult(result, {
        netString: job.netString,
        iterations: job.iterations,
        epsilon: job.epsilon,
        classes: dataset.payload.classes,
        trainedBy: tabId,
        constraints: config.constraints,
        now: Date.now(),
        ...(verdict ? { earlyStop: verdict } : {}),
      });
      // Minutes of training are worth a few tries at the write that keeps them.
      const outcome = await withStoreRetry(() => store.commitResult(searchId, job.id, entry));
      if (outcome.applied) {
        this.#netsDone++;
        if (result.status === 'done' && result.weights) await this.#keepWeights(job.netString, result.weights);
      }
      this.#ctx.emit({ type: 'job-finished', slot, job, entry: outcome.applied ? outcome.entry : null });
      coordination.post({ type: 'job-done', searchId });
      return 'done';
    } catch (error) {
      if ((controller.signal.aborted && !watchdog.stalled) || this.#ctx.signal.aborted) {
        // Paused, stopped or closing: the job goes back to the queue untouched.
        if (this.requeueOnAbort) {
          await withStoreRetry(() => store.requeueJobs(searchId, (by, j) => by === tabId && j.id === job.id)).catch(() => undefined);
        }
        this.#ctx.emit({ type: 'job-cancelled', slot, job });
        return 'cancelled';
      } else {
        const message = watchdog.stalled ? stallMessage(this.#ctx.stallMs) : messageOf(error);
        // If this write fails for good, the orphan check requeues the claim.
        await withStoreRetry(() => store.failJob(job.id, tabId, message)).catch(() => undefined);
        this.#ctx.emit({ type: 'job-failed', slot, job, error: message });
        coordination.post({ type: 'job-done', searchId });
        return 'failed';
      }
    } finally {
      watchdog.stop();
      this.#controllers.delete(slot);
    }
  }

  /** Stores the weights of a net among the best WEIGHTS_KEEP_TOP and prunes the rest. */
  async #keepWeights(netString: string, weights: SerializedWeights): Promise<void> {
    const { store, searchId } = this.#ctx;
    try {
      const top = rankReplay(await store.listReplay(searchId)).slice(0, WEIGHTS_KEEP_TOP).map((e) => e.netString);
      if (!top.includes(netString)) return;
      await store.putWeights(searchId, netString, { buffers: [weights.data], specs: weights.specs });
      await store.pruneWeights(searchId, top);
    } catch (error) {
      if (!(error instanceof QuotaError)) {
        // The result is committed; only the weights are lost (the final phase retrains without them).
        this.#ctx.emit({ type: 'warning', message: `The weights of ${netString} were not saved: ${messageOf(error)}` });
        return;
      }
      await store.countSkippedWeights(searchId).catch(() => undefined);
      this.#ctx.emit({ type: 'warning', message: 'Storage is full: the search goes on without saving weights for new nets.' });
    }
  }
}

/**
 * The images a job trains on: the budget's data plan (on the job) and progressive data (by ε
 * level) may each ask for fewer than all; the smaller wins.
 */
export function jobTrainImages(job: Pick<JobRecord, 'trainSampleSize'>, progressive: number | null, trainCount: number): number {
  return Math.min(trainCount, job.trainSampleSize ?? trainCount, progressive ?? trainCount);
}
