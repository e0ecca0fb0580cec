/**
 * One machine's side of a search shared through the hub (issue 17): the bridge between this
 * browser's IndexedDB records of the search and the shared Yjs document. IndexedDB stays the
 * source of truth inside the browser (tabs, trainers, the agent work on it as before); the
 * bridge copies what other machines need into the document and what they wrote back out.
 *
 * - The leading machine publishes its agent state, its replay entries, its active jobs and its
 *   status; it commits other machines' results to its own jobs (its agent then learns them in
 *   the order it incorporates them, which is the one order every machine mirrors).
 * - Every other machine mirrors those (store.applyMirror) and publishes its own results.
 * - Jobs are granted by the leading machine, the one writer of `leases`: a following machine
 *   asks for as many jobs as it has trainers (`requests`); the leader grants queued jobs
 *   that its own trainers have not claimed, and holds each for a stand-in tab
 *   (`hub:<machine>`, store.holdJobs) so its trainers leave it. A following machine's
 *   trainers see only the jobs granted to it. A grant ends with its job's result, or when its
 *   machine has been absent for LEASE_MS (the job is queued again): a machine that lost the
 *   hub for a moment finds its job still its own and delivers the result when it is back.
 *   Only a change of leader can give one job to two machines; its result enters the replay once.
 *
 * `sync()` runs one pass; the connection calls it when the document or the store changes and
 * on a timer. Nothing here trusts the document: SharedReader drops malformed values. This class
 * decides when and reads; what is granted is grants.ts, what is written publish.ts.
 */
import * as Y from 'yjs';
import { Agent } from '../core';
import type { JobRecord, SearchRecord, Store } from '../store';
import type { SharedDataset } from './dataset-transfer';
import { holderOf, LEASE_MS, othersHold, planGrants } from './grants';
import { nextLeader } from './leadership';
import { offerResults, publishLeaderView, reportFailures, writeLeases } from './publish';
import { parts, SharedReader, type LeaderRecord, type SharedMeta } from './shared-doc';
/**
 * A pass reads the whole replay memory (to publish it, or to mirror the document's into the
 * store) only when something it depends on changed: an update from another machine, the
 * agent's revision or the number of nets stored here. Every FULL_PASS_MS it does anyway.
 */
export const FULL_PASS_MS = 30_000;
/**
 * Passes run every 2 s (and on every change): a longer gap means this machine slept or froze,
 * and whatever its socket says, it counts as newly connected (its view of who is present is stale).
 */
export const PASS_GAP_MS = 30_000;

export interface BridgeOptions {
  readonly store: Store;
  readonly doc: Y.Doc;
  /** This machine's id (machine.ts). */
  readonly machine: string;
  /** The machines present now (the hub's awareness), this one included. */
  readonly present: () => ReadonlySet<string>;
  /** Jobs this machine can train at once (its trainers); asked for while following. */
  readonly capacity: () => number;
  /** Whether the hub is reachable and this copy synced with it (default: always). */
  readonly connected?: () => boolean;
  readonly now?: () => number;
}

export class HubBridge {
  readonly reader: SharedReader;
  readonly #o: BridgeOptions;
  readonly #now: () => number;
  readonly #joinedAt: number;
  #leaderSeenAt: number | null = null;
  /** Since when this machine has been connected to the hub without a break (null: it is not). */
  #connectedSince: number | null = null;
  #lastPassAt: number | null = null;
  #searchId: string | null = null;
  /** Machine → when this machine last saw it present. */
  readonly #seenAt = new Map<string, number>();
  /** An update from elsewhere (the hub, this browser's saved copy) arrived since the last pass. */
  #remoteUpdate = true;
  #lastFullPass = -Infinity;
  /** What the last pass published (leading) or offered (following): agent revision and replay size here. */
  #publishedAt: string | null = null;

  constructor(options: BridgeOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#joinedAt = this.#now();
    this.reader = new SharedReader(options.doc);
    options.doc.on('update', (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
      if (!transaction.local) this.#remoteUpdate = true;
    });
  }

  /**
   * The search this machine takes part in: set by share, join or resume, never by the document
   * alone (a machine still deciding whether to join neither mirrors nor asks for jobs).
   */
  get searchId(): string | null {
    return this.#searchId;
  }

  /** Takes part again in a search this browser shared or joined before (a reload). */
  resume(searchId: string): void {
    this.#searchId = searchId;
  }

  get leader(): LeaderRecord | null {
    return this.reader.leader();
  }

  get isLeader(): boolean {
    return this.leader?.machine === this.#o.machine;
  }

  /** Makes `search` a shared one: this machine starts it and leads it; `dataset`: the hub's copy of its imported dataset. */
  share(search: SearchRecord, dataset?: SharedDataset): void {
    const meta: SharedMeta = {
      id: search.id,
      name: search.name,
      config: search.config as Record<string, unknown>,
      seed: search.seed,
      datasetId: search.datasetId,
      presetId: search.presetId,
      startedBy: this.#o.machine,
      ...(dataset ? { dataset } : {}),
    };
    const { search: map } = parts(this.#o.doc);
    this.#o.doc.transact(() => {
      map.set('meta', meta);
      map.set('leader', { machine: this.#o.machine, term: 1 });
      map.set('status', search.status);
    });
    this.#searchId = search.id;
  }

  /**
   * This machine's copy of the shared search: created from the document's meta when missing.
   * Returns its id, or null while the document has no valid meta yet.
   */
  async join(): Promise<string | null> {
    const meta = this.reader.meta();
    if (meta === null) return null;
    const { store } = this.#o;
    if ((await store.getSearch(meta.id)) === undefined) {
      await store.createSearch({ id: meta.id, name: meta.name, config: meta.config, seed: meta.seed, datasetId: meta.datasetId, presetId: meta.presetId });
    }
    this.#searchId = meta.id;
    return meta.id;
  }

  /** One pass: leadership, then publish and mirror by role. Returns whether this store changed. */
  async sync(): Promise<boolean> {
    const searchId = this.searchId;
    if (searchId === null) return false;
    // Deleted here: publishing (or mirroring into) nothing would erase it on every machine.
    if ((await this.#o.store.getSearch(searchId)) === undefined) return false;
    const now = this.#now();
    for (const m of this.#o.present()) this.#seenAt.set(m, now);
    if (this.#lastPassAt !== null && now - this.#lastPassAt > PASS_GAP_MS) this.#connectedSince = null;
    this.#lastPassAt = now;
    if (this.#o.connected?.() ?? true) this.#connectedSince ??= now;
    else this.#connectedSince = null;
    const wasLeader = this.isLeader;
    this.#electLeader();
    // Whether this pass reads everything: taken now, so an update during the pass counts for the next.
    const full = this.#remoteUpdate || now - this.#lastFullPass >= FULL_PASS_MS || wasLeader !== this.isLeader;
    this.#remoteUpdate = false;
    if (full) {
      this.#lastFullPass = now;
      this.#publishedAt = null;
    }
    try {
      return this.isLeader ? await this.#lead(searchId) : await this.#follow(searchId, full);
    } catch (error) {
      // Nothing is skipped for a failed pass: the next one reads everything.
      this.#remoteUpdate = true;
      throw error;
    }
  }

  async #lead(searchId: string): Promise<boolean> {
    // The jobs are read once per pass, and again only when results changed them.
    let changed = false;
    let jobs = await this.#activeJobs(searchId);
    if ((await this.#acceptResults(searchId, jobs)) || (await this.#acceptFailures(jobs))) {
      changed = true;
      jobs = await this.#activeJobs(searchId);
    }
    changed = (await this.#grant(searchId, jobs)) || changed;
    await this.#publishLeaderState(searchId);
    return changed;
  }

  async #follow(searchId: string, full: boolean): Promise<boolean> {
    let changed = false;
    // One view of the document for the whole pass, taken with the decision whether it is full:
    // the document is what is mirrored (unchanged since the last pass, so is the mirror), and
    // the holds must be of the same moment. Held from a later view, a job the leader finished
    // meanwhile would be queued here before its result is mirrored, and trained again.
    const jobs = this.reader.jobs();
    const heldBy = othersHold(jobs, this.reader.leases(), this.#o.machine, this.reader.leader()?.machine ?? 'leader');
    if (full) {
      const outcome = await this.#o.store.applyMirror(searchId, {
        agent: this.#validAgent(),
        replay: this.reader.replay(),
        jobs,
        status: this.reader.status(),
        heldBy,
      });
      changed = outcome.statusWritten || outcome.agentWritten || outcome.replayWritten + outcome.replayRemoved + outcome.jobsAdded + outcome.jobsDone + outcome.jobsRemoved > 0;
    }
    // A following machine's trainers see only the jobs granted to it: the others are held.
    changed = (await this.#o.store.holdJobs(searchId, heldBy)).changed > 0 || changed;
    this.#ask();
    await this.#publishOwnResults(searchId);
    await this.#publishFailures(searchId);
    return changed;
  }

  /**
   * The stand-in tabs of other machines: those holding grants, and those present that ask for
   * jobs (the leader's live "tabs": it keeps jobs queued for them too).
   */
  remoteHolders(): Set<string> {
    const out = new Set<string>();
    for (const lease of this.reader.leases().values()) if (lease.machine !== this.#o.machine) out.add(holderOf(lease.machine));
    const present = this.#o.present();
    for (const [asker, count] of this.reader.requests()) if (asker !== this.#o.machine && count > 0 && present.has(asker)) out.add(holderOf(asker));
    return out;
  }

  /** Measured only while this machine is connected, and from no earlier than that connection. */
  #absentTooLong(machine: string): boolean {
    if (this.#connectedSince === null) return false;
    return this.#now() - Math.max(this.#seenAt.get(machine) ?? this.#joinedAt, this.#connectedSince) >= LEASE_MS;
  }

  /** This store's queued and claimed jobs (holdJobs moves jobs between the two, never out of them). */
  async #activeJobs(searchId: string): Promise<{ queued: JobRecord[]; all: JobRecord[] }> {
    const { store } = this.#o;
    const [queued, claimed] = await Promise.all([store.listJobs(searchId, 'queued'), store.listJobs(searchId, 'claimed')]);
    return { queued, all: [...queued, ...claimed] };
  }

  /**
   * The leader's grants: ended for jobs no longer active here, machines gone too long, or
   * machines that ask for fewer; new ones for machines that ask for more. Each is held here by
   * its stand-in tab first, and written to the document only once held: a job this machine's
   * own trainer claimed meanwhile is never granted as well.
   */
  async #grant(searchId: string, { queued, all }: { queued: JobRecord[]; all: JobRecord[] }): Promise<boolean> {
    const leases = this.reader.leases();
    const wanted = planGrants({
      machine: this.#o.machine,
      leases,
      requests: this.reader.requests(),
      present: this.#o.present(),
      active: new Set(all.map((j) => j.netString)),
      queued: queued.map((j) => j.netString),
      absentTooLong: (machine) => this.#absentTooLong(machine),
    });
    const { changed, held } = await this.#o.store.holdJobs(searchId, wanted);
    writeLeases(this.#o.doc, leases, held);
    return changed > 0;
  }

  #ask(): void {
    const requests = parts(this.#o.doc).requests;
    const count = Math.max(0, Math.min(64, Math.floor(this.#o.capacity())));
    const current = requests.get(this.#o.machine) as { count?: number } | undefined;
    if (current?.count !== count) requests.set(this.#o.machine, { count });
  }

  #electLeader(): void {
    const current = this.reader.leader();
    const present = this.#o.present();
    const now = this.#now();
    if (current !== null && present.has(current.machine)) this.#leaderSeenAt = now;
    // Cut off, a machine sees only itself: it never elects from that view.
    if (this.#connectedSince === null) return;
    const next = nextLeader(current, present, Math.max(this.#leaderSeenAt ?? this.#joinedAt, this.#connectedSince), now);
    if (next !== null && next !== current && next.machine === this.#o.machine) parts(this.#o.doc).search.set('leader', next);
  }

  /** The document's agent state if `Agent.fromJSON` accepts it; else null (counted). */
  #validAgent(): { revision: number; state: object } | null {
    const agent = this.reader.agent();
    if (agent === null) return null;
    try {
      Agent.fromJSON(agent.state, 'shared agent');
      return agent;
    } catch {
      this.reader.rejected++;
      return null;
    }
  }

  /** Other machines' results for jobs this machine's agent waits on, committed like a tab's. */
  async #acceptResults(searchId: string, jobs: { all: JobRecord[] }): Promise<boolean> {
    const { store } = this.#o;
    const results = this.reader.results();
    if (results.length === 0) return false;
    const active = new Map(jobs.all.map((j) => [j.netString, j]));
    let changed = false;
    for (const entry of results) {
      const job = active.get(entry.netString);
      if (job === undefined) continue;
      try {
        const outcome = await store.commitResult(searchId, job.id, entry);
        changed ||= outcome.applied;
      } catch {
        // A result this store refuses (another result for the net is already kept): the first one stays.
        this.reader.rejected++;
      }
    }
    return changed;
  }

  async #publishLeaderState(searchId: string): Promise<void> {
    // The agent and the replay only when they changed here (or the document did): the jobs and
    // status every pass. All read in one transaction: a job queued after the agent state was
    // read, or the agent after the jobs, would publish an agent waiting on a job nobody has.
    const view = await this.#o.store.publishView(searchId, this.#publishedAt);
    publishLeaderView(this.#o.doc, view);
    this.#publishedAt = view.mark;
  }

  /**
   * Jobs granted to this machine that failed here for good (its trainers gave up after their
   * attempts): said in `failures`, so the leader ends them as it ends its own failed jobs.
   */
  async #publishFailures(searchId: string): Promise<void> {
    const { store, doc, machine } = this.#o;
    const leases = this.reader.leases();
    reportFailures(doc, machine, (await store.listJobs(searchId, 'failed')).filter((j) => leases.get(j.netString)?.machine === machine));
  }

  /** Failures of jobs this machine granted, to the machine that says so: its own job fails, as a tab's would. */
  async #acceptFailures(jobs: { all: JobRecord[] }): Promise<boolean> {
    const failures = this.reader.failures();
    if (failures.size === 0) return false;
    const leases = this.reader.leases();
    let changed = false;
    for (const job of jobs.all) {
      const failure = failures.get(job.netString);
      if (failure === undefined || leases.get(job.netString)?.machine !== failure.machine || job.claimedBy !== holderOf(failure.machine)) continue;
      changed = (await this.#o.store.failJob(job.id, holderOf(failure.machine), `on machine ${failure.machine}: ${failure.error}`, 0)) !== undefined || changed;
    }
    return changed;
  }

  /** This machine's own results (in its store, not yet in the leader's replay) as proposals. */
  async #publishOwnResults(searchId: string): Promise<void> {
    // A new result here adds a net (the mirror only ever writes the leader's): unchanged, nothing new to offer.
    const view = await this.#o.store.publishView(searchId, this.#publishedAt);
    this.#publishedAt = view.mark;
    if (view.changed) offerResults(this.#o.doc, view.changed.replay);
  }
}
