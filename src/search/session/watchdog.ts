/**
 * Cancels a call that reports no progress for `stallMs`: a lost GPU device can leave a TF.js
 * readback waiting forever with the worker alive (a worker that ends is noticed at once by
 * TrainerPool). The caller calls `touch` on each progress report.
 */
export interface StallWatchdog {
  touch(): void;
  readonly stalled: boolean;
  stop(): void;
}

export function stallWatchdog(controller: AbortController, stallMs: number): StallWatchdog {
  let last = Date.now();
  let stalled = false;
  const timer = setInterval(() => {
    if (Date.now() - last < stallMs) return;
    stalled = true;
    controller.abort(new Error(stallMessage(stallMs)));
  }, Math.min(10_000, stallMs / 4));
  return {
    touch: () => void (last = Date.now()),
    get stalled() {
      return stalled;
    },
    stop: () => clearInterval(timer),
  };
}

export function stallMessage(stallMs: number): string {
  return `stalled: no progress for ${Math.round(stallMs / 1000)} s; the trainer was restarted`;
}
