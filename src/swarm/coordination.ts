/**
 * How the tabs of one origin work on one search (architecture.md, "How a search flows").
 * IndexedDB is the single source of truth; this module only says who is alive (Web Locks),
 * who leads a search (Web Locks), and that something changed (BroadcastChannel). A tab that
 * misses a message catches up by reading IndexedDB, so messages carry no state worth trusting.
 */
import * as v from 'valibot';

export const CHANNEL_NAME = 'metaqnn';

const MessageSchema = v.variant('type', [
  v.object({ type: v.literal('job-queued'), searchId: v.string(), from: v.string() }),
  v.object({ type: v.literal('job-done'), searchId: v.string(), from: v.string() }),
  v.object({ type: v.literal('search-changed'), searchId: v.string(), from: v.string() }),
  v.object({
    type: v.literal('tab-status'),
    from: v.string(),
    searchId: v.nullable(v.string()),
    leading: v.boolean(),
    training: v.array(v.string()),
    netsDone: v.pipe(v.number(), v.integer(), v.minValue(0)),
    since: v.number(),
    /** Why its trainers wait (the leader's admission), when they do. */
    heldBack: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(300)))),
  }),
]);
export type SwarmMessage = v.InferOutput<typeof MessageSchema>;
export type SwarmMessageBody = SwarmMessage extends infer M ? (M extends SwarmMessage ? Omit<M, 'from'> : never) : never;

/** Validates a message from another tab: anything else is dropped and counted, never trusted. */
export function parseSwarmMessage(data: unknown): SwarmMessage | undefined {
  const result = v.safeParse(MessageSchema, data);
  return result.success ? result.output : undefined;
}

export interface Coordination {
  readonly tabId: string;
  /** Messages from other tabs that failed validation and were ignored. */
  readonly rejectedMessages: number;
  /**
   * Runs `fn` while this tab holds the leader lock of `searchId`: waits as long as another tab
   * holds it. Resolves undefined if `signal` aborts first. The lock is released when `fn`
   * settles or the tab goes away (the browser releases locks of closed tabs).
   */
  lead<T>(searchId: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T | undefined>;
  /** Whether some tab (this one included) leads `searchId` now. */
  isLed(searchId: string): Promise<boolean>;
  /**
   * While this tab holds the leader lock: false when it must stop leading anyway (a search
   * shared across machines whose lead another machine took). Absent: always true.
   */
  stillLeads?(searchId: string): boolean;
  /** Ids of the tabs alive now, this one included. */
  liveTabs(): Promise<Set<string>>;
  /** Tells every tab, this one included, that something changed. */
  post(message: SwarmMessageBody): void;
  subscribe(listener: (message: SwarmMessage) => void): () => void;
  close(): void;
}

export function newTabId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `tab-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const TAB_LOCK_PREFIX = 'metaqnn:tab:';
const leaderLock = (searchId: string) => `metaqnn:search:${searchId}:leader`;

/** Web Locks + BroadcastChannel: the real thing, in a browser tab. */
export class BrowserCoordination implements Coordination {
  readonly tabId: string;
  #rejected = 0;
  readonly #channel: BroadcastChannel;
  readonly #listeners = new Set<(message: SwarmMessage) => void>();
  readonly #releaseTabLock: () => void;

  constructor(tabId: string = newTabId()) {
    this.tabId = tabId;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.#releaseTabLock = release;
    // Held for the tab's whole life: the leader reads it to know this tab is alive.
    void navigator.locks.request(TAB_LOCK_PREFIX + tabId, () => held);
    this.#channel = new BroadcastChannel(CHANNEL_NAME);
    this.#channel.onmessage = (event: MessageEvent) => {
      const message = parseSwarmMessage(event.data);
      if (!message) {
        this.#rejected++;
        return;
      }
      this.#emit(message);
    };
  }

  get rejectedMessages(): number {
    return this.#rejected;
  }

  async lead<T>(searchId: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await navigator.locks.request(leaderLock(searchId), { signal }, fn);
    } catch (error) {
      if (signal.aborted) return undefined;
      throw error;
    }
  }

  async isLed(searchId: string): Promise<boolean> {
    const state = await navigator.locks.query();
    return (state.held ?? []).some((lock) => lock.name === leaderLock(searchId));
  }

  async liveTabs(): Promise<Set<string>> {
    const state = await navigator.locks.query();
    const tabs = new Set<string>([this.tabId]);
    for (const lock of state.held ?? []) {
      if (lock.name?.startsWith(TAB_LOCK_PREFIX)) tabs.add(lock.name.slice(TAB_LOCK_PREFIX.length));
    }
    return tabs;
  }

  post(body: SwarmMessageBody): void {
    const message = { ...body, from: this.tabId } as SwarmMessage;
    this.#channel.postMessage(message);
    // BroadcastChannel does not deliver to its sender.
    queueMicrotask(() => this.#emit(message));
  }

  subscribe(listener: (message: SwarmMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(message: SwarmMessage): void {
    for (const listener of this.#listeners) listener(message);
  }

  close(): void {
    this.#channel.close();
    this.#listeners.clear();
    this.#releaseTabLock();
  }
}

/**
 * One process, no other tabs: for Node (tests, simulations) and browsers without Web Locks.
 * Leadership is a plain mutex per search; the only live tab is this one.
 */
export class LocalCoordination implements Coordination {
  readonly tabId: string;
  readonly rejectedMessages = 0;
  readonly #listeners = new Set<(message: SwarmMessage) => void>();
  readonly #leaders = new Map<string, Promise<unknown>>();

  constructor(tabId = 'local') {
    this.tabId = tabId;
  }

  async lead<T>(searchId: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      const current = this.#leaders.get(searchId);
      if (!current) break;
      await Promise.race([current.catch(() => {}), abortPromise(signal)]);
      if (signal.aborted) return undefined;
    }
    if (signal.aborted) return undefined;
    const run = fn();
    this.#leaders.set(searchId, run);
    try {
      return await run;
    } finally {
      this.#leaders.delete(searchId);
    }
  }

  async isLed(searchId: string): Promise<boolean> {
    return this.#leaders.has(searchId);
  }

  async liveTabs(): Promise<Set<string>> {
    return new Set([this.tabId]);
  }

  post(body: SwarmMessageBody): void {
    const message = { ...body, from: this.tabId } as SwarmMessage;
    queueMicrotask(() => {
      for (const listener of this.#listeners) listener(message);
    });
  }

  subscribe(listener: (message: SwarmMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#listeners.clear();
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
