/**
 * This tab's part in a running search: the SearchSession it joined (its trainer slots, and the
 * agent when this tab leads), and what that session reports as it goes: the jobs training
 * now with their progress, whether this tab leads, the final phase's step.
 */
import { preparePayload, type PreparedDataset } from '../../search/prepare-dataset';
import type { SearchConfig } from '../../search/config';
import { SearchSession, type SessionEvent } from '../../search/search-session';
import type { SearchRecord } from '../../store';
import type { Coordination } from '../../swarm/coordination';
import type { PageLiveJob } from '../../page-hook';
import type { EpochRecord } from '../../train/types';
import type { BrowserStorage } from './browser-storage.svelte';
import type { Datasets } from './datasets.svelte';
import type { Notices } from './notices.svelte';
import type { OpenSearch } from './open-search.svelte';
import type { Trainers } from './trainers.svelte';

/** A job this tab trains now, as the page hook declares it, with its validation curve so far. */
export interface LiveJob extends PageLiveJob {
  readonly curve: readonly EpochRecord[];
}

/** What this tab tells the others it does (a tab-status message). */
export interface TabWork {
  readonly searchId: string | null;
  readonly leading: boolean;
  readonly training: string[];
  readonly netsDone: number;
  readonly since: number;
  /** Why this tab's trainers wait while the search runs (the leader admitted others). */
  readonly heldBack: string | null;
}

export interface TabSessionParts {
  readonly storage: BrowserStorage;
  readonly coordination: Coordination;
  readonly trainers: Trainers;
  readonly datasets: Datasets;
  readonly open: OpenSearch;
  readonly notices: Notices;
  /** Called whenever what this tab does changes (the tabs list announces it). */
  readonly onWorkChanged: () => void;
}

export class TabSession {
  live: LiveJob[] = $state.raw([]);
  leading = $state(false);
  finalStep: string | null = $state(null);

  readonly #p: TabSessionParts;
  #session: SearchSession | null = null;
  /** A join waiting for its dataset: counts as this tab's search, so nothing joins twice meanwhile. */
  #joining: { readonly searchId: string } | null = null;
  /** What this tab last announced about being held back. */
  #heldBack: string | null = null;
  /** When this tab joined the search it works on (for its nets per hour). */
  #since = Date.now();

  constructor(parts: TabSessionParts) {
    this.#p = parts;
  }

  /** The search this tab works on, if any. */
  get searchId(): string | null {
    return this.#session?.searchId ?? this.#joining?.searchId ?? null;
  }

  get work(): TabWork {
    return { searchId: this.searchId, leading: this.leading, training: this.live.map((j) => j.netString), netsDone: this.#session?.netsDone ?? 0, since: this.#since, heldBack: this.#session?.heldBack ?? null };
  }

  /** Lends this tab's trainers to a search (and bids to lead it) until it ends or `leave`. */
  async join(search: SearchRecord, config: SearchConfig): Promise<void> {
    if (this.searchId === search.id) return;
    const store = this.#p.storage.store;
    if (!store) return;
    const attempt = { searchId: search.id };
    this.#joining = attempt;
    let dataset;
    try {
      dataset = await this.#p.datasets.select(search.datasetId);
    } finally {
      if (this.#joining === attempt) this.#joining = null;
      else dataset = null; // another join or a leave came meanwhile: this one is dropped
    }
    if (!dataset) return;
    let prepared: PreparedDataset;
    try {
      prepared = preparePayload(dataset, config);
    } catch (error) {
      return this.#p.notices.notify('error', (error as Error).message);
    }
    const session = new SearchSession({
      store,
      searchId: search.id,
      coordination: this.#p.coordination,
      trainer: this.#p.trainers.pool(config.trainersPerTab),
      dataset: prepared,
      onEvent: (event) => this.#onEvent(event),
    });
    // Two sessions in one tab would claim under one tab id and requeue each other's jobs.
    const displaced = this.#session;
    this.#session = session;
    if (displaced) void displaced.close();
    this.#since = Date.now();
    this.#p.onWorkChanged();
    const ended = () => this.#p.notices.background(this.#ended(session), 'show the search');
    void session.start().then(ended, (error: unknown) => {
      this.#p.notices.notify('error', `The search stopped with an error: ${(error as Error).message}`);
      ended();
    });
  }

  async leave(): Promise<void> {
    const session = this.#session;
    this.#session = null;
    this.#joining = null;
    this.live = [];
    await session?.close();
  }

  async #ended(session: SearchSession): Promise<void> {
    if (this.#session === session) {
      this.#session = null;
      this.live = [];
      this.leading = false;
      this.finalStep = null;
    }
    await this.#p.open.refresh();
    this.#p.onWorkChanged();
  }

  #onEvent(event: SessionEvent): void {
    switch (event.type) {
      case 'leading':
        this.leading = event.leading;
        this.#p.onWorkChanged();
        break;
      case 'job-started':
        this.live = [
          ...this.live.filter((j) => j.slot !== event.slot),
          { slot: event.slot, jobId: event.job.id, netString: event.job.netString, epsilon: event.job.epsilon, startedAt: Date.now(), progress: null, curve: [] },
        ];
        this.#p.onWorkChanged();
        break;
      case 'progress':
        this.live = this.live.map((j) =>
          j.slot === event.slot && j.jobId === event.job.id
            ? { ...j, progress: event.progress, curve: event.progress.kind === 'epoch' ? [...j.curve, event.progress.record] : j.curve }
            : j,
        );
        break;
      case 'job-finished':
      case 'job-failed':
      case 'job-cancelled':
        this.live = this.live.filter((j) => j.slot !== event.slot);
        if (event.type === 'job-failed') this.#p.notices.notify('warning', `Training ${event.job.netString} failed: ${event.error}`);
        this.#p.onWorkChanged();
        this.#p.open.queueRefresh();
        break;
      case 'final-progress':
        this.finalStep = `${event.step} (${event.done}/${event.total})`;
        this.#p.open.queueRefresh();
        break;
      case 'changed':
        this.#p.open.queueRefresh();
        // The leader's admission may have held this tab's trainers back or let them go.
        if ((this.#session?.heldBack ?? null) !== this.#heldBack) {
          this.#heldBack = this.#session?.heldBack ?? null;
          this.#p.onWorkChanged();
        }
        break;
      case 'warning':
        this.#p.notices.notify('warning', event.message);
        break;
      case 'error':
        this.#p.notices.notify('error', event.message);
        break;
    }
  }
}
