/**
 * A URL describes a setup: `?dataset=<id>&preset=<id>&seed=<n>` fills the setup and
 * `autostart=1` starts it. The e2e tests and the headless runner drive the page this way,
 * and the address bar always shows the current setup so it can be shared.
 */
import { PRESET_IDS, type PresetId } from './config';

export interface UrlSetup {
  readonly dataset?: string;
  readonly preset?: PresetId;
  readonly seed?: number;
  readonly autostart: boolean;
  /** Backend the trainers must use (the runner's `--backend`); absent = auto. */
  readonly backend?: 'webgpu' | 'webgl' | 'cpu' | 'auto';
  /** 'random' runs the random-search baseline (ε = 1 throughout), 'evolution' regularized evolution; absent = Q-learning. */
  readonly strategy?: 'q-learning' | 'random' | 'evolution';
  /**
   * A time budget in minutes (the search plans to end within it); null for `budget=none`, a
   * preset that brings a budget (`budget`) run without one. Absent: the preset's own.
   */
  readonly budget?: number | null;
}

/** A week: past that a budget is a mistake, not a plan. */
export const MAX_BUDGET_MINUTES = 7 * 24 * 60;

export class UrlSetupError extends Error {
  override name = 'UrlSetupError';
}

/** Reads a query string; a bad value is an error naming the parameter, never a silent default. */
export function parseUrlSetup(search: string): UrlSetup {
  const params = new URLSearchParams(search);
  const setup: { -readonly [K in keyof UrlSetup]: UrlSetup[K] } = { autostart: false };
  const dataset = params.get('dataset');
  if (dataset !== null) {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(dataset)) {
      throw new UrlSetupError(`URL parameter dataset=${JSON.stringify(dataset)}: expected a dataset id (letters, digits, . _ -)`);
    }
    setup.dataset = dataset;
  }
  const preset = params.get('preset');
  if (preset !== null) {
    if (!(PRESET_IDS as readonly string[]).includes(preset)) {
      throw new UrlSetupError(`URL parameter preset=${JSON.stringify(preset)}: expected one of ${PRESET_IDS.join(', ')}`);
    }
    setup.preset = preset as PresetId;
  }
  const seed = params.get('seed');
  if (seed !== null) {
    const n = Number(seed);
    if (!/^\d+$/.test(seed) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) {
      throw new UrlSetupError(`URL parameter seed=${JSON.stringify(seed)}: expected an integer from 0 to 4294967295`);
    }
    setup.seed = n;
  }
  const autostart = params.get('autostart');
  if (autostart !== null) {
    if (autostart !== '0' && autostart !== '1') {
      throw new UrlSetupError(`URL parameter autostart=${JSON.stringify(autostart)}: expected 0 or 1`);
    }
    setup.autostart = autostart === '1';
  }
  const backend = params.get('backend');
  if (backend !== null) {
    if (!['webgpu', 'webgl', 'cpu', 'auto'].includes(backend)) {
      throw new UrlSetupError(`URL parameter backend=${JSON.stringify(backend)}: expected webgpu, webgl, cpu or auto`);
    }
    setup.backend = backend as UrlSetup['backend'];
  }
  const strategy = params.get('strategy');
  if (strategy !== null) {
    if (strategy !== 'q-learning' && strategy !== 'random' && strategy !== 'evolution') {
      throw new UrlSetupError(`URL parameter strategy=${JSON.stringify(strategy)}: expected q-learning, random or evolution`);
    }
    setup.strategy = strategy;
  }
  const budget = params.get('budget');
  if (budget === 'none') setup.budget = null;
  else if (budget !== null) {
    const minutes = Number(budget);
    if (!/^\d+(\.\d+)?$/.test(budget) || !(minutes > 0) || minutes > MAX_BUDGET_MINUTES) {
      throw new UrlSetupError(`URL parameter budget=${JSON.stringify(budget)}: expected a number of minutes above 0 and at most ${MAX_BUDGET_MINUTES}, or none`);
    }
    setup.budget = minutes;
  }
  return setup;
}

/**
 * The query string for a setup (autostart never written back: a shared link should not start
 * work). `budget`: minutes, 'none' (no budget although the preset has one), or null/absent to
 * leave it to the preset.
 */
export function formatUrlSetup(setup: { dataset: string; preset: PresetId; seed: number; backend?: string; strategy?: string; budget?: number | 'none' | null }): string {
  const params = new URLSearchParams({ dataset: setup.dataset, preset: setup.preset, seed: String(setup.seed) });
  if (setup.budget != null) params.set('budget', String(setup.budget));
  if (setup.backend && setup.backend !== 'auto') params.set('backend', setup.backend);
  if (setup.strategy && setup.strategy !== 'q-learning') params.set('strategy', setup.strategy);
  return `?${params.toString()}`;
}
