/**
 * The page's hook for code that drives it from outside: `globalThis.__metaqnn`, set once by
 * src/ui/App.svelte. The headless runner and the benchmarks (scripts/) and the e2e tests
 * (tests/e2e/) read the page through this one declared shape; App.svelte assigns the app's
 * state to it, so a change of the state that breaks a reader fails the type check there.
 * Type-only: nothing here runs (scripts/check-boundaries.ts keeps it that way).
 */
import type { Consistency } from './search/diagnostics';
import type { SearchConfig } from './search/config';
import type { EpsilonAccuracy } from './search/export';
import type { DatasetSummary } from './search/catalog';
import type { ReplayRecord, SearchRecord, Store } from './store';
import type { ImageDataset } from './data';
import type { BackendInfo, ExportedModel, TrainProgress } from './train/types';

/** A job this tab's trainers are training now. */
export interface PageLiveJob {
  readonly slot: number;
  readonly jobId: number;
  readonly netString: string;
  readonly epsilon: number;
  readonly startedAt: number;
  readonly progress: TrainProgress | null;
}

/** What the drivers read of the page's state and the methods they call. */
export interface PageHook {
  readonly store: Store | null;
  readonly backend: BackendInfo | null;
  readonly backendError: string | null;
  readonly notices: readonly { readonly kind: 'error' | 'warning' | 'info'; readonly text: string }[];
  readonly coordination: { readonly tabId: string; readonly rejectedMessages: number };
  readonly datasets: readonly DatasetSummary[];
  readonly dataset: ImageDataset | null;
  readonly datasetError: string | null;
  /** The setup's config (what `startSearch` starts). */
  readonly config: SearchConfig;
  readonly searchId: string | null;
  readonly search: SearchRecord | null;
  readonly replay: readonly ReplayRecord[];
  readonly live: readonly PageLiveJob[];
  readonly leading: boolean;
  readonly finalStep: string | null;
  readonly tabs: readonly { readonly tabId: string }[];
  /** Replaces the setup's config; returns the validation error (naming the field), or null. */
  setConfig(candidate: unknown): string | null;
  startSearch(): Promise<void>;
  stop(): Promise<void>;
  /** Reloads the open search from IndexedDB. */
  refresh(): Promise<void>;
  exportModel(netString: string, fileStem?: string): Promise<ExportedModel>;
  replayCsv(): string;
  accuracyByEpsilon(): { iterations: number; byEpsilon: EpsilonAccuracy[] };
  agentConsistency(): Promise<Consistency>;
}

// Callbacks passed to Playwright's page.evaluate run in the page and are sent as source text:
// they cannot call an imported function, so they read `globalThis.__metaqnn!` directly.
declare global {
  // `var` is how a global property is declared; only App.svelte assigns it.
  // eslint-disable-next-line no-var
  var __metaqnn: PageHook | undefined;
}

