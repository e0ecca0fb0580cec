/**
 * One place in the pool for a trainer worker (trainer-pool.ts): the worker of the current
 * generation, its comlink remote and the datasets it holds, and how the pool learns that a
 * worker went away by itself (a Web Lock the worker holds for its life).
 */
import type { Endpoint, Remote } from 'comlink';
import type { TrainerProtocol } from '../train/protocol';

/** A Worker as far as the pool needs one (tests pass an in-process stand-in). */
export type WorkerLike = Endpoint & { terminate(): void };

/**
 * Starts watching the worker that holds the lock `name`; calls `onGone` once the worker no
 * longer holds it. Returns a function that stops watching (before the pool terminates it).
 */
export type WorkerWatch = (name: string, onGone: () => void) => () => void;

/** A worker's Web Lock is released by the browser the moment the worker ends, for whatever reason. */
export const webLockWatch: WorkerWatch = (name, onGone) => {
  const controller = new AbortController();
  navigator.locks.request(name, { signal: controller.signal }, () => onGone()).catch(() => undefined);
  return () => controller.abort();
};

/** A lock name no other worker of any tab holds. */
export function workerLockName(): string {
  const id = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `metaqnn:trainer:${id}`;
}

export interface Slot {
  worker: WorkerLike | null;
  remote: Remote<TrainerProtocol> | null;
  /** Resolves once `init` answered; shared by calls that arrive while it starts. */
  ready: Promise<void> | null;
  datasets: Set<string>;
  busy: boolean;
  /** Bumped on terminate, so late answers from an old worker are ignored. */
  generation: number;
  /** Rejects when this generation's worker is terminated (it will never answer). */
  gone: Promise<never>;
  markGone: (reason?: Error) => void;
  /** Stops watching this generation's worker (see WorkerWatch). */
  unwatch: (() => void) | null;
}

/** A slot with no worker yet (one starts lazily on the first call there). */
export function emptySlot(): Slot {
  return { worker: null, remote: null, ready: null, datasets: new Set<string>(), busy: false, generation: 0, unwatch: null, ...goneSignal() };
}

/**
 * Terminates the slot's worker, rejects everything waiting on it with `reason` and leaves
 * the slot empty for the next generation.
 */
export function retireSlot(slot: Slot, reason?: Error): void {
  slot.unwatch?.();
  slot.unwatch = null;
  slot.worker?.terminate();
  slot.markGone(reason);
  Object.assign(slot, goneSignal());
  slot.worker = null;
  slot.remote = null;
  slot.ready = null;
  slot.datasets = new Set();
  slot.busy = false;
  slot.generation++;
}

function goneSignal(): Pick<Slot, 'gone' | 'markGone'> {
  let markGone = (_reason?: Error): void => undefined;
  const gone = new Promise<never>((_, reject) => {
    markGone = (reason) => reject(reason ?? new Error('Trainer worker terminated'));
  });
  gone.catch(() => undefined); // only racers care; keep it from counting as unhandled
  return { gone, markGone };
}
