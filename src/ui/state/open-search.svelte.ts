/**
 * The search shown on the page, as read from IndexedDB (the source of truth; re-read when
 * anything says it changed), and the views derived from it. Its stored config is parsed once,
 * here, where it is read; everything else takes the typed `config`. The per-ε numbers are
 * computed here once, for the charts and for the runner and the benchmarks (PageHook).
 */
import { checkSchedule, type EpsilonSchedule } from '../../core';
import { meanAccuracyByEpsilon, replayIterations, type AgentSample, type EpsilonAccuracy, type ReplayIteration } from '../../search/export';
import { parseSearchConfig, type SearchConfig } from '../../search/config';
import type { ReplayRecord, SearchRecord } from '../../store';
import type { BrowserStorage } from './browser-storage.svelte';
import type { Notices } from './notices.svelte';

/** How long change messages are gathered before one re-read (a search sends many). */
const REFRESH_DELAY_MS = 100;

export class OpenSearch {
  id: string | null = $state(null);
  record: SearchRecord | null = $state.raw(null);
  /** The record's config, parsed when read; null when none is open or it is invalid (see `configError`). */
  config: SearchConfig | null = $state.raw(null);
  configError: string | null = $state(null);
  replay: ReplayRecord[] = $state.raw([]);
  /** The agent's replay memory (every iteration with its own ε: paper Figure 3). */
  agentReplay: AgentSample[] = $state.raw([]);
  /** Nets the agent counts as trained at each ε level (null: not stored). */
  trainedPerLevel: number[] | null = $state.raw(null);
  /** The agent's nets per ε level as planned now (a time budget re-plans them); null: not stored yet. */
  plannedSchedule: EpsilonSchedule | null = $state.raw(null);

  /** Every sampled iteration, repeats included. */
  readonly iterations: ReplayIteration[] = $derived(replayIterations(this.replay, this.agentReplay));
  /** Mean validation accuracy per ε, highest ε first. */
  readonly byEpsilon: EpsilonAccuracy[] = $derived(meanAccuracyByEpsilon(this.iterations));
  /** The two above as the runner and the benchmarks read them (paper Figure 3, as the charts draw it). */
  readonly accuracyByEpsilon: { iterations: number; byEpsilon: EpsilonAccuracy[] } = $derived({
    iterations: this.iterations.length,
    byEpsilon: this.byEpsilon,
  });

  readonly #storage: BrowserStorage;
  readonly #notices: Notices;
  readonly #afterRead: () => Promise<void>;
  #refreshQueued = false;

  /** `afterRead` runs after each re-read (the list of searches shows the same statuses). */
  constructor(storage: BrowserStorage, notices: Notices, afterRead: () => Promise<void>) {
    this.#storage = storage;
    this.#notices = notices;
    this.#afterRead = afterRead;
  }

  async show(id: string): Promise<void> {
    this.id = id;
    await this.refresh();
  }

  clear(): void {
    this.id = null;
    this.record = null;
    this.config = null;
    this.configError = null;
    this.replay = [];
    this.agentReplay = [];
    this.trainedPerLevel = null;
    this.plannedSchedule = null;
  }

  /** Re-reads the shown search from IndexedDB. */
  async refresh(): Promise<void> {
    const store = this.#storage.store;
    const id = this.id;
    if (!store || !id) return;
    const [record, replay, agent] = await Promise.all([store.getSearch(id), store.listReplay(id), store.getAgentState(id)]);
    if (this.id !== id) return;
    this.#readConfig(record);
    this.record = record ?? null;
    this.replay = replay;
    this.agentReplay = agentSamples(agent?.state.replay);
    this.trainedPerLevel = countList(agent?.state.trainedPerLevel);
    this.plannedSchedule = scheduleOf((agent?.state.config as { schedule?: unknown } | undefined)?.schedule);
    await this.#afterRead();
  }

  /** A re-read soon, once for however many changes arrive meanwhile. */
  queueRefresh(): void {
    if (this.#refreshQueued) return;
    this.#refreshQueued = true;
    setTimeout(() => {
      this.#refreshQueued = false;
      this.#notices.background(this.refresh(), 'refresh the search');
    }, REFRESH_DELAY_MS);
  }

  /** The open search with its config; throws saying what is missing. */
  require(): { record: SearchRecord; config: SearchConfig } {
    if (!this.record) throw new Error('no search is open');
    if (!this.config) throw new Error(this.configError ?? `search ${this.record.id} has no valid config`);
    return { record: this.record, config: this.config };
  }

  #readConfig(record: SearchRecord | undefined): void {
    this.config = null;
    this.configError = null;
    if (!record) return;
    try {
      this.config = parseSearchConfig(record.config, `search ${record.id}`);
    } catch (error) {
      this.configError = (error as Error).message;
    }
  }
}

/** The agent's replay memory from its stored JSON, read defensively (an older version may have written it). */
function agentSamples(value: unknown): AgentSample[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (x): x is AgentSample =>
      typeof x === 'object' && x !== null && typeof x.net === 'string' && Number.isInteger(x.iteration) && typeof x.epsilon === 'number',
  );
}

/** The agent's stored schedule, read defensively (display only); null when it is not one. */
function scheduleOf(value: unknown): EpsilonSchedule | null {
  try {
    return checkSchedule(value);
  } catch {
    return null;
  }
}

function countList(value: unknown): number[] | null {
  return Array.isArray(value) && value.every((x) => Number.isInteger(x) && x >= 0) ? (value as number[]) : null;
}
