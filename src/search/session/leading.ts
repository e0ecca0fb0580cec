/**
 * The leader's loop: while this tab holds the search's leader lock it runs the agent
 * (SearchLeader), requeues the claims of tabs that are gone, and once the ε schedule is done
 * runs the final phase. Another tab takes over the moment this one closes: the lock is the
 * browser's, and everything the agent knows is in IndexedDB.
 */
import { isSearchEnded, type ReplayRecord, type SearchRecord } from '../../store';
import { nextAdmission, trainerOrder, type Admission } from './admission';
import { savingsOn } from './net-jobs';
import { SearchLeader, type DatasetShape } from '../leader';
import { POLL_MS, SearchGoneError, type SessionContext } from './context';
import { BudgetKeeper, budgetState } from './budget-keeper';
import { FinalPhase } from './final-phase';
import { messageOf } from './store-retry';

/** Leader errors in a row before the search is marked failed. */
const MAX_LEADER_ERRORS = 5;

export class Leading {
  readonly #ctx: SessionContext;
  /** Trained nets and live trainers when admission was last decided. */
  #admissionKey = '';

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  /** Bids for the leader lock until the search ends or the session closes. */
  async run(): Promise<void> {
    const { coordination, signal, searchId, wakeup } = this.#ctx;
    while (!signal.aborted) {
      const seen = wakeup.seq;
      try {
        const search = await this.#ctx.readSearch();
        if (isSearchEnded(search.status)) return;
        const finished = await coordination.lead(searchId, signal, () => this.#lead());
        if (finished === 'ended') return;
      } catch (error) {
        // A deleted search ends it; a failed lock request is tried again after a pause.
        if (signal.aborted || error instanceof SearchGoneError) return;
        this.#ctx.emit({ type: 'error', message: `Leader: ${messageOf(error)}` });
        await wakeup.wait(POLL_MS, signal, seen);
      }
    }
  }

  async #lead(): Promise<'ended' | 'retry'> {
    const { store, coordination, dataset, searchId, signal, wakeup, config } = this.#ctx;
    this.#ctx.emit({ type: 'leading', leading: true });
    const shape: DatasetShape = { inputShape: dataset.payload.inputShape, classes: dataset.payload.classes };
    let errors = 0;
    let leader: SearchLeader | null = null;
    const budget = new BudgetKeeper(this.#ctx);
    const stopTicking = budget.startTicking(signal);
    try {
      while (!signal.aborted) {
        const seen = wakeup.seq;
        // Another machine took the lead of a shared search: give the lock back and bid again.
        if (coordination.stillLeads?.(searchId) === false) return 'retry';
        try {
          const search = await this.#ctx.readSearch();
          if (isSearchEnded(search.status)) return 'ended';
          leader ??= await SearchLeader.open(store, searchId, shape, config);
          if (search.status === 'running') {
            // Claims of tabs that are gone (closed, crashed) go back to the queue.
            const live = await coordination.liveTabs();
            const requeued = await store.requeueJobs(searchId, (by) => by === null || !live.has(by));
            // The replay memory, read at most once per step, by whichever of admission and the budget needs it first.
            let replayRead: Promise<ReplayRecord[]> | null = null;
            const readReplay = (): Promise<ReplayRecord[]> => (replayRead ??= store.listReplay(searchId));
            const admission = await this.#admit(search, live, leader.progress.trained, readReplay);
            const target = admission ? admission.admitted : await this.#outstandingTarget();
            const budgetNow = budgetState(search, config.budget?.minutes ?? null);
            if (budgetNow && (await budget.plan(leader, search, budgetNow, target, readReplay)) === 'final') {
              // The main phase's time is spent: the final phase gets the rest (jobs in flight go back to the queue).
              const tooSmall = budget.tooSmall(leader, budgetNow, target);
              if (tooSmall && leader.progress.trained === 0) {
                await store.updateSearchStatus(searchId, 'failed', tooSmall);
                coordination.post({ type: 'search-changed', searchId });
                return 'ended';
              }
              if (tooSmall) this.#ctx.emit({ type: 'warning', message: tooSmall });
              await leader.incorporateResults();
              await this.#ctx.setStatus('final');
              continue;
            }
            const before = leader.jobsQueued;
            const state = await leader.step(target);
            if (requeued.length > 0 || leader.jobsQueued > before) coordination.post({ type: 'job-queued', searchId });
            if (state === 'schedule-done') {
              await this.#ctx.setStatus('final');
              continue;
            }
          } else if (search.status === 'final') {
            // Returns when done, or paused, or closing: the loop reads which and waits or ends.
            // A time budget ends the main phase with jobs in flight: a result that lands after
            // that is still the agent's, or the store would hold results the agent never learnt.
            const current = leader;
            await current.incorporateResults();
            await new FinalPhase(this.#ctx, budget, () => current.incorporateResults()).run();
            continue;
          }
          errors = 0;
        } catch (error) {
          if (signal.aborted || error instanceof SearchGoneError) return 'ended';
          errors++;
          leader = null; // the in-memory agent may be ahead of the store: reload it
          const message = messageOf(error);
          this.#ctx.emit({ type: 'error', message: `Leader: ${message}` });
          if (errors >= MAX_LEADER_ERRORS) {
            await store.updateSearchStatus(searchId, 'failed', message).catch(() => undefined);
            coordination.post({ type: 'search-changed', searchId });
            return 'ended';
          }
        }
        await wakeup.wait(POLL_MS, signal, seen);
      }
      return 'ended';
    } finally {
      stopTicking();
      this.#ctx.emit({ type: 'leading', leading: false });
    }
  }

  /**
   * Re-decides which trainers may claim (admission.ts) when a net has finished or the live tabs
   * changed, and stores it when it changed. null with the savings off: every trainer claims.
   */
  async #admit(search: SearchRecord, live: ReadonlySet<string>, trained: number, readReplay: () => Promise<ReplayRecord[]>): Promise<Admission | null> {
    const { store, searchId, coordination, config } = this.#ctx;
    if (!savingsOn(config)) return null;
    const order = trainerOrder(coordination.tabId, live, config.trainersPerTab);
    const key = `${trained}|${order.join(',')}`;
    if (search.admission && key === this.#admissionKey) return search.admission;
    const replay = await readReplay();
    const finishes = replay.filter((e) => e.source === 'trained' && e.timings).map((e) => e.finishedAt);
    const decided = nextAdmission(search.admission ?? null, { now: Date.now(), finishes, available: order.length });
    const next: Admission = { ...decided, trainers: order.slice(0, decided.admitted) };
    this.#admissionKey = key;
    if (JSON.stringify(next) === JSON.stringify(search.admission ?? null)) return next;
    await store.setSearchAdmission(searchId, next);
    coordination.post({ type: 'search-changed', searchId });
    return next;
  }

  /** Jobs to keep queued or running: one per trainer of every live tab. */
  async #outstandingTarget(): Promise<number> {
    const tabs = (await this.#ctx.coordination.liveTabs()).size;
    return Math.max(1, tabs * this.#ctx.config.trainersPerTab);
  }
}
