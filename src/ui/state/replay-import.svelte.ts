/**
 * A replay_database.csv brought in from elsewhere (this app's or the original MetaQNN code's):
 * shown with its warnings, errors and per-ε chart without any search, and the start of a new
 * search whose agent has "already trained" its nets. Nothing is stored until `startSeededSearch`.
 */
import type { InputShape } from '../../core';
import { createSeededSearch, importReplayCsv, meanAccuracyByEpsilon, type EpsilonAccuracy, type ReplayCsvImport } from '../../search/export';
import type { BrowserStorage } from './browser-storage.svelte';
import type { Datasets } from './datasets.svelte';
import type { Searches } from './searches.svelte';
import type { Setup } from './setup.svelte';

export interface ImportedReplay {
  readonly fileName: string;
  readonly inputShape: InputShape;
  readonly result: ReplayCsvImport;
}

export class ReplayImport {
  current: ImportedReplay | null = $state.raw(null);
  /** The file's mean accuracy per ε, highest ε first (as a search's charts show it). */
  readonly byEpsilon: EpsilonAccuracy[] = $derived(this.current ? meanAccuracyByEpsilon(this.current.result.iterations) : []);

  readonly #storage: BrowserStorage;
  readonly #setup: Setup;
  readonly #datasets: Datasets;
  readonly #searches: Searches;

  constructor(storage: BrowserStorage, setup: Setup, datasets: Datasets, searches: Searches) {
    this.#storage = storage;
    this.#setup = setup;
    this.#datasets = datasets;
    this.#searches = searches;
  }

  /**
   * Reads a file's text for display. Parameter counts need the input shape the nets were
   * trained on.
   */
  read(fileName: string, text: string, inputShape: InputShape): ImportedReplay {
    this.current = { fileName, inputShape, result: importReplayCsv(text, { inputShape }) };
    return this.current;
  }

  clear(): void {
    this.current = null;
  }

  /**
   * A new search (status 'ready') on the setup's dataset and config whose agent starts from the
   * imported replay memory; nets outside the search space or past the schedule are skipped.
   */
  async startSeededSearch(): Promise<{ searchId: string; kept: number; skipped: number; reasons: string[] }> {
    const imported = this.current;
    if (!imported) throw new Error('no replay file is imported');
    const store = this.#storage.require('a search cannot be saved');
    const dataset = await this.#datasets.require();
    const config = this.#setup.config;
    const { search, seeded } = await createSeededSearch(store, {
      name: `${dataset.meta.name} · seeded from ${imported.fileName} · seed ${config.seed}`,
      config,
      dataset: { inputShape: dataset.meta.shape, classes: dataset.meta.classNames.length },
      entries: imported.result.entries,
      iterations: imported.result.iterations,
    });
    await this.#searches.showCreated(search.id);
    const reasons = [...new Set(seeded.skipped.map((skip) => skip.reason.replace(/:.*$/, '')))];
    return { searchId: search.id, kept: seeded.entries.length, skipped: seeded.skipped.length, reasons };
  }
}
