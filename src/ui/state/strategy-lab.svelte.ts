/**
 * The strategy lab's "replay the paper's search" (issue 16): the real agent runs the paper's
 * whole schedule (2,700 nets) on the accuracy oracle fitted on the authors' SVHN replay file,
 * with no training, paced so a class can watch it fill the charts in about a minute. It is a
 * simulation and says so; nothing is stored. A person may fit the oracle on another replay file
 * of a 32×32×3 search; a file that cannot serve is refused with the reason, and the oracle
 * already loaded (and any run on it) stays.
 */
import { SimulatedSearch, strategyKinds, type LabIteration, type StrategyKind, type SurrogateOracle } from '../../core';
import { checkLimit, REPLAY_CSV_MAX_BYTES } from '../../search/export';
import { LAB_FILE_PATH, LAB_SCHEDULE, labOracle, labSpace, type LabSamples } from '../../search/strategy-lab';

export type LabStatus = 'idle' | 'loading' | 'running' | 'paused' | 'done';
export type LabPace = 'minute' | 'fast';
export { strategyKinds };

/** What the oracle was fitted on, as the page says it. */
export interface OracleSource {
  readonly name: string;
  /** True for the authors' file that ships with the app. */
  readonly authors: boolean;
  readonly rows: number;
  readonly nets: number;
  readonly placeholderLevels: LabSamples['placeholderLevels'];
  /** The sampled nets' 90th percentile: the bar "nets above p90" counts against. */
  readonly p90: number;
  /** Leave-one-out mean absolute error of the oracle's prediction, and of predicting the mean. */
  readonly error: number;
  readonly baselineError: number;
}

export interface LabView {
  readonly iterations: readonly LabIteration[];
  readonly trained: number;
  readonly target: number;
  readonly epsilon: number | null;
  readonly best: LabIteration | null;
  readonly aboveBar: number;
}

const EMPTY: LabView = { iterations: [], trained: 0, target: 0, epsilon: null, best: null, aboveBar: 0 };
/** "About a minute": the schedule's nets spread over this many milliseconds. */
const MINUTE_MS = 60_000;
/** Main-thread time per slice, so the page stays responsive while the agent runs. */
const SLICE_MS = 12;
/** How often the charts are redrawn while running. */
const VIEW_EVERY_MS = 250;

export class StrategyLab {
  strategy: StrategyKind = $state('q-learning');
  seed = $state(1);
  pace: LabPace = $state('minute');
  status: LabStatus = $state('idle');
  error: string | null = $state(null);
  source: OracleSource | null = $state.raw(null);
  view: LabView = $state.raw(EMPTY);
  /** The run shown: its strategy and seed as started (the controls may have changed since). */
  shown: { strategy: StrategyKind; seed: number } | null = $state.raw(null);

  #oracle: SurrogateOracle | null = null;
  #search: SimulatedSearch | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Run time so far, pauses left out: pacing counts from it. */
  #elapsedMs = 0;
  #resumedAt = 0;
  #viewAt = 0;
  #bestIndex = -1;
  #aboveBar = 0;
  #seen = 0;

  /** Runs the schedule from the start with the chosen strategy and seed (loading the authors' file first if needed). */
  async start(): Promise<void> {
    this.#stop();
    this.error = null;
    if (this.#oracle === null) {
      this.status = 'loading';
      try {
        await this.#loadAuthorsFile();
      } catch (error) {
        this.status = 'idle';
        this.error = `The authors' replay file could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
        return;
      }
    }
    const oracle = this.#oracle!;
    if (!Number.isSafeInteger(this.seed)) {
      this.status = 'idle';
      this.error = `The seed must be a whole number, got ${this.seed}`;
      return;
    }
    this.#search = new SimulatedSearch({ space: labSpace(), schedule: LAB_SCHEDULE, seed: this.seed, strategy: this.strategy, oracle: (net) => oracle.accuracy(net) });
    this.shown = { strategy: this.strategy, seed: this.seed };
    this.#elapsedMs = 0;
    this.#bestIndex = -1;
    this.#aboveBar = 0;
    this.#seen = 0;
    this.view = { ...EMPTY, target: this.#search.target };
    this.#run();
  }

  pause(): void {
    if (this.status !== 'running') return;
    this.#stop();
    this.#elapsedMs += performance.now() - this.#resumedAt;
    this.status = 'paused';
  }

  resume(): void {
    if (this.status !== 'paused' || this.#search === null) return;
    this.#run();
  }

  /** Fits the oracle on a replay file the person chose; keeps the current oracle if it is refused. */
  async useFile(file: File): Promise<void> {
    this.error = null;
    try {
      checkLimit(file.name, 'the file', file.size, REPLAY_CSV_MAX_BYTES, 'bytes');
      this.#fit(await file.text(), file.name, false);
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Back to the authors' file. */
  async useAuthorsFile(): Promise<void> {
    this.error = null;
    try {
      await this.#loadAuthorsFile();
    } catch (error) {
      this.error = `The authors' replay file could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  async #loadAuthorsFile(): Promise<void> {
    const response = await fetch(`${import.meta.env.BASE_URL}${LAB_FILE_PATH}`);
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${LAB_FILE_PATH}`);
    const size = Number(response.headers.get('content-length'));
    if (size > 0) checkLimit(LAB_FILE_PATH, 'the file', size, REPLAY_CSV_MAX_BYTES, 'bytes');
    this.#fit(await response.text(), "the authors' SVHN replay file", true);
  }

  /** Throws (SurrogateError, ImportLimitError) before anything changes when the file cannot serve. */
  #fit(text: string, name: string, authors: boolean): void {
    const { oracle, samples } = labOracle(text, name);
    const loo = oracle.leaveOneOut();
    this.#stop();
    this.#oracle = oracle;
    this.#search = null;
    this.source = {
      name,
      authors,
      rows: samples.rows,
      nets: oracle.size,
      placeholderLevels: samples.placeholderLevels,
      p90: oracle.percentile(90),
      error: loo.meanAbsoluteError,
      baselineError: loo.meanBaselineError,
    };
    this.view = EMPTY;
    this.shown = null;
    if (this.status !== 'loading') this.status = 'idle';
  }

  #run(): void {
    this.status = 'running';
    this.#resumedAt = performance.now();
    this.#viewAt = 0;
    this.#tick();
  }

  #stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #tick = (): void => {
    this.#timer = null;
    const search = this.#search;
    if (search === null || this.status !== 'running') return;
    const now = performance.now();
    const elapsed = this.#elapsedMs + (now - this.#resumedAt);
    const due = this.pace === 'fast' ? Infinity : Math.ceil((search.target * elapsed) / MINUTE_MS);
    const sliceEnd = now + SLICE_MS;
    while (!search.done && search.trained < due && performance.now() < sliceEnd) search.step(1);
    if (search.done || performance.now() - this.#viewAt >= VIEW_EVERY_MS) this.#publish(search);
    if (search.done) {
      this.status = 'done';
      return;
    }
    this.#timer = setTimeout(this.#tick, this.pace === 'fast' ? 0 : 16);
  };

  #publish(search: SimulatedSearch): void {
    const iterations = search.iterations;
    const bar = this.source?.p90 ?? Infinity;
    for (let i = this.#seen; i < iterations.length; i++) {
      const it = iterations[i]!;
      if (!it.trained) continue;
      if (this.#bestIndex < 0 || it.accuracy > iterations[this.#bestIndex]!.accuracy) this.#bestIndex = i;
      if (it.accuracy > bar) this.#aboveBar++;
    }
    this.#seen = iterations.length;
    const last = iterations[iterations.length - 1];
    this.view = {
      iterations: iterations.slice(),
      trained: search.trained,
      target: search.target,
      epsilon: search.done ? null : (last?.epsilon ?? 1),
      best: this.#bestIndex < 0 ? null : iterations[this.#bestIndex]!,
      aboveBar: this.#aboveBar,
    };
    this.#viewAt = performance.now();
  }
}
