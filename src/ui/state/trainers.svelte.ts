/**
 * This tab's trainer workers (src/trainer-bridge's TrainerPool): started at page load to learn
 * the backend, resized to the trainers a search asks for, and used for model export. The
 * backend is read back from the workers, never assumed (TF.js may fall back silently).
 */
import { chooseBackend, choiceKey, CALIBRATED_BACKENDS, pageAdapter, type BackendChoice } from '../../trainer-bridge/backend-choice';
import { TrainerPool } from '../../trainer-bridge/trainer-pool';
import type { BackendInfo, BackendPreference, ExportedModel, ExportRequest } from '../../train/types';

export class Trainers {
  backend: BackendInfo | null = $state.raw(null);
  /** Why no trainer could start (then nothing trains in this tab). */
  error: string | null = $state(null);
  /** With `auto`: what the measurement (or its cache) found and picked. */
  choice: BackendChoice | null = $state.raw(null);
  /** With `auto`, while the backends are being measured. */
  measuring = $state(false);

  readonly #preference: () => BackendPreference;
  #pool: TrainerPool | null = null;

  /** `preference` is read each time workers are created (the URL may set it before). */
  constructor(preference: () => BackendPreference) {
    this.#preference = preference;
  }

  /** Starts one worker and reads the backend it got; throws with the reason when none starts. */
  async start(): Promise<void> {
    try {
      if (this.#preference() === 'auto') await this.#choose();
      this.#pool = new TrainerPool({ size: 1, backend: this.#backendFor() });
      this.backend = await this.#pool.init();
    } catch (error) {
      this.error = (error as Error).message;
      throw error;
    }
  }

  /** The pool with `size` workers (a new pool when the size changes). */
  pool(size: number): TrainerPool {
    if (!this.#pool || this.#pool.size !== size) {
      this.#pool?.terminate();
      this.#pool = new TrainerPool({ size, backend: this.#backendFor() });
    }
    return this.#pool;
  }

  /** The preference, with `auto` replaced by the measured choice once there is one (an explicit backend is never overridden). */
  #backendFor(): BackendPreference {
    const preference = this.#preference();
    return preference === 'auto' && this.choice ? this.choice.backend : preference;
  }

  /**
   * Measures each backend in a worker of its own (then discarded), or reads the measurement
   * cached for this adapter and browser. A failed measurement leaves `auto`'s fixed order.
   */
  async #choose(): Promise<void> {
    this.measuring = true;
    try {
      const storage = typeof localStorage === 'undefined' ? null : localStorage;
      const key = choiceKey(await pageAdapter(), typeof navigator === 'undefined' ? '' : navigator.userAgent);
      this.choice = await chooseBackend({
        key,
        storage,
        measure: async () => {
          const probe = new TrainerPool({ size: 1, backend: 'cpu' });
          try {
            return await probe.calibrate(CALIBRATED_BACKENDS);
          } finally {
            probe.terminate();
          }
        },
      });
    } catch (error) {
      console.warn(`auto backend: measuring failed, using the fixed order: ${(error as Error).message}`);
    } finally {
      this.measuring = false;
    }
  }

  /** A saved net as TF.js Layers files, built by a worker of whatever pool is there. */
  exportModel(request: ExportRequest): Promise<ExportedModel> {
    return (this.#pool ?? this.pool(1)).exportModel(request);
  }
}
