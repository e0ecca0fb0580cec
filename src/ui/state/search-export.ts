/**
 * The open search taken out of the page: its replay memory as the original code's CSV or as
 * lossless JSON, the whole search as a zip, its saved nets as TF.js models, and the check
 * that its stored agent agrees with its stored results. Reads only; nothing here is reactive.
 */
import { insertDropout, parseNetwork } from '../../core';
import { agentConsistency, type Consistency } from '../../search/diagnostics';
import { exportReplayCsv, exportReplayJson, exportSearchArchive } from '../../search/export';
import { serializedWeights } from '../../search/session/net-jobs';
import type { ExportedModel } from '../../train/types';
import { fileStem as fileNameStem } from '../download';
import type { BrowserStorage } from './browser-storage.svelte';
import type { Datasets } from './datasets.svelte';
import type { OpenSearch } from './open-search.svelte';
import type { Trainers } from './trainers.svelte';

export class SearchExport {
  readonly #storage: BrowserStorage;
  readonly #open: OpenSearch;
  readonly #datasets: Datasets;
  readonly #trainers: Trainers;

  constructor(storage: BrowserStorage, open: OpenSearch, datasets: Datasets, trainers: Trainers) {
    this.#storage = storage;
    this.#open = open;
    this.#datasets = datasets;
    this.#trainers = trainers;
  }

  /** The replay memory as the original code's replay_database.csv. */
  replayCsv(): string {
    const { config } = this.#open.require();
    return exportReplayCsv(this.#open.replay, { dropout: config.training.dropoutRule, agentReplay: this.#open.agentReplay });
  }

  /** The replay memory as lossless JSON. */
  replayJson(): string {
    this.#open.require();
    return exportReplayJson(this.#open.replay, { agentReplay: this.#open.agentReplay });
  }

  /** The whole search as one zip (record, agent, replay, jobs, saved weights). */
  async searchArchive(): Promise<Uint8Array> {
    const { record } = this.#open.require();
    return exportSearchArchive(this.#storage.require('nothing is saved'), record.id);
  }

  /** Nets of the open search that have weights saved. */
  async savedNets(): Promise<string[]> {
    const store = this.#storage.store;
    const id = this.#open.id;
    if (!store || !id) return [];
    return store.listWeightNets(id);
  }

  /**
   * A saved net as TF.js Layers files, `<stem>.json` + `<stem>.weights.bin`; the stem names
   * the search and the net unless given.
   */
  async exportModel(netString: string, fileStem?: string): Promise<ExportedModel> {
    const store = this.#storage.store;
    if (!store || !this.#open.id || !this.#open.record) throw new Error('no search is open');
    const weights = serializedWeights(await store.getWeights(this.#open.id, netString));
    if (!weights) throw new Error(`no weights are saved for ${netString}`);
    const { record, config } = this.#open.require();
    // The search's own input shape (the dataset shown now may be another one).
    const inputShape =
      this.#datasets.list.find((d) => d.id === record.datasetId)?.shape ?? (await this.#datasets.select(record.datasetId))?.meta.shape;
    if (!inputShape) throw new Error("the search's dataset is not available");
    const stem = fileStem ?? `${fileNameStem(record.name)}-${fileNameStem(netString)}`;
    const net = insertDropout(parseNetwork(netString), config.training.dropoutRule);
    return this.#trainers.exportModel({ net, inputShape, weights, fileStem: stem });
  }

  /** Whether the stored agent agrees with the stored results (src/search/diagnostics). */
  async agentConsistency(): Promise<Consistency> {
    const store = this.#storage.store;
    if (!store || !this.#open.id) throw new Error('no search is open');
    return agentConsistency(store, this.#open.id);
  }
}
