/**
 * One tab's part in one search: its trainer slots claim jobs from the shared queue, train
 * them and commit the results; and, while this tab holds the search's leader lock, it runs
 * the agent (SearchLeader) and, once the ε schedule is complete, the final phase.
 *
 * Everything that matters is in IndexedDB, written in single transactions; this class holds
 * nothing that a reload could lose but the progress of the jobs it is training (those are
 * requeued). Wake-ups come from the coordination's messages and, as a fallback for a missed
 * message, from a slow poll.
 */
import { insertDropout, parseNetwork, type Net } from '../core';
import type { FineTuned, JobRecord, ReplayRecord, SearchRecord, SearchStatus, Store } from '../store';
import { QuotaError } from '../store';
import type { Coordination } from '../swarm/coordination';
import type { CallOptions } from '../train/trainer-pool';
import type {
  DatasetPayload,
  EnsembleRequest,
  EnsembleResult,
  SerializedWeights,
  TrainConfig,
  TrainJob,
  TrainProgress,
  TrainResult,
} from '../train/types';
import { parseSearchConfig, type SearchConfig } from './config';
import { SearchLeader, type DatasetShape } from './leader';
import { trainSampleSize, type PreparedDataset } from './prepare-dataset';
import { replayEntryFromResult } from './reward';

/** What the search needs from trainers (TrainerPool in the page; a stand-in in unit tests). */
export interface CandidateTrainer {
  setDataset(id: string, payload: DatasetPayload): void;
  train(job: TrainJob, options?: CallOptions): Promise<TrainResult>;
  fineTune(job: TrainJob, options?: CallOptions): Promise<TrainResult>;
  evaluateEnsemble(request: EnsembleRequest, options?: { signal?: AbortSignal }): Promise<EnsembleResult>;
}

export type SessionEvent =
  | { readonly type: 'leading'; readonly leading: boolean }
  | { readonly type: 'job-started'; readonly slot: number; readonly job: JobRecord }
  | { readonly type: 'progress'; readonly slot: number; readonly job: JobRecord; readonly progress: TrainProgress }
  | { readonly type: 'job-finished'; readonly slot: number; readonly job: JobRecord; readonly entry: ReplayRecord | null }
  | { readonly type: 'job-failed'; readonly slot: number; readonly job: JobRecord; readonly error: string }
  /** Paused, stopped or closing: the job went back to the queue. */
  | { readonly type: 'job-cancelled'; readonly slot: number; readonly job: JobRecord }
  | { readonly type: 'final-progress'; readonly step: string; readonly done: number; readonly total: number }
  | { readonly type: 'changed' }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'error'; readonly message: string };

/** Weights are kept for this many of the best nets (spec section 3: the final phase's top 10). */
export const KEEP_WEIGHTS_TOP = 10;
/** Fallback poll for a missed message; hidden tabs may stretch it, messages still arrive. */
const POLL_MS = 2000;
/** See SearchSessionOptions.stallMs. */
const DEFAULT_STALL_MS = 180_000;
/** Leader errors in a row before the search is marked failed. */
const MAX_LEADER_ERRORS = 5;

export interface SearchSessionOptions {
  readonly store: Store;
  readonly searchId: string;
  readonly coordination: Coordination;
  readonly trainer: CandidateTrainer;
  readonly dataset: PreparedDataset;
  /** Trainer slots in this tab (default: the search config's trainersPerTab). */
  readonly trainers?: number;
  /** Whether this tab may lead (run the agent). Default true. */
  readonly mayLead?: boolean;
  /**
   * A job that reports no progress for this long is cancelled and counted as a failed attempt
   * (its worker is terminated and a fresh one takes the next job): a lost GPU device can leave
   * a TF.js readback waiting forever. Default 180 s.
   */
  readonly stallMs?: number;
  readonly onEvent?: (event: SessionEvent) => void;
}

/** A stable per-net seed: the same net of the same search starts from the same weights anywhere. */
export function netSeed(searchSeed: number, netString: string): number {
  let h = 0x811c9dc5 ^ searchSeed;
  for (let i = 0; i < netString.length; i++) h = Math.imul(h ^ netString.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function trainConfigOf(config: SearchConfig, epochs = config.training.epochs): Partial<TrainConfig> {
  const t = config.training;
  return {
    epochs,
    batchSize: t.batchSize,
    learningRate: t.learningRate,
    learningRateRule: t.learningRateRule,
    restartIfFailedToLearn: t.restartIfFailedToLearn,
    weightDecay: t.weightDecay,
    // Every forward pass at the training batch size (and batch 1 for latency): each new batch
    // shape costs a shader compilation on WebGPU, seconds each on a software adapter.
    evaluationBatchSize: t.batchSize,
    latencyBatchSize: t.batchSize,
  };
}

/**
 * The nets worth keeping weights for and taking into the final phase, trained ones only: the
 * highest reward first, which is the best validation accuracy unless a latency target shaped
 * it (then a fast net can outrank a slightly more accurate slow one, as the person asked).
 */
export function rankReplay(replay: readonly ReplayRecord[]): ReplayRecord[] {
  return replay
    .filter((e) => e.source === 'trained' && (e.status === 'ok' || e.status === 'failed-to-learn'))
    .sort((a, b) => b.reward - a.reward || b.bestValAccuracy - a.bestValAccuracy || a.netString.localeCompare(b.netString));
}

/**
 * Wake-ups for the loops. A loop reads `seq` before it looks for work and passes it to
 * `wait`, which returns at once if something happened since: no wake-up is lost between
 * looking and waiting.
 */
class Wakeup {
  seq = 0;
  #waiters: (() => void)[] = [];
  wait(ms: number, signal: AbortSignal, seen: number): Promise<void> {
    if (seen !== this.seq || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.#waiters.push(done);
    });
  }
  wake(): void {
    this.seq++;
    for (const w of this.#waiters.splice(0)) w();
  }
}

export class SearchSession {
  readonly searchId: string;
  readonly #o: SearchSessionOptions;
  readonly #abort = new AbortController();
  readonly #wakeup = new Wakeup();
  readonly #slotControllers = new Map<number, AbortController>();
  #unsubscribe: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #netsDone = 0;
  #requeueOnAbort = true;

  constructor(options: SearchSessionOptions) {
    this.#o = options;
    this.searchId = options.searchId;
  }

  get netsDone(): number {
    return this.#netsDone;
  }

  /** Jobs this tab is training now. */
  get training(): string[] {
    return [...this.#slotControllers.keys()].map(String);
  }

  #emit(event: SessionEvent): void {
    this.#o.onEvent?.(event);
  }

  /** Starts the trainer slots and the bid for leadership; resolves when the search ends or `close` is called. */
  start(): Promise<void> {
    if (this.#running) return this.#running;
    const { coordination, trainer, dataset } = this.#o;
    trainer.setDataset(dataset.payloadId, dataset.payload);
    this.#unsubscribe = coordination.subscribe((message) => {
      if ('searchId' in message && message.searchId !== this.searchId) return;
      if (message.type === 'search-changed') void this.#onSearchChanged();
      if (message.type !== 'tab-status') this.#emit({ type: 'changed' });
      this.#wakeup.wake();
    });
    this.#running = this.#run();
    return this.#running;
  }

  async #run(): Promise<void> {
    const search = await this.#search();
    const config = parseSearchConfig(search.config, `search ${search.id} config`);
    const slots = this.#o.trainers ?? config.trainersPerTab;
    const loops = Array.from({ length: slots }, (_, i) => this.#trainerLoop(i));
    if (this.#o.mayLead !== false) loops.push(this.#leaderLoop());
    await Promise.all(loops);
  }

  /**
   * Stops this tab's part: running jobs are cancelled and put back in the queue. With
   * `requeue: false` it behaves like a tab that died: nothing more is written, and the next
   * leader requeues the jobs this tab held once it sees the tab gone.
   */
  async close({ requeue = true }: { requeue?: boolean } = {}): Promise<void> {
    this.#requeueOnAbort = requeue;
    this.#abort.abort();
    for (const controller of this.#slotControllers.values()) controller.abort();
    this.#wakeup.wake();
    this.#unsubscribe?.();
    await this.#running?.catch(() => {});
    if (!requeue) return;
    await this.#o.store
      .requeueJobs(this.searchId, (claimedBy) => claimedBy === this.#o.coordination.tabId)
      .catch(() => {});
  }

  // ---------------------------------------------------------------------------------------
  // status changes (any tab may make them; every tab reacts)

  async setStatus(status: SearchStatus): Promise<void> {
    await this.#o.store.updateSearchStatus(this.searchId, status);
    this.#o.coordination.post({ type: 'search-changed', searchId: this.searchId });
  }

  async #onSearchChanged(): Promise<void> {
    const search = await this.#o.store.getSearch(this.searchId).catch(() => undefined);
    if (!search || search.status === 'running' || search.status === 'final') return;
    // Paused or ended: stop training here and give the jobs back.
    for (const controller of this.#slotControllers.values()) controller.abort();
  }

  async #search(): Promise<SearchRecord> {
    const search = await this.#o.store.getSearch(this.searchId);
    if (!search) throw new Error(`search ${this.searchId} was deleted`);
    return search;
  }

  get #ended(): boolean {
    return this.#abort.signal.aborted;
  }

  // ---------------------------------------------------------------------------------------
  // trainer slots

  async #trainerLoop(slot: number): Promise<void> {
    const { store, coordination, dataset } = this.#o;
    const tabId = coordination.tabId;
    while (!this.#ended) {
      const seen = this.#wakeup.seq;
      let search: SearchRecord;
      try {
        search = await this.#search();
      } catch {
        return;
      }
      if (search.status === 'done' || search.status === 'stopped' || search.status === 'failed') return;
      const job = search.status === 'running' ? await store.claimNextJob(this.searchId, tabId) : undefined;
      if (!job) {
        await this.#wakeup.wait(POLL_MS, this.#abort.signal, seen);
        continue;
      }
      const config = parseSearchConfig(search.config);
      const controller = new AbortController();
      this.#slotControllers.set(slot, controller);
      this.#emit({ type: 'job-started', slot, job });
      let lastProgress = Date.now();
      let stalled = false;
      const stallMs = this.#o.stallMs ?? DEFAULT_STALL_MS;
      const watchdog = setInterval(() => {
        if (Date.now() - lastProgress < stallMs) return;
        stalled = true;
        controller.abort(new Error(`no progress for ${Math.round(stallMs / 1000)} s`));
      }, Math.min(10_000, stallMs / 4));
      try {
        const replay = await store.listReplay(this.searchId);
        const bestSoFar = replay.reduce((best, e) => Math.max(best, e.source === 'trained' ? e.bestValAccuracy : 0), 0);
        const level = Math.max(0, config.schedule.findIndex((l) => l.epsilon === job.epsilon));
        const net = insertDropout(parseNetwork(job.netString), config.training.dropoutRule);
        const result = await this.#o.trainer.train(
          {
            id: `${this.searchId}:${job.id}:${job.attempts}`,
            net,
            datasetId: dataset.payloadId,
            seed: netSeed(config.seed, job.netString),
            bestSoFar: replay.length > 0 ? bestSoFar : null,
            config: trainConfigOf(config),
            trainSampleSize: trainSampleSize(config.data, dataset.payload.train.count, level, config.schedule.length),
          },
          {
            signal: controller.signal,
            onProgress: (progress) => {
              lastProgress = Date.now();
              this.#emit({ type: 'progress', slot, job, progress });
            },
          },
        );
        const entry = replayEntryFromResult(result, {
          netString: job.netString,
          iterations: job.iterations,
          epsilon: job.epsilon,
          classes: dataset.payload.classes,
          trainedBy: tabId,
          constraints: config.constraints,
          now: Date.now(),
        });
        const outcome = await store.commitResult(this.searchId, job.id, entry);
        if (outcome.applied) {
          this.#netsDone++;
          if (result.status === 'done' && result.weights) await this.#keepWeights(job.netString, result.weights);
        }
        this.#emit({ type: 'job-finished', slot, job, entry: outcome.applied ? outcome.entry : null });
        coordination.post({ type: 'job-done', searchId: this.searchId });
      } catch (error) {
        if ((controller.signal.aborted && !stalled) || this.#ended) {
          // Paused, stopped or closing: the job goes back to the queue untouched.
          if (this.#requeueOnAbort) await store.requeueJobs(this.searchId, (by) => by === tabId).catch(() => {});
          this.#emit({ type: 'job-cancelled', slot, job });
        } else {
          const message = stalled
            ? `stalled: no progress for ${Math.round(stallMs / 1000)} s; the trainer was restarted`
            : error instanceof Error
              ? error.message
              : String(error);
          await store.failJob(job.id, tabId, message).catch(() => {});
          this.#emit({ type: 'job-failed', slot, job, error: message });
          coordination.post({ type: 'job-done', searchId: this.searchId });
        }
      } finally {
        clearInterval(watchdog);
        this.#slotControllers.delete(slot);
      }
    }
  }

  /** Stores the weights of a net among the best KEEP_WEIGHTS_TOP and prunes the rest. */
  async #keepWeights(netString: string, weights: SerializedWeights): Promise<void> {
    const { store } = this.#o;
    const top = rankReplay(await store.listReplay(this.searchId)).slice(0, KEEP_WEIGHTS_TOP).map((e) => e.netString);
    if (!top.includes(netString)) return;
    try {
      await store.putWeights(this.searchId, netString, { buffers: [weights.data], specs: weights.specs });
      await store.pruneWeights(this.searchId, top);
    } catch (error) {
      if (!(error instanceof QuotaError)) throw error;
      await store.countSkippedWeights(this.searchId).catch(() => {});
      this.#emit({ type: 'warning', message: 'Storage is full: the search goes on without saving weights for new nets.' });
    }
  }

  // ---------------------------------------------------------------------------------------
  // the leader

  async #leaderLoop(): Promise<void> {
    const { coordination } = this.#o;
    while (!this.#ended) {
      const search = await this.#search().catch(() => undefined);
      if (!search || ['done', 'stopped', 'failed'].includes(search.status)) return;
      const finished = await coordination.lead(this.searchId, this.#abort.signal, () => this.#lead());
      if (finished === 'ended') return;
    }
  }

  async #lead(): Promise<'ended' | 'retry'> {
    const { store, coordination, dataset } = this.#o;
    this.#emit({ type: 'leading', leading: true });
    const shape: DatasetShape = { inputShape: dataset.payload.inputShape, classes: dataset.payload.classes };
    let errors = 0;
    let leader: SearchLeader | null = null;
    try {
      while (!this.#ended) {
        const seen = this.#wakeup.seq;
        try {
          const search = await this.#search();
          if (['done', 'stopped', 'failed'].includes(search.status)) return 'ended';
          leader ??= await SearchLeader.open(store, this.searchId, shape);
          if (search.status === 'running') {
            // Claims of tabs that are gone (closed, crashed) go back to the queue.
            const live = await coordination.liveTabs();
            const requeued = await store.requeueJobs(this.searchId, (by) => by === null || !live.has(by));
            const before = leader.jobsQueued;
            const state = await leader.step(await this.#outstandingTarget(search));
            if (requeued.length > 0 || leader.jobsQueued > before) {
              coordination.post({ type: 'job-queued', searchId: this.searchId });
            }
            if (state === 'schedule-done') {
              await this.setStatus('final');
              continue;
            }
          } else if (search.status === 'final') {
            await this.#finalPhase(leader);
            return 'ended';
          }
          errors = 0;
        } catch (error) {
          if (this.#ended) return 'ended';
          errors++;
          leader = null; // the in-memory agent may be ahead of the store: reload it
          const message = error instanceof Error ? error.message : String(error);
          this.#emit({ type: 'error', message: `Leader: ${message}` });
          if (errors >= MAX_LEADER_ERRORS) {
            await store.updateSearchStatus(this.searchId, 'failed', message).catch(() => {});
            coordination.post({ type: 'search-changed', searchId: this.searchId });
            return 'ended';
          }
        }
        await this.#wakeup.wait(POLL_MS, this.#abort.signal, seen);
      }
      return 'ended';
    } finally {
      this.#emit({ type: 'leading', leading: false });
    }
  }

  /** Jobs to keep queued or running: one per trainer of every live tab. */
  async #outstandingTarget(search: SearchRecord): Promise<number> {
    const config = parseSearchConfig(search.config);
    const tabs = (await this.#o.coordination.liveTabs()).size;
    return Math.max(1, tabs * config.trainersPerTab);
  }

  // ---------------------------------------------------------------------------------------
  // the final phase (spec section 3): fine-tune the top nets longer, ensemble the best of them

  async #finalPhase(leader: SearchLeader): Promise<void> {
    const { store, trainer, dataset, coordination } = this.#o;
    const config = leader.config;
    const ranked = rankReplay(await store.listReplay(this.searchId));
    const top = ranked.slice(0, config.final.fineTuneTop);
    if (top.length === 0) {
      await store.updateSearchStatus(this.searchId, 'failed', 'no net trained successfully: nothing to fine-tune');
      coordination.post({ type: 'search-changed', searchId: this.searchId });
      return;
    }
    const fineTunedWeights = new Map<string, SerializedWeights>();
    for (const [i, entry] of top.entries()) {
      if (this.#ended) return;
      const search = await this.#search();
      if (search.status !== 'final') return;
      if (search.finalProgress?.fineTuned.some((f) => f.netString === entry.netString)) continue;
      this.#emit({ type: 'final-progress', step: `Fine-tuning ${entry.netString}`, done: i, total: top.length });
      const saved = await store.getWeights(this.searchId, entry.netString);
      const initialWeights: SerializedWeights | null =
        saved && saved.buffers.length === 1 ? { specs: saved.specs as SerializedWeights['specs'], data: saved.buffers[0]! } : null;
      const net: Net = insertDropout(parseNetwork(entry.netString), config.training.dropoutRule);
      const result = await trainer.fineTune(
        {
          id: `${this.searchId}:final:${entry.netString}`,
          net,
          datasetId: dataset.payloadId,
          seed: netSeed(config.seed, entry.netString),
          bestSoFar: null,
          config: { ...trainConfigOf(config, config.final.fineTuneEpochs), learningRateRule: config.training.learningRateRule === 'seed' ? 'paper' : config.training.learningRateRule, decayFactor: config.training.learningRateRule === 'seed' ? 0.8 : null },
          initialWeights,
        },
        { signal: this.#abort.signal },
      );
      if (result.status !== 'done') {
        await store.addFineTuned(this.searchId, {
          netString: entry.netString,
          valAccuracy: entry.bestValAccuracy,
          testAccuracy: entry.testAccuracy,
          epochs: 0,
          fromSavedWeights: initialWeights !== null,
        });
        continue;
      }
      if (result.weights) {
        fineTunedWeights.set(entry.netString, result.weights);
        try {
          await store.putWeights(this.searchId, entry.netString, { buffers: [result.weights.data], specs: result.weights.specs });
        } catch (error) {
          if (!(error instanceof QuotaError)) throw error;
          await store.countSkippedWeights(this.searchId).catch(() => {});
        }
      }
      const record: FineTuned = {
        netString: entry.netString,
        valAccuracy: Math.max(0, Math.min(1, result.bestValidationAccuracy)),
        testAccuracy: result.testAccuracy,
        epochs: result.curve.length,
        fromSavedWeights: initialWeights !== null,
      };
      await store.addFineTuned(this.searchId, record);
      coordination.post({ type: 'search-changed', searchId: this.searchId });
    }

    // The ensemble: the best `ensembleTop` fine-tuned nets, averaged softmax on the test split.
    const search = await this.#search();
    const fineTuned = [...(search.finalProgress?.fineTuned ?? [])].sort(
      (a, b) => b.valAccuracy - a.valAccuracy || a.netString.localeCompare(b.netString),
    );
    this.#emit({ type: 'final-progress', step: 'Evaluating the ensemble', done: top.length, total: top.length });
    const members: { net: Net; weights: SerializedWeights; netString: string }[] = [];
    for (const f of fineTuned) {
      if (members.length >= config.final.ensembleTop) break;
      let weights = fineTunedWeights.get(f.netString);
      if (!weights) {
        const saved = await store.getWeights(this.searchId, f.netString);
        if (saved && saved.buffers.length === 1) weights = { specs: saved.specs as SerializedWeights['specs'], data: saved.buffers[0]! };
      }
      if (weights) members.push({ net: insertDropout(parseNetwork(f.netString), config.training.dropoutRule), weights, netString: f.netString });
    }
    const best = fineTuned.find((f) => f.testAccuracy !== null) ?? fineTuned[0]!;
    let ensembleAccuracy = best.testAccuracy ?? 0;
    let ensembleNets = [best.netString];
    if (members.length > 0) {
      const result = await trainer.evaluateEnsemble(
        {
          datasetId: dataset.payloadId,
          subset: 'test',
          members: members.map(({ net, weights }) => ({ net, weights })),
          batchSize: config.training.batchSize,
        },
        { signal: this.#abort.signal },
      );
      ensembleAccuracy = result.accuracy;
      ensembleNets = members.map((m) => m.netString);
    }
    await store.setSearchFinal(this.searchId, {
      bestNetString: best.netString,
      bestTestAccuracy: best.testAccuracy ?? 0,
      ensembleNetStrings: ensembleNets,
      ensembleTestAccuracy: ensembleAccuracy,
      finishedAt: Date.now(),
    });
    await this.setStatus('done');
  }
}
