/**
 * The page's state, composed of small runes classes in state/ (the svelte.dev REPL's
 * pattern): each owns one thing and exposes `$state`/`$derived` fields that components read.
 * Nothing here is the source of truth: IndexedDB is; the parts mirror it for display and
 * re-read it whenever another tab says something changed. This file only wires the parts
 * together and starts the page.
 */
import { machineCapacity } from '../hub/grants';
import { HubCoordination } from '../hub/coordination';
import { parseUrlSetup, type UrlSetup } from '../search/url-setup';
import { BrowserCoordination, LocalCoordination, type Coordination } from '../swarm/coordination';
import { BrowserStorage } from './state/browser-storage.svelte';
import { Datasets } from './state/datasets.svelte';
import { Notices } from './state/notices.svelte';
import { OpenSearch } from './state/open-search.svelte';
import { ReplayImport } from './state/replay-import.svelte';
import { SearchExport } from './state/search-export';
import { isUnderWay, Searches } from './state/searches.svelte';
import { Setup } from './state/setup.svelte';
import { SharedSearches } from './state/shared-searches.svelte';
import { StrategyLab } from './state/strategy-lab.svelte';
import { TabSession } from './state/tab-session.svelte';
import { Tabs } from './state/tabs.svelte';
import { Trainers } from './state/trainers.svelte';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class AppState {
  readonly coordination: Coordination;
  readonly notices = new Notices();
  readonly storage = new BrowserStorage();
  readonly setup = new Setup();
  readonly datasets = new Datasets(this.storage, this.setup);
  readonly trainers = new Trainers(() => this.setup.backendPreference);
  readonly openSearch: OpenSearch;
  readonly session: TabSession;
  readonly tabs: Tabs;
  readonly searches: Searches;
  readonly replayImport: ReplayImport;
  readonly exporter: SearchExport;
  /** Searches shared across machines through a hub (issue 17). */
  readonly shared: SharedSearches;
  /** The strategy lab: a simulated replay of the paper's search, independent of everything else. */
  readonly lab = new StrategyLab();

  constructor() {
    const tabs: Coordination =
      typeof navigator !== 'undefined' && 'locks' in navigator ? new BrowserCoordination() : new LocalCoordination();
    // A shared search is led by the machine the hub names; other machines' trainers count as tabs.
    const coordination = new HubCoordination(tabs, () => this.shared.bridges());
    this.coordination = coordination;
    this.shared = new SharedSearches({
      store: () => this.storage.store,
      coordination,
      // The trainers of this browser's tabs on that search: another shared search gets no job held for them.
      capacity: (searchId) => {
        const self = { searchId: this.session.searchId, heldBack: this.session.work.heldBack };
        const others = this.tabs.list.filter((t) => !t.self);
        return machineCapacity(searchId, [self, ...others], (this.openSearch.id === searchId ? this.openSearch.config?.trainersPerTab : null) ?? 1);
      },
      onChange: (searchId) => coordination.post({ type: 'search-changed', searchId }),
    });
    const { notices, storage, setup, datasets, trainers } = this;
    const open = new OpenSearch(storage, notices, () => this.searches.refreshList());
    const session = new TabSession({ storage, coordination, trainers, datasets, open, notices, onWorkChanged: () => this.tabs.announce() });
    this.openSearch = open;
    this.session = session;
    this.tabs = new Tabs(coordination, notices, () => session.work);
    this.searches = new Searches({ storage, coordination, setup, datasets, open, session, notices, beforeDelete: (id) => this.shared.leave(id) });
    this.replayImport = new ReplayImport(storage, setup, datasets, this.searches);
    this.exporter = new SearchExport(storage, open, datasets, trainers);
  }

  /** Page start: the URL's setup, storage, backend, datasets, and any search to join. */
  async init(): Promise<void> {
    const { notices, storage, setup, datasets, searches } = this;
    let url: UrlSetup = { autostart: false };
    try {
      url = parseUrlSetup(location.search);
    } catch (error) {
      notices.notify('error', message(error));
    }
    setup.fromUrl(url);
    try {
      await storage.open();
    } catch (error) {
      notices.notify('error', `IndexedDB is not available, nothing can be saved: ${message(error)}`);
    }
    this.trainers.start().catch((error: unknown) => notices.notify('error', `No trainer could start: ${message(error)}`));
    void storage.refreshUsage();
    try {
      await datasets.refreshList();
    } catch (error) {
      notices.notify('error', `Could not list the datasets: ${message(error)}`);
    }

    await this.shared.init();
    const join = new URLSearchParams(location.search).get('join');
    let joined: string | null = null;
    if (join !== null) {
      try {
        joined = await this.shared.join(join);
        await datasets.refreshList(); // an imported dataset may have come with it
      } catch (error) {
        notices.notify('error', `Could not join the shared search: ${message(error)}`);
      }
    }
    await searches.refreshList();
    // Join a search that is under way (another tab's, another machine's, or ours before a reload).
    const active = joined !== null ? searches.list.find((s) => s.id === joined) : searches.list.find(isUnderWay);
    if (active) {
      await searches.open(active.id);
    } else if (url.autostart) {
      await datasets.select(datasets.selectedId);
      await searches.start();
    } else {
      void datasets.select(datasets.selectedId);
    }
    setup.writeUrl();
  }
}
