/**
 * Wake-ups for a session's loops. A loop reads `seq` before it looks for work and passes it to
 * `wait`, which returns at once if something happened since: no wake-up is lost between
 * looking and waiting.
 */
export class Wakeup {
  seq = 0;
  #waiters: (() => void)[] = [];

  wait(ms: number, signal: AbortSignal, seen: number): Promise<void> {
    if (seen !== this.seq || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.#waiters.push(done);
    });
  }

  wake(): void {
    this.seq++;
    for (const w of this.#waiters.splice(0)) w();
  }
}
