/**
 * The searches kept in this browser and which of them the page shows: starting, opening,
 * pausing, resuming, stopping, deleting and importing one, and following a search another
 * tab started (this tab lends its trainers without being asked).
 */
import { importSearchArchive } from '../../search/export';
import type { SearchRecord } from '../../store';
import type { Coordination, SwarmMessage } from '../../swarm/coordination';
import type { BrowserStorage } from './browser-storage.svelte';
import type { Datasets } from './datasets.svelte';
import type { Notices } from './notices.svelte';
import type { OpenSearch } from './open-search.svelte';
import type { Setup } from './setup.svelte';
import type { TabSession } from './tab-session.svelte';

export interface SearchesParts {
  readonly storage: BrowserStorage;
  readonly coordination: Coordination;
  readonly setup: Setup;
  readonly datasets: Datasets;
  readonly open: OpenSearch;
  readonly session: TabSession;
  readonly notices: Notices;
  /** Before a search is deleted here: a shared one is left first (its records must not be published empty). */
  readonly beforeDelete?: (searchId: string) => void;
}

/** A search some tab is working on: one to join. */
export const isUnderWay = (search: SearchRecord): boolean => search.status === 'running' || search.status === 'final';

export class Searches {
  list: SearchRecord[] = $state.raw([]);

  readonly #p: SearchesParts;

  constructor(parts: SearchesParts) {
    this.#p = parts;
    parts.coordination.subscribe((message) => this.#onMessage(message));
  }

  async refreshList(): Promise<void> {
    const store = this.#p.storage.store;
    if (store) this.list = await store.listSearches();
  }

  /** Starts a search with the setup on its dataset; a failure is said as a notice. */
  async start(): Promise<void> {
    const { storage, setup, datasets, notices } = this.#p;
    const store = storage.store;
    if (!store) return notices.notify('error', 'IndexedDB is not available: a search cannot be saved');
    let dataset;
    try {
      dataset = await datasets.require();
    } catch (error) {
      // The dataset screen already shows why the dataset did not load: say only what it stopped.
      return notices.notify('error', datasets.error ? 'The search did not start: its dataset could not be loaded.' : (error as Error).message);
    }
    const config = setup.config;
    const name = `${dataset.meta.name} · ${config.presetId} · seed ${config.seed}`;
    const search = await store.createSearch({ name, config, seed: config.seed, datasetId: config.datasetId, presetId: config.presetId });
    await store.updateSearchStatus(search.id, 'running');
    await this.showCreated(search.id);
  }

  /** A search just written to the store: the other tabs hear of it, and the page shows it. */
  async showCreated(id: string): Promise<void> {
    this.#p.coordination.post({ type: 'search-changed', searchId: id });
    await this.refreshList();
    await this.open(id);
  }

  /** Shows a search and its setup; joins it with this tab's trainers while it runs. */
  async open(id: string): Promise<void> {
    const { storage, setup, open, session, notices } = this.#p;
    if (!storage.store) return;
    if (session.searchId !== null && session.searchId !== id) await session.leave();
    await open.show(id);
    const search = open.record;
    if (!search) return;
    if (!open.config) return notices.notify('error', open.configError ?? `search ${id} has no valid config`);
    setup.adopt(open.config);
    if (isUnderWay(search) || search.status === 'paused') await session.join(search, open.config);
  }

  async pause(): Promise<void> {
    await this.#setStatus('paused');
  }

  async resume(): Promise<void> {
    await this.#setStatus('running');
    const { open, session } = this.#p;
    if (open.record && open.config && session.searchId === null) await session.join(open.record, open.config);
  }

  async stop(): Promise<void> {
    await this.#setStatus('stopped');
  }

  /** More minutes for a budgeted search that ended: it runs on from where its agent was. */
  async addTime(minutes: number): Promise<void> {
    const { storage, coordination, open, session } = this.#p;
    const store = storage.store;
    const id = open.id;
    if (!store || !id) return;
    await store.extendSearchBudget(id, minutes * 60_000);
    coordination.post({ type: 'search-changed', searchId: id });
    await open.refresh();
    if (open.record && open.config && session.searchId === null) await session.join(open.record, open.config);
  }

  async delete(id: string): Promise<void> {
    const { storage, coordination, open, session } = this.#p;
    const store = storage.store;
    if (!store) return;
    if (session.searchId === id) await session.leave();
    this.#p.beforeDelete?.(id);
    await store.deleteSearch(id);
    coordination.post({ type: 'search-changed', searchId: id });
    if (open.id === id) open.clear();
    await this.refreshList();
    void storage.refreshUsage();
  }

  /** Brings a search archive in under a new id and shows it; throws SearchArchiveError (nothing written). */
  async importArchive(bytes: Uint8Array): Promise<string> {
    const store = this.#p.storage.require('a search cannot be kept');
    const { searchId } = await importSearchArchive(store, bytes);
    await this.showCreated(searchId);
    void this.#p.storage.refreshUsage();
    return searchId;
  }

  async #setStatus(status: SearchRecord['status']): Promise<void> {
    const { storage, coordination, open } = this.#p;
    if (!storage.store || !open.id) return;
    await storage.store.updateSearchStatus(open.id, status);
    coordination.post({ type: 'search-changed', searchId: open.id });
    await open.refresh();
  }

  #onMessage(message: SwarmMessage): void {
    if (message.type === 'tab-status') return;
    if (message.searchId === this.#p.open.id) this.#p.open.queueRefresh();
    else if (message.type === 'search-changed') this.#p.notices.background(this.#maybeJoin(message.searchId), 'join the search');
  }

  /** A search started in another tab: this tab lends its trainers without being asked. */
  async #maybeJoin(searchId: string): Promise<void> {
    await this.refreshList();
    if (this.#p.session.searchId !== null) return;
    const search = this.list.find((s) => s.id === searchId);
    if (search && isUnderWay(search)) await this.open(searchId);
  }
}
