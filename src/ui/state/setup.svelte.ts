/**
 * The setup the next search starts with. The config is the one source of truth: its
 * dataset, seed and strategy are the setup's, never copies kept beside it. The address bar
 * always describes the setup (src/search/url-setup), so it can be shared or reloaded.
 */
import { DEFAULT_PRESET_ID, estimateSearchSize, parseSearchConfig, presetConfig, PRESET_IDS, type PresetId, type SearchConfig } from '../../search/config';
import { DEFAULT_DATASET_ID } from '../../search/catalog';
import { formatUrlSetup, MAX_BUDGET_MINUTES, type UrlSetup } from '../../search/url-setup';
import type { BackendPreference } from '../../train/types';
import { budgetFor, budgetParam, ownMinutesOf } from '../setup-budget';

export class Setup {
  /** The preset last chosen: the config starts from it and "Back to the preset" returns to it. */
  presetId: PresetId = $state(DEFAULT_PRESET_ID);
  /** A preset's row, possibly edited in the advanced panel (then its presetId is 'custom'). */
  config: SearchConfig = $state.raw(presetConfig(DEFAULT_PRESET_ID, DEFAULT_DATASET_ID, 1));
  /**
   * The budget the person chose (typed into the field, or the URL's `budget=`), kept across
   * preset changes; null: each preset brings its own (setup-budget.ts).
   */
  ownBudgetMinutes: number | null = $state(null);
  /** The trainers' backend, from the URL only (the runner's `--backend`). */
  backendPreference: BackendPreference = $state('auto');

  readonly sizeEstimate = $derived(estimateSearchSize(this.config));

  /** Takes what a URL asks for; the backend applies to trainers started after this. */
  fromUrl(url: UrlSetup): void {
    if (url.backend) this.backendPreference = url.backend;
    if (url.preset) this.presetId = url.preset;
    // `budget=none` is no budget on this preset, not a choice that follows the person to others.
    if (url.budget !== undefined) this.ownBudgetMinutes = url.budget;
    this.config = presetConfig(this.presetId, url.dataset ?? this.config.datasetId, url.seed ?? this.config.seed, {
      strategy: url.strategy ?? this.config.strategy,
      budget: url.budget === null ? null : budgetFor(this.presetId, this.ownBudgetMinutes),
    });
  }

  /** Starts over from a preset, keeping the dataset, seed and strategy. */
  setPreset(id: PresetId): void {
    this.presetId = PRESET_IDS.includes(id) ? id : DEFAULT_PRESET_ID;
    this.config = presetConfig(this.presetId, this.config.datasetId, this.config.seed, {
      strategy: this.config.strategy,
      budget: budgetFor(this.presetId, this.ownBudgetMinutes),
    });
    this.writeUrl();
  }

  /**
   * The person's time budget in minutes (kept across presets), or null to size this search by
   * its schedule (the next preset chosen brings its own again); false for a value that is not one.
   */
  setBudget(minutes: number | null): boolean {
    if (minutes !== null && !(minutes > 0 && minutes <= MAX_BUDGET_MINUTES)) return false;
    this.ownBudgetMinutes = minutes;
    this.config = { ...this.config, budget: minutes === null ? null : { minutes } };
    this.writeUrl();
    return true;
  }

  setSeed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return;
    this.config = { ...this.config, seed };
    this.writeUrl();
  }

  setDataset(id: string): void {
    if (this.config.datasetId === id) return;
    this.config = { ...this.config, datasetId: id };
    this.writeUrl();
  }

  /** Applies an edited config (the advanced panel, the runner); returns the validation error, if any. */
  setConfig(candidate: unknown): string | null {
    try {
      this.config = parseSearchConfig(candidate, 'setup');
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /**
   * Shows an opened search's setup (so a new search can start from it), on the dataset the
   * setup already has: the search's own dataset is chosen only when this tab joins it.
   */
  adopt(config: SearchConfig): void {
    this.config = { ...config, datasetId: this.config.datasetId };
    if (config.presetId !== 'custom') this.presetId = config.presetId;
    // Its budget is the person's only where its preset would not have brought it.
    this.ownBudgetMinutes = ownMinutesOf(this.presetId, config.budget);
    // The address bar always shows the setup (the old state wrote it on every dataset choice).
    this.writeUrl();
  }

  writeUrl(): void {
    if (typeof history === 'undefined') return;
    const query = formatUrlSetup({
      dataset: this.config.datasetId,
      preset: this.presetId,
      seed: this.config.seed,
      backend: this.backendPreference,
      strategy: this.config.strategy,
      budget: budgetParam(this.presetId, this.config.budget, this.ownBudgetMinutes),
    });
    if (location.search !== query) history.replaceState(null, '', `${location.pathname}${query}`);
  }
}
