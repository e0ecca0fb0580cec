/**
 * Searches shared across machines through the hub (issue 17): whether this page is served by a
 * hub, sharing the open search (a join link with an unguessable token), joining one from a
 * link (`?join=<token>`), reconnecting the shared searches after a reload, and the machines
 * taking part. The work is in src/hub; this part only holds the connections and says what
 * they do. A search on an imported dataset takes the dataset along through the hub: the sharing
 * machine uploads it when its user says so, and a joining machine downloads it only after its
 * user agrees (`pendingDataset`).
 */
import { dropped, HubConnection, newToken, TOKEN, type MachineInfo } from '../../hub/connection';
import { datasetUrl, downloadDataset, uploadDataset, type SharedDataset } from '../../hub/dataset-transfer';
import { loadDataset, saveImportedDataset } from '../../search/catalog';
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

function forgetToken(searchId: string): void {
  const all = savedTokens();
  if (!all.delete(searchId)) return;
  localStorage.setItem(SHARED_KEY, JSON.stringify(Object.fromEntries(all)));
}

export interface SharedParts {
  readonly store: () => Store | null;
  readonly coordination: Coordination;
  /** Jobs this machine's tab trains at once for the search (0 when its trainers work on another). */
  readonly capacity: (searchId: string) => number;
  /** The store changed for a search (mirrored or committed): tell the tabs. */
  readonly onChange: (searchId: string) => void;
}

export interface ShareHealth {
  /** Whether this tab runs the machine's passes (else another tab of this browser does). */
  readonly active: boolean;
  /** Values from the document that failed validation, and oversized messages (all connections), dropped. */
  readonly rejected: number;
  readonly droppedMessages: number;
  readonly failedPasses: number;
  readonly lastError: string | null;
}

/** A joining machine's question to its user: download the search's imported dataset? */
export interface PendingDataset extends SharedDataset {
  /** Bytes downloaded so far (null until the user agrees). */
  readonly received: number | null;
}

export class SharedSearches {
  /** Whether this page is served by a hub (`npm run hub`). */
  available = $state(false);
  /** searchId → join link, for the searches this browser takes part in. */
  links: ReadonlyMap<string, string> = $state.raw(new Map());
  /** searchId → machines present. */
  machines: ReadonlyMap<string, readonly MachineInfo[]> = $state.raw(new Map());
  /** searchId → how this browser's side of it fares: what it refused from the network, passes that failed. */
  health: ReadonlyMap<string, ShareHealth> = $state.raw(new Map());
  /** The imported dataset a search being joined needs, while its user decides and it downloads. */
  pendingDataset: PendingDataset | null = $state.raw(null);
  #answer: ((accepted: boolean) => void) | null = null;

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
    await this.#followSaved(true);
    // Another tab shared, joined or deleted a search: this one follows (its coordination must know the search is shared).
    addEventListener('storage', (event) => {
      if (event.key === SHARED_KEY) void this.#followSaved(false).catch(() => undefined);
    });
  }

  /**
   * Connects the shared searches saved in this browser that this tab has no connection for
   * (after a reload: only those still stored), and closes the ones no longer saved.
   */
  async #followSaved(onlyStored: boolean): Promise<void> {
    const saved = savedTokens();
    for (const [key, connection] of [...this.#connections]) {
      const id = connection.bridge.searchId;
      if (id !== null && saved.get(id) !== connection.token) this.#disconnect(key);
    }
    for (const [searchId, token] of saved) {
      if (this.#connections.has(searchId)) continue;
      if (onlyStored && !(await this.#p.store()?.getSearch(searchId))) continue;
      const connection = this.#connect(token, searchId);
      // The saved copy first: a pass before it is loaded would see no leader, no jobs.
      await connection.whenLoaded();
      connection.bridge.resume(searchId);
      connection.announce();
    }
    this.#refresh();
  }

  /** A shared search deleted here: this browser leaves it (its connection closed, its token forgotten). */
  leave(searchId: string): void {
    if (!savedTokens().has(searchId) && !this.#connections.has(searchId)) return;
    forgetToken(searchId);
    this.#disconnect(searchId, { forget: true });
  }

  /**
   * Shares a search this browser holds: returns the link another machine opens to join. A search
   * on an imported dataset is shared only with `uploadDataset` (its user agreed that the dataset
   * goes to the hub, where anyone with the link can fetch it); nothing is shared if the upload fails.
   */
  async share(searchId: string, options: { uploadDataset?: boolean } = {}): Promise<string> {
    const store = this.#p.store();
    if (!store) throw new Error('no storage: nothing to share');
    const search = await store.getSearch(searchId);
    if (!search) throw new Error(`search ${searchId} is not stored here`);
    const existing = this.links.get(searchId);
    if (existing) return existing;
    const imported = (await store.listDatasets()).some((d) => d.id === search.datasetId);
    if (imported && options.uploadDataset !== true) throw new Error(`this search trains on an imported dataset: sharing it uploads the dataset to the hub, and waits for you to agree`);
    const token = newToken();
    const connection = this.#connect(token, searchId);
    let dataset: SharedDataset | undefined;
    try {
      await connection.whenLoaded();
      if (imported) dataset = await uploadDataset(datasetUrl(this.#base(), token), await loadDataset(search.datasetId, store));
    } catch (error) {
      this.#disconnect(searchId);
      throw error;
    }
    connection.bridge.share(search, dataset);
    connection.announce();
    saveToken(searchId, token);
    this.#refresh();
    connection.schedule();
    return this.links.get(searchId)!;
  }

  /** Joins a shared search from its link's token: its records are mirrored here; returns its id. */
  async join(token: string): Promise<string> {
    if (!TOKEN.test(token)) throw new Error('this join link is malformed: its token must be 22 to 64 letters, digits, - or _');
    if (!this.available) throw new Error('this page is not served by a hub: open the join link on the address the hub printed');
    // Opened again (a reload of the link): the search this browser already takes part in.
    for (const existing of this.#connections.values()) if (existing.token === token && existing.bridge.searchId !== null) return existing.bridge.searchId;
    const connection = this.#connect(token, null);
    await connection.whenLoaded();
    const end = Date.now() + JOIN_WAIT_MS;
    while (connection.bridge.reader.meta() === null) {
      if (Date.now() > end) {
        this.#disconnect(token, { forget: true });
        throw new Error('no shared search arrived from the hub for this link: is the machine that shared it still connected?');
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const searchId = connection.bridge.reader.meta()!.id;
    try {
      await this.#fetchDataset(token, connection.bridge.reader.meta()!);
      // Saved before the search exists here: this browser's other tabs connect to it before they can see it.
      saveToken(searchId, token);
      await connection.bridge.join();
      connection.announce();
    } catch (error) {
      forgetToken(searchId);
      this.#disconnect(token, { forget: true });
      throw error;
    }
    this.#connections.delete(token);
    this.#connections.set(searchId, connection);
    saveToken(searchId, token);
    this.#refresh();
    // The records before the page opens the search (unless another tab of this browser runs the passes).
    if (await connection.whenActive(2000)) await connection.bridge.sync();
    return searchId;
  }

  /** Answers `pendingDataset`'s question: download it and join, or not. */
  answerDataset(accepted: boolean): void {
    this.#answer?.(accepted);
  }

  /** The imported dataset a joined search trains on, when this browser lacks it: asked, downloaded, checked, kept. */
  async #fetchDataset(token: string, meta: { datasetId: string; dataset?: SharedDataset | undefined }): Promise<void> {
    const store = this.#p.store()!;
    const dataset = meta.dataset;
    if (dataset === undefined) return; // a shipped dataset: every machine has it
    const kept = (await store.listDatasets()).find((d) => d.id === meta.datasetId);
    if (kept !== undefined) {
      if ((kept.meta as { checksum?: unknown }).checksum === dataset.checksum) return;
      throw new Error(`this browser keeps another dataset named ${meta.datasetId}: delete it to join this search`);
    }
    this.pendingDataset = { ...dataset, received: null };
    try {
      const accepted = await new Promise<boolean>((resolve) => (this.#answer = resolve));
      if (!accepted) throw new Error(`you chose not to download dataset "${dataset.name}", so this machine did not join the search`);
      this.pendingDataset = { ...dataset, received: 0 };
      const data = await downloadDataset(datasetUrl(this.#base(), token), meta.datasetId, dataset, (received) => {
        this.pendingDataset = { ...dataset, received };
      });
      await saveImportedDataset(store, data);
    } finally {
      this.#answer = null;
      this.pendingDataset = null;
    }
  }

  #base(): string {
    return `${location.origin}${import.meta.env.BASE_URL}`;
  }

  #disconnect(key: string, options: { forget?: boolean } = {}): void {
    this.#connections.get(key)?.close(options);
    this.#connections.delete(key);
    this.#refresh();
  }

  #connect(token: string, searchId: string | null): HubConnection {
    const key = searchId ?? token;
    const existing = this.#connections.get(key);
    if (existing) return existing;
    const store = this.#p.store();
    if (!store) throw new Error('no storage: a shared search needs IndexedDB');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const connection: HubConnection = new HubConnection({
      url: `${scheme}://${location.host}${import.meta.env.BASE_URL}hub`,
      token,
      machine: this.machine,
      store,
      coordination: this.#p.coordination,
      capacity: (): number => (connection.bridge.searchId === null ? 0 : this.#p.capacity(connection.bridge.searchId)),
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
    const health = new Map<string, ShareHealth>();
    // Only searches shared or joined: not one still uploading its dataset, or waiting for its user.
    for (const connection of this.#connections.values()) {
      const id = connection.bridge.searchId;
      if (id === null) continue;
      links.set(id, `${this.#base()}?join=${connection.token}`);
      machines.set(id, connection.machines());
      const { active, failedPasses, lastError } = connection;
      health.set(id, { active, rejected: connection.bridge.reader.rejected, droppedMessages: dropped.messages, failedPasses, lastError });
    }
    this.links = links;
    this.machines = machines;
    // Only when it changed: the panel re-renders on a new map.
    if (JSON.stringify([...health]) !== JSON.stringify([...this.health])) this.health = health;
  }
}
