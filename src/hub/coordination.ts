/**
 * Tab coordination for a browser taking part in shared searches (issue 17): the tabs' own
 * coordination (Web Locks, BroadcastChannel) with two changes for a shared search. A tab bids
 * for the search's leader lock only while this machine leads it in the shared document; and
 * other machines' leases count as live "tabs" (`hub:<machine>`), so the leader does not hand
 * their jobs to its own trainers while they train them.
 */
import type { Coordination, SwarmMessage, SwarmMessageBody } from '../swarm/coordination';
import type { HubBridge } from './bridge';

/** How often a waiting tab looks again whether this machine leads. */
const LEAD_POLL_MS = 500;

export class HubCoordination implements Coordination {
  readonly #inner: Coordination;
  readonly #bridges: () => Iterable<HubBridge>;

  /** `bridges`: this browser's shared searches now. */
  constructor(inner: Coordination, bridges: () => Iterable<HubBridge>) {
    this.#inner = inner;
    this.#bridges = bridges;
  }

  #bridgeOf(searchId: string): HubBridge | undefined {
    for (const bridge of this.#bridges()) if (bridge.searchId === searchId) return bridge;
    return undefined;
  }

  get tabId(): string {
    return this.#inner.tabId;
  }

  get rejectedMessages(): number {
    return this.#inner.rejectedMessages;
  }

  async lead<T>(searchId: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      const bridge = this.#bridgeOf(searchId);
      if (bridge === undefined || bridge.isLeader) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, LEAD_POLL_MS);
        signal.addEventListener('abort', done, { once: true });
      });
      if (signal.aborted) return undefined;
    }
    return this.#inner.lead(searchId, signal, fn);
  }

  /** False once another machine leads the shared search: this tab's leader steps down. */
  stillLeads(searchId: string): boolean {
    const bridge = this.#bridgeOf(searchId);
    return bridge === undefined || bridge.isLeader;
  }

  isLed(searchId: string): Promise<boolean> {
    return this.#inner.isLed(searchId);
  }

  async liveTabs(): Promise<Set<string>> {
    const tabs = await this.#inner.liveTabs();
    // Any search's remote holders: a stand-in name is only ever on that search's jobs.
    for (const bridge of this.#bridges()) for (const holder of bridge.remoteHolders()) tabs.add(holder);
    return tabs;
  }

  post(message: SwarmMessageBody): void {
    this.#inner.post(message);
  }

  subscribe(listener: (message: SwarmMessage) => void): () => void {
    return this.#inner.subscribe(listener);
  }

  close(): void {
    this.#inner.close();
  }
}
