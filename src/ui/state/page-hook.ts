/**
 * `globalThis.__metaqnn` (the PageHook declared in src/page-hook.ts) over the page's parts:
 * the runner, the benchmarks and the e2e tests read the same fields and call the same methods
 * as before the state was split, each answered by the part that owns it. Getters, so every
 * read is the current value.
 */
import type { PageHook } from '../../page-hook';
import type { AppState } from '../app.svelte';

export function pageHookOf(app: AppState): PageHook {
  const { coordination, notices, storage, setup, datasets, trainers, openSearch, session, tabs, searches, exporter } = app;
  return {
    get store() {
      return storage.store;
    },
    get backend() {
      return trainers.backend;
    },
    get backendError() {
      return trainers.error;
    },
    get notices() {
      return notices.list;
    },
    coordination,
    get datasets() {
      return datasets.list;
    },
    get dataset() {
      return datasets.dataset;
    },
    get datasetError() {
      return datasets.error;
    },
    get config() {
      return setup.config;
    },
    get searchId() {
      return openSearch.id;
    },
    get search() {
      return openSearch.record;
    },
    get replay() {
      return openSearch.replay;
    },
    get live() {
      return session.live;
    },
    get leading() {
      return session.leading;
    },
    get finalStep() {
      return session.finalStep;
    },
    get tabs() {
      return tabs.list;
    },
    setConfig: (candidate) => setup.setConfig(candidate),
    startSearch: () => searches.start(),
    stop: () => searches.stop(),
    refresh: () => openSearch.refresh(),
    exportModel: (netString, fileStem) => exporter.exportModel(netString, fileStem),
    replayCsv: () => exporter.replayCsv(),
    accuracyByEpsilon: () => openSearch.accuracyByEpsilon,
    agentConsistency: () => exporter.agentConsistency(),
  };
}
