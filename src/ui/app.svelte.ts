/**
 * The page's state: one class owns the store, the trainer pool, the tab coordination and the
 * running search session; components only read its fields and call its methods (the
 * svelte.dev REPL's pattern). Nothing here is the source of truth: IndexedDB is. This class
 * mirrors it for display and reloads from it whenever another tab says something changed.
 */
import { formatNetwork, insertDropout, parseNetwork, type InputShape, type Net } from '../core';
import type { ImageDataset, LoadProgress } from '../data';
import { listDatasets, loadDataset, saveImportedDataset, type DatasetSummary } from '../search/catalog';
import { estimateSearchSize, parseSearchConfig, presetConfig, PRESET_IDS, type PresetId, type SearchConfig } from '../search/config';
import { preparePayload, type PreparedDataset } from '../search/prepare-dataset';
import {
  createSeededSearch,
  exportReplayCsv,
  exportReplayJson,
  exportSearchArchive,
  importReplayCsv,
  importSearchArchive,
  meanAccuracyByEpsilon,
  replayIterations,
  type AgentSample,
  type EpsilonAccuracy,
  type ReplayCsvImport,
} from '../search/export';
import { agentConsistency, type Consistency } from '../search/diagnostics';
import { SearchSession, type SessionEvent } from '../search/search-session';
import { formatUrlSetup, parseUrlSetup, type UrlSetup } from '../search/url-setup';
import { estimateStorage, openStore, requestPersistence, type ReplayRecord, type SearchRecord, type Store } from '../store';
import { BrowserCoordination, LocalCoordination, type Coordination, type SwarmMessage } from '../swarm/coordination';
import { TrainerPool } from '../trainer-bridge/trainer-pool';
import type { BackendInfo, BackendPreference, EpochRecord, ExportedModel, SerializedWeights, TrainProgress } from '../train/types';
import { fileStem as fileNameStem } from './download';

export interface LiveJob {
  readonly slot: number;
  readonly jobId: number;
  readonly netString: string;
  readonly epsilon: number;
  readonly startedAt: number;
  readonly progress: TrainProgress | null;
  readonly curve: readonly EpochRecord[];
}

export interface TabInfo {
  readonly tabId: string;
  readonly leading: boolean;
  readonly training: readonly string[];
  readonly netsDone: number;
  readonly since: number;
  readonly self: boolean;
}

/** A replay_database.csv read by `importReplayFile`. */
export interface ImportedReplay {
  readonly fileName: string;
  readonly inputShape: InputShape;
  readonly result: ReplayCsvImport;
}

export interface Notice {
  readonly id: number;
  readonly kind: 'error' | 'warning' | 'info';
  readonly text: string;
}

let noticeIds = 0;

export class AppState {
  // --- environment
  store: Store | null = $state.raw(null);
  backend: BackendInfo | null = $state.raw(null);
  backendError: string | null = $state(null);
  storage: { usage: number; quota: number } | null = $state.raw(null);
  persisted: string | null = $state(null);
  notices: Notice[] = $state([]);
  readonly coordination: Coordination;

  // --- datasets
  datasets: DatasetSummary[] = $state.raw([]);
  datasetId = $state('mnist');
  dataset: ImageDataset | null = $state.raw(null);
  datasetLoading: LoadProgress | null = $state.raw(null);
  datasetError: string | null = $state(null);

  // --- setup
  presetId: PresetId = $state('tiny');
  seed = $state(1);
  /** The setup's config: a preset's row, possibly edited in the advanced panel. */
  config: SearchConfig = $state.raw(presetConfig('tiny', 'mnist', 1));
  backendPreference: BackendPreference = $state('auto');
  strategy: SearchConfig['strategy'] = $state('q-learning');

  // --- searches
  searches: SearchRecord[] = $state.raw([]);
  searchId: string | null = $state(null);
  search: SearchRecord | null = $state.raw(null);
  replay: ReplayRecord[] = $state.raw([]);
  live: LiveJob[] = $state.raw([]);
  leading = $state(false);
  finalStep: string | null = $state(null);
  tabs: TabInfo[] = $state.raw([]);
  /** The shown search's own config (the setup screen may have moved on since it started). */
  readonly searchConfig: SearchConfig | null = $derived.by(() => {
    const search = this.search;
    if (!search) return null;
    try {
      return parseSearchConfig(search.config, `search ${search.id}`);
    } catch {
      return null;
    }
  });
  /** The agent's replay memory of the shown search (every iteration with its own ε: paper Figure 3). */
  agentReplay: AgentSample[] = $state.raw([]);
  /** Nets the agent counts as trained at each ε level of the shown search (null: not stored). */
  trainedPerLevel: number[] | null = $state.raw(null);

  // --- a replay file brought in from elsewhere (shown without a search)
  replayImport: ImportedReplay | null = $state.raw(null);

  #pool: TrainerPool | null = null;
  #session: SearchSession | null = null;
  #datasetsLoaded = new Map<string, ImageDataset>();
  #tabMessages = new Map<string, Extract<SwarmMessage, { type: 'tab-status' }>>();
  #refreshQueued = false;
  /** When this tab joined the search it works on (for its nets per hour). */
  #sessionSince = Date.now();

  constructor() {
    this.coordination = typeof navigator !== 'undefined' && 'locks' in navigator ? new BrowserCoordination() : new LocalCoordination();
    this.coordination.subscribe((message) => this.#onMessage(message));
  }

  get sizeEstimate() {
    return estimateSearchSize(this.config);
  }

  get selectedDataset(): DatasetSummary | undefined {
    return this.datasets.find((d) => d.id === this.datasetId);
  }

  notify(kind: Notice['kind'], text: string): void {
    this.notices = [...this.notices.slice(-4), { id: ++noticeIds, kind, text }];
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /**
   * Work started from events and timers: a failure (IndexedDB busy, a transaction Chromium
   * timed out) is said as a notice, never left as an uncaught rejection; the next event retries.
   */
  #background(task: Promise<unknown>, what: string): void {
    task.catch((error: unknown) => {
      const text = `Could not ${what}: ${error instanceof Error ? error.message : String(error)}`;
      if (this.notices.at(-1)?.text !== text) this.notify('warning', text);
    });
  }

  /** Page start: storage, backend, datasets, the URL's setup, and any search to join. */
  async init(): Promise<void> {
    let url: UrlSetup = { autostart: false };
    try {
      url = parseUrlSetup(location.search);
    } catch (error) {
      this.notify('error', (error as Error).message);
    }
    if (url.backend) this.backendPreference = url.backend;
    if (url.strategy) this.strategy = url.strategy;
    try {
      this.store = await openStore();
    } catch (error) {
      this.notify('error', `IndexedDB is not available, nothing can be saved: ${(error as Error).message}`);
    }
    void this.#initBackend();
    void this.refreshStorage();
    if (this.store) void requestPersistence().then((r) => (this.persisted = r));

    try {
      this.datasets = await listDatasets(this.store);
    } catch (error) {
      this.notify('error', `Could not list the datasets: ${(error as Error).message}`);
    }
    if (url.dataset) this.datasetId = url.dataset;
    if (url.preset) this.presetId = url.preset;
    if (url.seed !== undefined) this.seed = url.seed;
    this.#resetConfig();

    await this.refreshSearches();
    // Join a search that is under way (another tab's, or ours before a reload).
    const active = this.searches.find((s) => s.status === 'running' || s.status === 'final');
    if (active) {
      await this.openSearch(active.id);
    } else if (url.autostart) {
      await this.selectDataset(this.datasetId);
      await this.startSearch();
    } else {
      void this.selectDataset(this.datasetId);
    }
    this.#writeUrl();
  }

  async #initBackend(): Promise<void> {
    try {
      this.#pool = new TrainerPool({ size: 1, backend: this.backendPreference });
      this.backend = await this.#pool.init();
    } catch (error) {
      this.backendError = (error as Error).message;
      this.notify('error', `No trainer could start: ${(error as Error).message}`);
    }
  }

  #ensurePool(size: number): TrainerPool {
    if (!this.#pool || this.#pool.size !== size) {
      this.#pool?.terminate();
      this.#pool = new TrainerPool({ size, backend: this.backendPreference });
    }
    return this.#pool;
  }

  async refreshStorage(): Promise<void> {
    const estimate = await estimateStorage().catch(() => null);
    if (estimate) this.storage = { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 };
  }

  // ---------------------------------------------------------------------------------------
  // setup

  setPreset(id: PresetId): void {
    this.presetId = id;
    this.#resetConfig();
    this.#writeUrl();
  }

  setSeed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return;
    this.seed = seed;
    this.config = { ...this.config, seed };
    this.#writeUrl();
  }

  /** Applies an edited config from the advanced panel; returns the validation error, if any. */
  setConfig(candidate: unknown): string | null {
    try {
      this.config = parseSearchConfig(candidate, 'setup');
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  #resetConfig(): void {
    if (!PRESET_IDS.includes(this.presetId)) this.presetId = 'tiny';
    this.config = presetConfig(this.presetId, this.datasetId, this.seed, { strategy: this.strategy });
  }

  #writeUrl(): void {
    if (typeof history === 'undefined') return;
    const query = formatUrlSetup({
      dataset: this.datasetId,
      preset: this.presetId,
      seed: this.seed,
      backend: this.backendPreference,
      strategy: this.config.strategy,
    });
    if (location.search !== query) history.replaceState(null, '', `${location.pathname}${query}`);
  }

  // ---------------------------------------------------------------------------------------
  // datasets

  async selectDataset(id: string): Promise<ImageDataset | null> {
    this.datasetId = id;
    this.config = { ...this.config, datasetId: id };
    this.#writeUrl();
    this.datasetError = null;
    const cached = this.#datasetsLoaded.get(id);
    if (cached) {
      this.dataset = cached;
      return cached;
    }
    this.dataset = null;
    this.datasetLoading = { file: id, loadedBytes: 0, totalBytes: 0 };
    try {
      const dataset = await loadDataset(id, this.store, { onProgress: (p) => (this.datasetLoading = p) });
      this.#datasetsLoaded.set(id, dataset);
      if (this.datasetId === id) this.dataset = dataset;
      return dataset;
    } catch (error) {
      this.datasetError = `Could not load dataset ${id}: ${(error as Error).message}`;
      return null;
    } finally {
      this.datasetLoading = null;
      void this.refreshStorage();
    }
  }

  /** Keeps an imported dataset and lists it beside the shipped ones. */
  async addImportedDataset(dataset: ImageDataset): Promise<void> {
    if (!this.store) throw new Error('IndexedDB is not available: the dataset cannot be kept');
    await saveImportedDataset(this.store, dataset);
    this.#datasetsLoaded.set(dataset.meta.id, dataset);
    this.datasets = await listDatasets(this.store);
    await this.selectDataset(dataset.meta.id);
  }

  async deleteImportedDataset(id: string): Promise<void> {
    if (!this.store) return;
    await this.store.deleteDataset(id);
    this.#datasetsLoaded.delete(id);
    this.datasets = await listDatasets(this.store);
    if (this.datasetId === id) await this.selectDataset(this.datasets[0]?.id ?? 'mnist');
  }

  // ---------------------------------------------------------------------------------------
  // searches

  async refreshSearches(): Promise<void> {
    if (!this.store) return;
    this.searches = await this.store.listSearches();
  }

  async startSearch(): Promise<void> {
    const store = this.store;
    if (!store) return this.notify('error', 'IndexedDB is not available: a search cannot be saved');
    const dataset = this.dataset ?? (await this.selectDataset(this.datasetId));
    if (!dataset) return this.notify('error', this.datasetError ?? `Dataset ${this.datasetId} is not loaded`);
    const config = parseSearchConfig({ ...this.config, datasetId: this.datasetId, seed: this.seed }, 'setup');
    const name = `${dataset.meta.name} · ${config.presetId} · seed ${config.seed}`;
    const search = await store.createSearch({ name, config, seed: config.seed, datasetId: config.datasetId, presetId: config.presetId });
    await store.updateSearchStatus(search.id, 'running');
    this.coordination.post({ type: 'search-changed', searchId: search.id });
    await this.refreshSearches();
    await this.openSearch(search.id);
  }

  /** Shows a search; joins it with this tab's trainers while it runs. */
  async openSearch(id: string): Promise<void> {
    const store = this.store;
    if (!store) return;
    if (this.#session && this.#session.searchId !== id) await this.#leaveSession();
    this.searchId = id;
    await this.refresh();
    const search = this.search;
    if (!search) return;
    const config = parseSearchConfig(search.config, `search ${id}`);
    this.config = config;
    this.presetId = config.presetId === 'custom' ? this.presetId : config.presetId;
    this.seed = config.seed;
    if (search.status === 'running' || search.status === 'final' || search.status === 'paused') await this.#joinSession(search, config);
  }

  async #joinSession(search: SearchRecord, config: SearchConfig): Promise<void> {
    if (this.#session?.searchId === search.id) return;
    const dataset = await this.selectDataset(search.datasetId);
    if (!dataset) return;
    let prepared: PreparedDataset;
    try {
      prepared = preparePayload(dataset, config);
    } catch (error) {
      return this.notify('error', (error as Error).message);
    }
    const pool = this.#ensurePool(config.trainersPerTab);
    const session = new SearchSession({
      store: this.store!,
      searchId: search.id,
      coordination: this.coordination,
      trainer: pool,
      dataset: prepared,
      onEvent: (event) => this.#onSessionEvent(event),
    });
    this.#session = session;
    this.#sessionSince = Date.now();
    this.#announce();
    void session.start().then(
      () => this.#background(this.#sessionEnded(session), 'show the search'),
      (error: unknown) => {
        this.notify('error', `The search stopped with an error: ${(error as Error).message}`);
        this.#background(this.#sessionEnded(session), 'show the search');
      },
    );
  }

  async #sessionEnded(session: SearchSession): Promise<void> {
    if (this.#session === session) {
      this.#session = null;
      this.live = [];
      this.leading = false;
      this.finalStep = null;
    }
    await this.refresh();
    this.#announce();
  }

  async #leaveSession(): Promise<void> {
    const session = this.#session;
    this.#session = null;
    this.live = [];
    await session?.close();
  }

  async pause(): Promise<void> {
    await this.#setStatus('paused');
  }

  async resume(): Promise<void> {
    await this.#setStatus('running');
    if (this.search && !this.#session) await this.#joinSession(this.search, parseSearchConfig(this.search.config));
  }

  async stop(): Promise<void> {
    await this.#setStatus('stopped');
  }

  async #setStatus(status: SearchRecord['status']): Promise<void> {
    if (!this.store || !this.searchId) return;
    await this.store.updateSearchStatus(this.searchId, status);
    this.coordination.post({ type: 'search-changed', searchId: this.searchId });
    await this.refresh();
  }

  async deleteSearch(id: string): Promise<void> {
    if (!this.store) return;
    if (this.#session?.searchId === id) await this.#leaveSession();
    await this.store.deleteSearch(id);
    this.coordination.post({ type: 'search-changed', searchId: id });
    if (this.searchId === id) {
      this.searchId = null;
      this.search = null;
      this.replay = [];
      this.agentReplay = [];
      this.trainedPerLevel = null;
    }
    await this.refreshSearches();
    void this.refreshStorage();
  }

  /** Re-reads the shown search from IndexedDB (the source of truth). */
  async refresh(): Promise<void> {
    const store = this.store;
    const id = this.searchId;
    if (!store || !id) return;
    const [search, replay, agent] = await Promise.all([store.getSearch(id), store.listReplay(id), store.getAgentState(id)]);
    if (this.searchId !== id) return;
    this.search = search ?? null;
    this.replay = replay;
    this.agentReplay = agentSamples(agent?.state.replay);
    this.trainedPerLevel = countList(agent?.state.trainedPerLevel);
    await this.refreshSearches();
  }

  #queueRefresh(): void {
    if (this.#refreshQueued) return;
    this.#refreshQueued = true;
    setTimeout(() => {
      this.#refreshQueued = false;
      this.#background(this.refresh(), 'refresh the search');
    }, 100);
  }

  #onSessionEvent(event: SessionEvent): void {
    switch (event.type) {
      case 'leading':
        this.leading = event.leading;
        this.#announce();
        break;
      case 'job-started':
        this.live = [
          ...this.live.filter((j) => j.slot !== event.slot),
          { slot: event.slot, jobId: event.job.id, netString: event.job.netString, epsilon: event.job.epsilon, startedAt: Date.now(), progress: null, curve: [] },
        ];
        this.#announce();
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
        if (event.type === 'job-failed') this.notify('warning', `Training ${event.job.netString} failed: ${event.error}`);
        this.#announce();
        this.#queueRefresh();
        break;
      case 'final-progress':
        this.finalStep = `${event.step} (${event.done}/${event.total})`;
        this.#queueRefresh();
        break;
      case 'changed':
        this.#queueRefresh();
        break;
      case 'warning':
        this.notify('warning', event.message);
        break;
      case 'error':
        this.notify('error', event.message);
        break;
    }
  }

  // ---------------------------------------------------------------------------------------
  // tabs

  #announce(): void {
    this.coordination.post({
      type: 'tab-status',
      searchId: this.#session?.searchId ?? null,
      leading: this.leading,
      training: this.live.map((j) => j.netString),
      netsDone: this.#session?.netsDone ?? 0,
      since: this.#sessionSince,
    });
  }

  #onMessage(message: SwarmMessage): void {
    if (message.type === 'tab-status') {
      this.#tabMessages.set(message.from, message);
      this.#background(this.#refreshTabs(), 'list the tabs');
      return;
    }
    if (message.searchId === this.searchId) this.#queueRefresh();
    else if (message.type === 'search-changed') this.#background(this.#maybeJoin(message.searchId), 'join the search');
  }

  /** A search started in another tab: this tab lends its trainers without being asked. */
  async #maybeJoin(searchId: string): Promise<void> {
    await this.refreshSearches();
    if (this.#session) return;
    const search = this.searches.find((s) => s.id === searchId);
    if (search && (search.status === 'running' || search.status === 'final')) await this.openSearch(searchId);
  }

  async #refreshTabs(): Promise<void> {
    const live = await this.coordination.liveTabs();
    // Someone new may not know about us yet.
    if ([...live].some((id) => !this.#tabMessages.has(id) && id !== this.coordination.tabId)) this.#announce();
    this.tabs = [...live].sort().map((tabId) => {
      const m = this.#tabMessages.get(tabId);
      return {
        tabId,
        leading: m?.leading ?? false,
        training: m?.training ?? [],
        netsDone: m?.netsDone ?? 0,
        since: m?.since ?? Date.now(),
        self: tabId === this.coordination.tabId,
      };
    });
  }

  // ---------------------------------------------------------------------------------------
  // models out

  /**
   * A saved net as TF.js Layers files, `<stem>.json` + `<stem>.weights.bin`; the stem names
   * the search and the net unless given.
   */
  async exportModel(netString: string, fileStem?: string): Promise<ExportedModel> {
    if (!this.store || !this.searchId || !this.search) throw new Error('no search is open');
    const saved = await this.store.getWeights(this.searchId, netString);
    if (!saved || saved.buffers.length !== 1) throw new Error(`no weights are saved for ${netString}`);
    const config = parseSearchConfig(this.search.config);
    const dataset = this.dataset ?? (await this.selectDataset(this.search.datasetId));
    if (!dataset) throw new Error('the search\'s dataset is not available');
    const pool = this.#pool ?? this.#ensurePool(1);
    const net: Net = parseNetwork(netString);
    const weights: SerializedWeights = { specs: saved.specs as SerializedWeights['specs'], data: saved.buffers[0]! };
    const stem = fileStem ?? `${fileNameStem(this.search.name)}-${fileNameStem(netString)}`;
    return pool.exportModel({ net: insertDropout(net, config.training.dropoutRule), inputShape: dataset.meta.shape, weights, fileStem: stem });
  }

  /** Nets of the open search that have weights saved. */
  async savedNets(): Promise<string[]> {
    if (!this.store || !this.searchId) return [];
    return this.store.listWeightNets(this.searchId);
  }

  formatNet(net: Net): string {
    return formatNetwork(net);
  }

  // ---------------------------------------------------------------------------------------
  // results out and back in (src/search/export)

  #openSearch(): { store: Store; search: SearchRecord; config: SearchConfig } {
    if (!this.store || !this.search) throw new Error('no search is open');
    return { store: this.store, search: this.search, config: parseSearchConfig(this.search.config, `search ${this.search.id}`) };
  }

  /** The shown search's replay memory as the original code's replay_database.csv. */
  replayCsv(): string {
    const { config } = this.#openSearch();
    return exportReplayCsv(this.replay, { dropout: config.training.dropoutRule, agentReplay: this.agentReplay });
  }

  /**
   * The shown search's sampled iterations (repeats included) and their mean validation
   * accuracy per ε, highest ε first: the paper's Figure 3, as the charts draw it. The
   * benchmarks read it from here, so there is one implementation.
   */
  accuracyByEpsilon(): { iterations: number; byEpsilon: EpsilonAccuracy[] } {
    const iterations = replayIterations(this.replay, this.agentReplay);
    return { iterations: iterations.length, byEpsilon: meanAccuracyByEpsilon(iterations) };
  }

  /** The shown search's replay memory as lossless JSON. */
  replayJson(): string {
    this.#openSearch();
    return exportReplayJson(this.replay, { agentReplay: this.agentReplay });
  }

  /** The shown search as one zip (record, agent, replay, jobs, saved weights). */
  async searchArchive(): Promise<Uint8Array> {
    const { store, search } = this.#openSearch();
    return exportSearchArchive(store, search.id);
  }

  /** Brings a search archive in under a new id and shows it; throws SearchArchiveError (nothing written). */
  async importSearch(bytes: Uint8Array): Promise<string> {
    if (!this.store) throw new Error('IndexedDB is not available: a search cannot be kept');
    const { searchId } = await importSearchArchive(this.store, bytes);
    this.coordination.post({ type: 'search-changed', searchId });
    await this.refreshSearches();
    await this.openSearch(searchId);
    void this.refreshStorage();
    return searchId;
  }

  /**
   * Reads a replay_database.csv (this app's or the original code's) for display: its warnings,
   * errors (by line) and per-ε chart. Parameter counts need the input shape the nets were
   * trained on. Nothing is stored until `startSeededSearch`.
   */
  importReplayFile(fileName: string, text: string, inputShape: InputShape): ImportedReplay {
    const imported: ImportedReplay = { fileName, inputShape, result: importReplayCsv(text, { inputShape }) };
    this.replayImport = imported;
    return imported;
  }

  clearReplayImport(): void {
    this.replayImport = null;
  }

  /**
   * A new search (status 'ready') on the selected dataset and setup whose agent starts from the
   * imported replay memory; nets outside the search space or past the schedule are skipped.
   */
  async startSeededSearch(): Promise<{ searchId: string; kept: number; skipped: number; reasons: string[] }> {
    const imported = this.replayImport;
    if (!imported) throw new Error('no replay file is imported');
    if (!this.store) throw new Error('IndexedDB is not available: a search cannot be saved');
    const dataset = this.dataset ?? (await this.selectDataset(this.datasetId));
    if (!dataset) throw new Error(this.datasetError ?? `dataset ${this.datasetId} is not loaded`);
    const config = parseSearchConfig({ ...this.config, datasetId: this.datasetId, seed: this.seed }, 'setup');
    const { search, seeded } = await createSeededSearch(this.store, {
      name: `${dataset.meta.name} · seeded from ${imported.fileName} · seed ${config.seed}`,
      config,
      dataset: { inputShape: dataset.meta.shape, classes: dataset.meta.classNames.length },
      entries: imported.result.entries,
      iterations: imported.result.iterations,
    });
    this.coordination.post({ type: 'search-changed', searchId: search.id });
    await this.refreshSearches();
    await this.openSearch(search.id);
    const reasons = [...new Set(seeded.skipped.map((skip) => skip.reason.replace(/:.*$/, '')))];
    return { searchId: search.id, kept: seeded.entries.length, skipped: seeded.skipped.length, reasons };
  }

  /** Whether the stored agent agrees with the stored results (src/search/diagnostics). */
  async agentConsistency(): Promise<Consistency> {
    if (!this.store || !this.searchId) throw new Error('no search is open');
    return agentConsistency(this.store, this.searchId);
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

function countList(value: unknown): number[] | null {
  return Array.isArray(value) && value.every((x) => Number.isInteger(x) && x >= 0) ? (value as number[]) : null;
}
