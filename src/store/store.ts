import * as mirror from './mirror.js';
import * as agent from './agent-state.js';
import type { StoreContext } from './context.js';
import * as datasets from './datasets.js';
import { DatabaseOpenError } from './errors.js';
import * as jobs from './jobs.js';
import { openDatabase } from './open-database.js';
import type {
  AgentRecord,
  DatasetRecord,
  FinalResults,
  FineTuned,
  JobRecord,
  JobStatus,
  ReplayEntry,
  ReplayRecord,
  SearchRecord,
  SearchStatus,
  WeightsRecord,
} from './records.js';
import * as replay from './replay.js';
import { DB_NAME, type MetaqnnDatabase } from './schema.js';
import * as searches from './searches.js';
import * as snapshot from './snapshot.js';
import * as weights from './weights.js';

export interface StoreOptions {
  /** Clock for timestamps (default `Date.now`). */
  readonly now?: () => number;
  /** Id for searches created without one (default `crypto.randomUUID`). */
  readonly newId?: () => string;
  /** Called after this connection closed itself because another tab upgrades the schema. */
  readonly onVersionChange?: () => void;
}

/**
 * Opens the app's database (creating or migrating it) and returns its repository.
 * `idbFactory` defaults to the global `indexedDB`; tests pass a fresh fake-indexeddb factory.
 */
export async function openStore(
  name: string = DB_NAME,
  idbFactory?: IDBFactory,
  options: StoreOptions = {},
): Promise<Store> {
  const factory = idbFactory ?? (typeof indexedDB === 'undefined' ? undefined : indexedDB);
  if (factory === undefined) {
    throw new DatabaseOpenError(`Cannot open database "${name}": IndexedDB is not available here`);
  }
  const db = await openDatabase(factory, name, { onVersionChange: options.onVersionChange });
  return new Store({
    db,
    now: options.now ?? Date.now,
    newId: options.newId ?? (() => crypto.randomUUID()),
  });
}

/**
 * The repository: one method per operation the app needs, each a single transaction where
 * atomicity matters. Every record read back is validated.
 */
export class Store {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** The raw idb handle, for diagnostics; repository methods are the supported way in. */
  get database(): MetaqnnDatabase {
    return this.#ctx.db;
  }

  close(): void {
    this.#ctx.db.close();
  }

  // searches

  createSearch(input: searches.NewSearch): Promise<SearchRecord> {
    return searches.createSearch(this.#ctx, input);
  }
  getSearch(id: string): Promise<SearchRecord | undefined> {
    return searches.getSearch(this.#ctx, id);
  }
  listSearches(): Promise<SearchRecord[]> {
    return searches.listSearches(this.#ctx);
  }
  updateSearchStatus(id: string, status: SearchStatus, error?: string): Promise<SearchRecord> {
    return searches.updateSearchStatus(this.#ctx, id, status, error);
  }
  setSearchFinal(id: string, final: FinalResults): Promise<SearchRecord> {
    return searches.setSearchFinal(this.#ctx, id, final);
  }
  addFineTuned(id: string, fineTuned: FineTuned): Promise<SearchRecord> {
    return searches.addFineTuned(this.#ctx, id, fineTuned);
  }
  extendSearchBudget(id: string, ms: number): Promise<SearchRecord> {
    return searches.extendSearchBudget(this.#ctx, id, ms);
  }
  setSearchPlan(id: string, plan: NonNullable<SearchRecord['plan']>): Promise<SearchRecord> {
    return searches.setSearchPlan(this.#ctx, id, plan);
  }

  setSearchAdmission(id: string, admission: NonNullable<SearchRecord['admission']>): Promise<SearchRecord> {
    return searches.setSearchAdmission(this.#ctx, id, admission);
  }

  tickSearchClock(id: string, now: number): Promise<SearchRecord> {
    return searches.tickSearchClock(this.#ctx, id, now);
  }
  countSkippedWeights(id: string): Promise<SearchRecord> {
    return searches.countSkippedWeights(this.#ctx, id);
  }
  deleteSearch(id: string): Promise<boolean> {
    return searches.deleteSearch(this.#ctx, id);
  }

  // agent state

  getAgentState(searchId: string): Promise<AgentRecord | undefined> {
    return agent.getAgentState(this.#ctx, searchId);
  }
  putAgentState(searchId: string, write: agent.AgentStateWrite): Promise<number> {
    return agent.putAgentState(this.#ctx, searchId, write);
  }

  // jobs

  enqueueJob(input: jobs.NewJob, agentState?: agent.AgentStateWrite): Promise<JobRecord> {
    return jobs.enqueueJob(this.#ctx, input, agentState);
  }
  getJob(id: number): Promise<JobRecord | undefined> {
    return jobs.getJob(this.#ctx, id);
  }
  listJobs(searchId: string, status?: JobStatus): Promise<JobRecord[]> {
    return jobs.listJobs(this.#ctx, searchId, status);
  }
  claimNextJob(searchId: string, tabId: string): Promise<JobRecord | undefined> {
    return jobs.claimNextJob(this.#ctx, searchId, tabId);
  }
  failJob(jobId: number, tabId: string, reason: string, maxAttempts?: number): Promise<JobRecord | undefined> {
    return jobs.failJob(this.#ctx, jobId, tabId, reason, maxAttempts);
  }
  requeueJobs(searchId: string, shouldRequeue: (claimedBy: string | null, job: JobRecord) => boolean): Promise<JobRecord[]> {
    return jobs.requeueJobs(this.#ctx, searchId, shouldRequeue);
  }
  requeueAllClaimed(searchId: string): Promise<JobRecord[]> {
    return jobs.requeueAllClaimed(this.#ctx, searchId);
  }
  attachIteration(
    searchId: string,
    netString: string,
    iteration: number,
    agentState?: agent.AgentStateWrite,
  ): Promise<jobs.AttachOutcome | undefined> {
    return jobs.attachIteration(this.#ctx, searchId, netString, iteration, agentState);
  }
  commitResult(
    searchId: string,
    jobId: number,
    entry: ReplayEntry,
    agentState?: agent.AgentStateWrite,
  ): Promise<jobs.CommitOutcome> {
    return jobs.commitResult(this.#ctx, searchId, jobId, entry, agentState);
  }

  // a search shared across machines (mirror.ts)

  applyMirror(searchId: string, write: mirror.MirrorWrite): Promise<mirror.MirrorOutcome> {
    return mirror.applyMirror(this.#ctx, searchId, write);
  }
  /** What a machine publishes, read in one transaction; the agent and replay only when their mark is not `since`. */
  publishView(searchId: string, since: string | null): Promise<mirror.PublishView> {
    return mirror.publishView(this.#ctx, searchId, since);
  }

  holdJobs(searchId: string, heldBy: ReadonlyMap<string, string>): Promise<{ changed: number; held: Map<string, string> }> {
    return mirror.holdJobs(this.#ctx, searchId, heldBy);
  }

  // replay memory

  listReplay(searchId: string): Promise<ReplayRecord[]> {
    return replay.listReplay(this.#ctx, searchId);
  }
  countReplay(searchId: string): Promise<number> {
    return replay.countReplay(this.#ctx, searchId);
  }
  getReplayEntry(searchId: string, netString: string): Promise<ReplayRecord | undefined> {
    return replay.getReplayEntry(this.#ctx, searchId, netString);
  }
  importReplay(searchId: string, entries: readonly ReplayEntry[]): Promise<replay.ImportOutcome> {
    return replay.importReplay(this.#ctx, searchId, entries);
  }

  // weights

  putWeights(searchId: string, netString: string, input: weights.WeightsInput): Promise<WeightsRecord> {
    return weights.putWeights(this.#ctx, searchId, netString, input);
  }
  getWeights(searchId: string, netString: string): Promise<WeightsRecord | undefined> {
    return weights.getWeights(this.#ctx, searchId, netString);
  }
  listWeightNets(searchId: string): Promise<string[]> {
    return weights.listWeightNets(this.#ctx, searchId);
  }
  pruneWeights(searchId: string, keepNetStrings: Iterable<string>): Promise<string[]> {
    return weights.pruneWeights(this.#ctx, searchId, keepNetStrings);
  }
  deleteWeights(searchId: string, netString: string): Promise<boolean> {
    return weights.deleteWeights(this.#ctx, searchId, netString);
  }

  // whole searches (export and import)

  /** Everything stored for a search, read in one transaction; undefined if there is no such search. */
  readSearchSnapshot(searchId: string): Promise<snapshot.SearchSnapshot | undefined> {
    return snapshot.readSearchSnapshot(this.#ctx, searchId);
  }
  /** Writes a whole new search under a new id (default: a fresh one), all or nothing. */
  writeSearchSnapshot(input: snapshot.NewSearchSnapshot, id?: string): Promise<SearchRecord> {
    return snapshot.writeSearchSnapshot(this.#ctx, input, id);
  }

  // datasets

  putDataset(input: datasets.DatasetInput): Promise<DatasetRecord> {
    return datasets.putDataset(this.#ctx, input);
  }
  getDataset(id: string): Promise<datasets.StoredDataset | undefined> {
    return datasets.getDataset(this.#ctx, id);
  }
  listDatasets(): Promise<DatasetRecord[]> {
    return datasets.listDatasets(this.#ctx);
  }
  deleteDataset(id: string): Promise<boolean> {
    return datasets.deleteDataset(this.#ctx, id);
  }
}
