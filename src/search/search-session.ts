/**
 * One tab's part in one search: its trainer slots claim jobs from the shared queue, train
 * them and commit the results (session/trainer-slots.ts); and, while this tab holds the
 * search's leader lock, it runs the agent and, once the ε schedule is complete, the final
 * phase (session/leading.ts, session/final-phase.ts).
 *
 * Everything that matters is in IndexedDB, written in single transactions; this class holds
 * nothing that a reload could lose but the progress of the jobs it is training (those are
 * requeued). Wake-ups come from the coordination's messages and, as a fallback for a missed
 * message, from a slow poll.
 */
import type { SearchRecord, SearchStatus, Store } from '../store';
import type { Coordination } from '../swarm/coordination';
import { parseSearchConfig } from './config';
import type { PreparedDataset } from './prepare-dataset';
import { SearchGoneError, type CandidateTrainer, type SessionContext, type SessionEvent } from './session/context';
import { Leading } from './session/leading';
import { withStoreRetry } from './session/store-retry';
import { TrainerSlots } from './session/trainer-slots';
import { Wakeup } from './session/wakeup';

export type { CandidateTrainer, SessionEvent } from './session/context';
export { netSeed, rankReplay, trainConfigOf } from './session/net-jobs';

/** See SearchSessionOptions.stallMs. */
const DEFAULT_STALL_MS = 180_000;

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
   * a TF.js readback waiting forever. A worker that ends is noticed at once, not by this.
   * Default 180 s.
   */
  readonly stallMs?: number;
  readonly onEvent?: (event: SessionEvent) => void;
}

export class SearchSession {
  readonly searchId: string;
  readonly #o: SearchSessionOptions;
  readonly #abort = new AbortController();
  readonly #wakeup = new Wakeup();
  #slots: TrainerSlots | null = null;
  #unsubscribe: (() => void) | null = null;
  #running: Promise<void> | null = null;

  constructor(options: SearchSessionOptions) {
    this.#o = options;
    this.searchId = options.searchId;
  }

  get netsDone(): number {
    return this.#slots?.netsDone ?? 0;
  }

  /** Why this tab trains nothing while the search runs (the leader admitted other trainers); null otherwise. */
  get heldBack(): string | null {
    return this.#slots?.heldBack ?? null;
  }

  /** Slots of this tab training now. */
  get training(): string[] {
    return (this.#slots?.busySlots ?? []).map(String);
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
    const search = await this.#readSearch();
    const config = parseSearchConfig(search.config, `search ${search.id} config`);
    const ctx: SessionContext = {
      store: this.#o.store,
      searchId: this.searchId,
      config,
      coordination: this.#o.coordination,
      trainer: this.#o.trainer,
      dataset: this.#o.dataset,
      signal: this.#abort.signal,
      wakeup: this.#wakeup,
      stallMs: this.#o.stallMs ?? DEFAULT_STALL_MS,
      emit: (event) => this.#emit(event),
      readSearch: () => this.#readSearch(),
      setStatus: (status) => this.setStatus(status),
    };
    this.#slots = new TrainerSlots(ctx);
    const loops = this.#slots.run(this.#o.trainers ?? config.trainersPerTab);
    if (this.#o.mayLead !== false) loops.push(new Leading(ctx).run());
    await Promise.all(loops);
  }

  /**
   * Stops this tab's part: running jobs are cancelled and put back in the queue. With
   * `requeue: false` it behaves like a tab that died: nothing more is written, and the next
   * leader requeues the jobs this tab held once it sees the tab gone.
   */
  async close({ requeue = true }: { requeue?: boolean } = {}): Promise<void> {
    if (this.#slots) this.#slots.requeueOnAbort = requeue;
    this.#abort.abort();
    this.#slots?.cancelAll();
    this.#wakeup.wake();
    this.#unsubscribe?.();
    await this.#running?.catch(() => undefined);
    if (!requeue) return;
    // Once this tab has left, no orphan check of its own runs: the write must get through.
    await withStoreRetry(() => this.#o.store.requeueJobs(this.searchId, (claimedBy) => claimedBy === this.#o.coordination.tabId)).catch(
      () => undefined,
    );
  }

  /** Any tab may change the status; every tab reacts. */
  async setStatus(status: SearchStatus): Promise<void> {
    await this.#o.store.updateSearchStatus(this.searchId, status);
    this.#o.coordination.post({ type: 'search-changed', searchId: this.searchId });
  }

  async #onSearchChanged(): Promise<void> {
    const search = await this.#o.store.getSearch(this.searchId).catch(() => undefined);
    if (!search || search.status === 'running') return;
    // Paused, ended, or in the final phase (a time budget ends the main phase with jobs still
    // training): stop training here and give the jobs back.
    this.#slots?.cancelAll();
  }

  async #readSearch(): Promise<SearchRecord> {
    const search = await this.#o.store.getSearch(this.searchId);
    if (!search) throw new SearchGoneError(this.searchId);
    return search;
  }
}
