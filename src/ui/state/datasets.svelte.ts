/**
 * The datasets this page can train on (shipped and imported) and the chosen one, loaded. Which
 * dataset is chosen is the setup's (`Setup.config.datasetId`); this class loads it and keeps
 * what it loaded, so switching back is instant.
 */
import type { ImageDataset, LoadProgress } from '../../data';
import { DEFAULT_DATASET_ID, listDatasets, loadDataset, saveImportedDataset, type DatasetSummary } from '../../search/catalog';
import type { BrowserStorage } from './browser-storage.svelte';
import type { Setup } from './setup.svelte';

export class Datasets {
  list: DatasetSummary[] = $state.raw([]);
  /** The chosen dataset once loaded; null while it loads or when it could not be. */
  dataset: ImageDataset | null = $state.raw(null);
  loading: LoadProgress | null = $state.raw(null);
  error: string | null = $state(null);

  readonly #storage: BrowserStorage;
  readonly #setup: Setup;
  #loaded = new Map<string, ImageDataset>();

  constructor(storage: BrowserStorage, setup: Setup) {
    this.#storage = storage;
    this.#setup = setup;
  }

  get selectedId(): string {
    return this.#setup.config.datasetId;
  }

  async refreshList(): Promise<void> {
    this.list = await listDatasets(this.#storage.store);
  }

  /** Chooses a dataset for the setup and loads it; resolves with it, or null (see `error`). */
  async select(id: string): Promise<ImageDataset | null> {
    this.#setup.setDataset(id);
    this.error = null;
    const cached = this.#loaded.get(id);
    if (cached) {
      this.dataset = cached;
      return cached;
    }
    this.dataset = null;
    this.loading = { file: id, loadedBytes: 0, totalBytes: 0 };
    try {
      const dataset = await loadDataset(id, this.#storage.store, { onProgress: (p) => (this.loading = p) });
      this.#loaded.set(id, dataset);
      if (this.selectedId === id) this.dataset = dataset;
      return dataset;
    } catch (error) {
      this.error = `Could not load dataset ${id}: ${(error as Error).message}`;
      return null;
    } finally {
      this.loading = null;
      void this.#storage.refreshUsage();
    }
  }

  /** The setup's dataset, loaded; throws naming it when it cannot be. */
  async require(): Promise<ImageDataset> {
    const id = this.selectedId;
    const dataset = this.dataset?.meta.id === id ? this.dataset : await this.select(id);
    if (!dataset) throw new Error(this.error ?? `Dataset ${id} is not loaded`);
    return dataset;
  }

  /** Keeps an imported dataset and lists it beside the shipped ones. */
  async addImported(dataset: ImageDataset): Promise<void> {
    const store = this.#storage.require('the dataset cannot be kept');
    await saveImportedDataset(store, dataset);
    this.#loaded.set(dataset.meta.id, dataset);
    await this.refreshList();
    await this.select(dataset.meta.id);
  }

  async deleteImported(id: string): Promise<void> {
    const store = this.#storage.store;
    if (!store) return;
    await store.deleteDataset(id);
    this.#loaded.delete(id);
    await this.refreshList();
    if (this.selectedId === id) await this.select(this.list[0]?.id ?? DEFAULT_DATASET_ID);
  }
}
