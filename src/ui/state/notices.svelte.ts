/** The messages the page shows the person (errors, warnings), newest last, each dismissable. */

export interface Notice {
  readonly id: number;
  readonly kind: 'error' | 'warning' | 'info';
  readonly text: string;
}

/** How many messages stay shown: older ones go as new ones come. */
const KEPT = 5;

export class Notices {
  list: Notice[] = $state([]);
  #ids = 0;

  notify(kind: Notice['kind'], text: string): void {
    this.list = [...this.list.slice(-(KEPT - 1)), { id: ++this.#ids, kind, text }];
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }

  /**
   * Work started from events and timers: a failure (IndexedDB busy, a transaction Chromium
   * timed out) is said as a notice, never left as an uncaught rejection; the next event retries.
   */
  background(task: Promise<unknown>, what: string): void {
    task.catch((error: unknown) => {
      const text = `Could not ${what}: ${error instanceof Error ? error.message : String(error)}`;
      if (this.list.at(-1)?.text !== text) this.notify('warning', text);
    });
  }
}
