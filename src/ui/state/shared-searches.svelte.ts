/**
 * Searches shared across machines through the hub (issue 17): whether this page is served by a
 * hub, sharing the open search (a join link with an unguessable token), joining one from a
 * link (`?join=<token>`), reconnecting the shared searches after a reload, and the machines
 * taking part. The work is in src/hub; this part only holds the connections and says what
 * they do.
 */
import { HubConnection, newToken, TOKEN, type MachineInfo } from '../../hub/connection';
import type { Store } from '../../store';
import type { Coordination } from '../../swarm/coordination';

const MACHINE_KEY = 'metaqnn.machine.v1';
const SHARED_KEY = 'metaqnn.shared.v1';
/** How long a joining machine waits for the shared search to arrive from the hub. */
const JOIN_WAIT_MS = 30_000;

/** This browser's machine id and name, kept in localStorage (a new one when missing or malformed). */
export function machineInfo(storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage): MachineInfo {
  try {
    const stored = JSON.parse(storage.getItem(MACHINE_KEY) ?? 'null') as Partial<MachineInfo> | null;
    if (stored && typeof stored.id === 'string' && /^m-[0-9a-f]{16}$/.test(stored.id) && typeof stored.name === 'string') return { id: stored.id, name: stored.name.slice(0, 80) };
  } catch {
    // malformed: a new one below
  }
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
  const info = { id: `m-${hex}`, name: `machine ${hex.slice(0, 4)}` };
  storage.setItem(MACHINE_KEY, JSON.stringify(info));
  return info;
}

/** searchId → token of the searches this browser shares, validated on read. */
function savedTokens(): Map<string, string> {
  try {
    const value = JSON.parse(localStorage.getItem(SHARED_KEY) ?? '{}') as Record<string, unknown>;
    return new Map(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string' && TOKEN.test(e[1]) && e[0].length <= 200).slice(0, 100));
  } catch {
    return new Map();
  }
}

function saveToken(searchId: string, token: string): void {
  const all = savedTokens();
  all.set(searchId, token);
  localStorage.setItem(SHARED_KEY, JSON.stringify(Object.fromEntries(all)));
}

export interface SharedParts {
  readonly store: () => Store | null;
  readonly coordination: Coordination;
  /** Jobs this machine's tab trains at once for a search. */
  readonly capacity: () => number;
  /** The store changed for a search (mirrored or committed): tell the tabs. */
  readonly onChange: (searchId: string) => void;
}

export class SharedSearches {
  /** Whether this page is served by a hub (`npm run hub`). */
  available = $state(false);
  /** searchId → join link, for the searches this browser takes part in. */
  links: ReadonlyMap<string, string> = $state.raw(new Map());
  /** searchId → machines present. */
  machines: ReadonlyMap<string, readonly MachineInfo[]> = $state.raw(new Map());

  readonly machine: MachineInfo;
  readonly #p: SharedParts;
  readonly #connections = new Map<string, HubConnection>();
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(parts: SharedParts) {
    this.#p = parts;
    this.machine = typeof localStorage === 'undefined' ? { id: 'm-0000000000000000', name: 'this machine' } : machineInfo();
  }

  /** Every connection's bridge (HubCoordination reads them). */
  *bridges() {
    for (const connection of this.#connections.values()) yield connection.bridge;
  }

  /** Whether a hub serves this page; reconnects the searches shared before a reload. */
  async init(): Promise<void> {
    try {
      const response = await fetch(`${import.meta.env.BASE_URL}hub/stats`, { cache: 'no-store' });
      this.available = response.ok && (response.headers.get('content-type') ?? '').includes('application/json');
    } catch {
      this.available = false;
    }
    if (!this.available) return;
    for (const [searchId, token] of savedTokens()) {
      if (this.#p.store() && (await this.#p.store()!.getSearch(searchId))) this.#connect(token, searchId);
    }
  }

  /** Shares a search this browser holds: returns the link another machine opens to join. */
  async share(searchId: string): Promise<string> {
    const store = this.#p.store();
    if (!store) throw new Error('no storage: nothing to share');
    const search = await store.getSearch(searchId);
    if (!search) throw new Error(`search ${searchId} is not stored here`);
    const existing = this.links.get(searchId);
    if (existing) return existing;
    const token = newToken();
    const connection = this.#connect(token, searchId);
    await connection.whenLoaded();
    connection.bridge.share(search);
    saveToken(searchId, token);
    connection.schedule();
    return this.links.get(searchId)!;
  }

  /** Joins a shared search from its link's token: its records are mirrored here; returns its id. */
  async join(token: string): Promise<string> {
    if (!TOKEN.test(token)) throw new Error('this join link is malformed: its token must be 22 to 64 letters, digits, - or _');
    if (!this.available) throw new Error('this page is not served by a hub: open the join link on the address the hub printed');
    const connection = this.#connect(token, null);
    await connection.whenLoaded();
    const end = Date.now() + JOIN_WAIT_MS;
    let searchId: string | null = null;
    while ((searchId = await connection.bridge.join()) === null) {
      if (Date.now() > end) throw new Error('no shared search arrived from the hub for this link: is the machine that shared it still connected?');
      await new Promise((r) => setTimeout(r, 250));
    }
    this.#connections.delete(token);
    this.#connections.set(searchId, connection);
    saveToken(searchId, token);
    this.#refresh();
    await connection.bridge.sync();
    return searchId;
  }

  #connect(token: string, searchId: string | null): HubConnection {
    const key = searchId ?? token;
    const existing = this.#connections.get(key);
    if (existing) return existing;
    const store = this.#p.store();
    if (!store) throw new Error('no storage: a shared search needs IndexedDB');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const connection = new HubConnection({
      url: `${scheme}://${location.host}${import.meta.env.BASE_URL}hub`,
      token,
      machine: this.machine,
      store,
      coordination: this.#p.coordination,
      capacity: this.#p.capacity,
      onChange: (id) => this.#p.onChange(id),
    });
    this.#connections.set(key, connection);
    this.#timer ??= setInterval(() => this.#refresh(), 1000);
    this.#refresh();
    return connection;
  }

  #refresh(): void {
    const links = new Map<string, string>();
    const machines = new Map<string, readonly MachineInfo[]>();
    for (const [key, connection] of this.#connections) {
      const id = connection.bridge.searchId ?? key;
      links.set(id, `${location.origin}${import.meta.env.BASE_URL}?join=${connection.token}`);
      machines.set(id, connection.machines());
    }
    this.links = links;
    this.machines = machines;
  }
}
