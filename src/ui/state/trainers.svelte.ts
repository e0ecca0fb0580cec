/**
 * This tab's trainer workers (src/trainer-bridge's TrainerPool): started at page load to learn
 * the backend, resized to the trainers a search asks for, and used for model export. The
 * backend is read back from the workers, never assumed (TF.js may fall back silently).
 */
import { TrainerPool } from '../../trainer-bridge/trainer-pool';
import type { BackendInfo, BackendPreference, ExportedModel, ExportRequest } from '../../train/types';

export class Trainers {
  backend: BackendInfo | null = $state.raw(null);
  /** Why no trainer could start (then nothing trains in this tab). */
  error: string | null = $state(null);

  readonly #preference: () => BackendPreference;
  #pool: TrainerPool | null = null;

  /** `preference` is read each time workers are created (the URL may set it before). */
  constructor(preference: () => BackendPreference) {
    this.#preference = preference;
  }

  /** Starts one worker and reads the backend it got; throws with the reason when none starts. */
  async start(): Promise<void> {
    try {
      this.#pool = new TrainerPool({ size: 1, backend: this.#preference() });
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
      this.#pool = new TrainerPool({ size, backend: this.#preference() });
    }
    return this.#pool;
  }

  /** A saved net as TF.js Layers files, built by a worker of whatever pool is there. */
  exportModel(request: ExportRequest): Promise<ExportedModel> {
    return (this.#pool ?? this.pool(1)).exportModel(request);
  }
}
