/**
 * This browser's link to one shared search on the hub (issue 17): the Yjs document kept in
 * IndexedDB by y-indexeddb (so a result finished offline is delivered when the hub is back),
 * synced by y-websocket, the machines present from its awareness, and the bridge run whenever
 * the document or this browser's store changes, and every SYNC_EVERY_MS.
 *
 * A websocket message over MAX_MESSAGE_BYTES is dropped before Yjs reads it, and counted.
 *
 * Every tab of a browser connects (each reads the document: who leads, which jobs other
 * machines hold), but only one per shared search runs the bridge's passes: the tab holding
 * the Web Lock `metaqnn-hub-bridge-<token>`. Two passes of one machine from two tabs would
 * each hold and release the other's grants. When that tab closes, another takes the lock.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Store } from '../store';
import type { Coordination } from '../swarm/coordination';
import { HubBridge } from './bridge';

import { MAX_MESSAGE_BYTES, TOKEN } from './protocol';

export { TOKEN };
const SYNC_EVERY_MS = 2000;

/** A fresh unguessable token: 16 random bytes, base64url. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Counts messages dropped for their size, over every connection of the page. */
export const dropped = { messages: 0 };

function sizeOf(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (typeof data === 'string') return data.length;
  if (data instanceof Blob) return data.size;
  return 0;
}

/**
 * A WebSocket whose oversized messages never reach the handler y-websocket sets. Made on first
 * use: Node (the unit tests) may have no WebSocket class to extend.
 */
let limited: typeof WebSocket | null = null;
function limitedWebSocket(): typeof WebSocket {
  limited ??= class LimitedWebSocket extends WebSocket {
    override set onmessage(handler: ((this: WebSocket, event: MessageEvent) => unknown) | null) {
      super.onmessage =
        handler === null
          ? null
          : function (this: WebSocket, event: MessageEvent) {
              if (sizeOf(event.data) > MAX_MESSAGE_BYTES) {
                dropped.messages++;
                return;
              }
              return handler.call(this, event);
            };
    }
    override get onmessage(): ((this: WebSocket, event: MessageEvent) => unknown) | null {
      return super.onmessage;
    }
  };
  return limited;
}

export interface MachineInfo {
  readonly id: string;
  readonly name: string;
}

export interface ConnectionOptions {
  /** ws(s)://host:port/hub */
  readonly url: string;
  readonly token: string;
  readonly machine: MachineInfo;
  readonly store: Store;
  readonly coordination: Coordination;
  /** Jobs this machine can train at once. */
  readonly capacity: () => number;
  /** Called after a pass that changed this browser's store. */
  readonly onChange?: (searchId: string) => void;
}

export class HubConnection {
  readonly token: string;
  readonly doc = new Y.Doc();
  readonly bridge: HubBridge;
  readonly #provider: WebsocketProvider;
  readonly #local: IndexeddbPersistence;
  readonly #o: ConnectionOptions;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #unsubscribe: () => void;
  #pending = false;
  #running: Promise<void> | null = null;
  /** Whether this tab runs the passes (it holds the bridge lock, or there are no Web Locks). */
  #active = false;
  #announced = false;
  #onActive: (() => void) | null = null;
  readonly #lockAbort = new AbortController();
  #releaseLock: (() => void) | null = null;
  /** Passes that threw (the next one tries again), and the last error, for the page to show. */
  failedPasses = 0;
  lastError: string | null = null;

  constructor(options: ConnectionOptions) {
    if (!TOKEN.test(options.token)) throw new Error('not a shared search link: the token must be 22 to 64 letters, digits, - or _');
    this.#o = options;
    this.token = options.token;
    this.#local = new IndexeddbPersistence(`metaqnn-hub-${options.token}`, this.doc);
    this.#provider = new WebsocketProvider(options.url, options.token, this.doc, { WebSocketPolyfill: limitedWebSocket(), disableBc: true });
    this.bridge = new HubBridge({
      store: options.store,
      doc: this.doc,
      machine: options.machine.id,
      present: () => this.present(),
      capacity: options.capacity,
      // A socket that heard nothing for 20 s (a laptop waking up) is not trusted: awareness renews every 15 s.
      connected: () => this.#provider.wsconnected && this.#provider.synced && Date.now() - this.#provider.wsLastMessageReceived < 20_000,
    });
    this.doc.on('update', () => this.schedule());
    this.#provider.awareness.on('change', () => this.schedule());
    this.#unsubscribe = options.coordination.subscribe((message) => {
      if (message.type !== 'tab-status') this.schedule();
    });
    this.#timer = setInterval(() => this.schedule(), SYNC_EVERY_MS);
  }

  /** Bids for the passes of this machine (once it takes part): the Web Lock, or at once without Web Locks. */
  #bid(): void {
    const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
    if (locks === undefined) {
      this.#active = true;
      this.#onActive?.();
      return;
    }
    locks
      .request(`metaqnn-hub-bridge-${this.token}`, { signal: this.#lockAbort.signal }, () => {
        if (this.#lockAbort.signal.aborted) return undefined; // closed as it was granted: give it back
        this.#active = true;
        this.#onActive?.();
        this.schedule();
        return new Promise<void>((resolve) => (this.#releaseLock = resolve));
      })
      .catch(() => undefined); // aborted by close()
  }

  /** Resolves true once this tab runs the passes, false if another tab still does after `ms`. */
  whenActive(ms: number): Promise<boolean> {
    if (this.#active) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.#active), ms);
      this.#onActive = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /** Whether this tab runs the bridge's passes for its machine. */
  get active(): boolean {
    return this.#active;
  }

  /**
   * Takes part: this machine is among the machines present (and may be chosen to lead). Only
   * once it has shared or joined the search, never while its user is still deciding.
   */
  announce(): void {
    this.#provider.awareness.setLocalStateField('machine', this.#o.machine);
    if (!this.#announced) this.#bid();
    this.#announced = true;
  }

  /** Resolves once the copy kept in this browser is loaded. */
  whenLoaded(): Promise<unknown> {
    return this.#local.whenSynced;
  }

  /** Resolves once the hub's copy has been received (or at once when it already was). */
  whenSynced(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#provider.synced) resolve();
      else this.#provider.once('sync', (synced: boolean) => synced && resolve());
    });
  }

  get connected(): boolean {
    return this.#provider.wsconnected;
  }

  /** The machines present now, this one included, from the hub's awareness. */
  present(): Set<string> {
    const out = new Set<string>([this.#o.machine.id]);
    for (const m of this.machines()) out.add(m.id);
    return out;
  }

  /** The machines present, with their names (only well-formed entries). */
  machines(): MachineInfo[] {
    const out = new Map<string, MachineInfo>([[this.#o.machine.id, this.#o.machine]]);
    for (const state of this.#provider.awareness.getStates().values()) {
      const m = (state as { machine?: unknown }).machine as Partial<MachineInfo> | undefined;
      if (m && typeof m.id === 'string' && /^m-[0-9a-f]{8,32}$/.test(m.id) && typeof m.name === 'string') out.set(m.id, { id: m.id, name: m.name.slice(0, 80) });
    }
    return [...out.values()];
  }

  /** Runs a bridge pass soon; passes never overlap. */
  schedule(): void {
    if (!this.#active) return;
    if (this.#running) {
      this.#pending = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#pending = false;
        try {
          if ((await this.bridge.sync()) && this.bridge.searchId) this.#o.onChange?.(this.bridge.searchId);
        } catch (error) {
          // The next pass tries again (and reads everything); the store and the document are untouched by a failed one.
          this.failedPasses++;
          this.lastError = (error instanceof Error ? error.message : String(error)).slice(0, 300);
        }
      } while (this.#pending);
      this.#running = null;
    })();
  }

  /** Disconnects; `forget` also deletes this browser's copy of the document (a join declined or failed). */
  close(options: { forget?: boolean } = {}): void {
    this.#active = false;
    this.#lockAbort.abort();
    this.#releaseLock?.();
    clearInterval(this.#timer);
    this.#unsubscribe();
    this.#provider.destroy();
    void (options.forget ? this.#local.clearData() : this.#local.destroy());
  }
}
