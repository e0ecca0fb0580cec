/**
 * A whole search at once: read in one readonly transaction (a consistent picture, even while
 * another tab is writing), written in one readwrite transaction (another tab never sees half
 * a search, and a failure writes nothing). Used to export a search to a file and to import
 * one, and to create a search that starts from an imported replay memory.
 */
import * as v from 'valibot';
import { searchKeyRange, type StoreContext } from './context.js';
import { AlreadyExistsError, DuplicateNetError, isQuotaExceeded, QuotaError } from './errors.js';
import {
  AgentRecordSchema,
  JobRecordSchema,
  SearchRecordSchema,
  sumBytes,
  WeightsRecordSchema,
  type AgentRecord,
  type JobRecord,
  type ReplayEntry,
  type ReplayRecord,
  type SearchRecord,
  type WeightSpec,
  type WeightsRecord,
} from './records.js';
import { compareReplay, readReplay, writableReplay } from './replay.js';
import { inTransaction } from './transaction.js';
import { checkRecord } from './validate.js';

export interface SearchSnapshot {
  readonly search: SearchRecord;
  readonly agent: AgentRecord | undefined;
  /** In the order `listReplay` gives. */
  readonly replay: ReplayRecord[];
  /** Oldest first. */
  readonly jobs: JobRecord[];
  readonly weights: WeightsRecord[];
}

/** Everything stored for one search, read in one transaction. Undefined if there is no such search. */
export async function readSearchSnapshot(ctx: StoreContext, searchId: string): Promise<SearchSnapshot | undefined> {
  const tx = ctx.db.transaction(['searches', 'agent', 'replay', 'jobs', 'weights'], 'readonly');
  const range = searchKeyRange(searchId);
  const [search, agent, replay, jobs, weights] = await Promise.all([
    tx.objectStore('searches').get(searchId),
    tx.objectStore('agent').get(searchId),
    tx.objectStore('replay').getAll(range),
    tx.objectStore('jobs').index('bySearchStatus').getAll(range),
    tx.objectStore('weights').getAll(range),
  ]);
  await tx.done;
  if (search === undefined) return undefined;
  return {
    search: checkRecord(SearchRecordSchema, search, { store: 'searches', key: searchId, direction: 'read' }),
    agent:
      agent === undefined
        ? undefined
        : checkRecord(AgentRecordSchema, agent, { store: 'agent', key: searchId, direction: 'read' }),
    replay: replay.map((value) => readReplay(value, [searchId, value.netString])).sort(compareReplay),
    jobs: jobs
      .map((value) => checkRecord(JobRecordSchema, value, { store: 'jobs', key: value.id, direction: 'read' }))
      .sort((a, b) => a.id - b.id),
    weights: weights.map((value) =>
      checkRecord(WeightsRecordSchema, value, { store: 'weights', key: [searchId, value.netString], direction: 'read' }),
    ),
  };
}

/** A job of a search being written whole (its id is assigned by the store). */
export type SnapshotJob = Omit<JobRecord, 'id' | 'searchId'>;

export interface SnapshotWeights {
  readonly netString: string;
  readonly buffers: readonly ArrayBuffer[];
  readonly specs: readonly WeightSpec[];
  readonly createdAt: number;
}

export interface NewSearchSnapshot {
  /** The search record without its id; `createdAt` defaults to now, `updatedAt` is now. */
  readonly search: Omit<SearchRecord, 'id' | 'config' | 'createdAt' | 'updatedAt'> & {
    /** Validated by the search layer; here it only has to be a JSON object. */
    readonly config: object;
    readonly createdAt?: number;
  };
  /** `Agent.toJSON()`, stored at revision 1; null for a search whose agent has not started. */
  readonly agentState: object | null;
  readonly replay: readonly ReplayEntry[];
  readonly jobs: readonly SnapshotJob[];
  readonly weights: readonly SnapshotWeights[];
}

const NewJobSchema = v.omit(JobRecordSchema, ['id']);

function isActive(job: { readonly status: JobRecord['status'] }): boolean {
  return job.status === 'queued' || job.status === 'claimed';
}

/**
 * Writes a whole new search (record, agent state, replay memory, jobs, weights) under a NEW
 * id, all or nothing: every record is validated first, then one transaction writes them.
 * Keeps the store's rules: one replay entry per net, no active job for a net in the replay
 * memory, at most one active job per net. A `QuotaExceededError` becomes `QuotaError`.
 */
export async function writeSearchSnapshot(
  ctx: StoreContext,
  input: NewSearchSnapshot,
  id: string = ctx.newId(),
): Promise<SearchRecord> {
  const now = ctx.now();
  const search = checkRecord(
    SearchRecordSchema,
    { ...input.search, id, createdAt: input.search.createdAt ?? now, updatedAt: now },
    { store: 'searches', key: id, direction: 'write' },
  );
  const agent =
    input.agentState === null
      ? null
      : checkRecord(
          AgentRecordSchema,
          { searchId: id, revision: 1, state: input.agentState, updatedAt: now },
          { store: 'agent', key: id, direction: 'write' },
        );

  const replayNets = new Set<string>();
  const replay = input.replay.map((entry) => {
    const record = writableReplay({ ...entry, searchId: id }, [id, entry.netString]);
    if (replayNets.has(record.netString)) throw new DuplicateNetError(id, record.netString, 'it appears twice in the replay memory to write');
    replayNets.add(record.netString);
    return record;
  });

  const activeNets = new Set<string>();
  const jobs = input.jobs.map((job, index) => {
    const record = checkRecord(NewJobSchema, { ...job, searchId: id }, { store: 'jobs', key: `new job ${index}`, direction: 'write' });
    if (isActive(record)) {
      if (replayNets.has(record.netString)) {
        throw new DuplicateNetError(id, record.netString, `job ${index} to write is ${record.status} but the net is in the replay memory already`);
      }
      if (activeNets.has(record.netString)) {
        throw new AlreadyExistsError('jobs', [id, record.netString], 'has two active jobs in the search to write');
      }
      activeNets.add(record.netString);
    }
    return record;
  });

  const weightNets = new Set<string>();
  const weights = input.weights.map((w) => {
    const key: [string, string] = [id, w.netString];
    const record = checkRecord(
      WeightsRecordSchema,
      { searchId: id, netString: w.netString, buffers: w.buffers, specs: w.specs, byteLength: sumBytes(w.buffers), createdAt: w.createdAt },
      { store: 'weights', key, direction: 'write' },
    );
    if (weightNets.has(record.netString)) throw new AlreadyExistsError('weights', key, 'appears twice in the search to write');
    weightNets.add(record.netString);
    return record;
  });

  const tx = ctx.db.transaction(['searches', 'agent', 'replay', 'jobs', 'weights'], 'readwrite');
  try {
    await inTransaction(tx, async () => {
      if ((await tx.objectStore('searches').getKey(id)) !== undefined) throw new AlreadyExistsError('searches', id);
      await tx.objectStore('searches').add(search);
      if (agent !== null) await tx.objectStore('agent').add(agent);
      for (const record of replay) await tx.objectStore('replay').add(record);
      // The store assigns job ids (autoIncrement); the records are written without one.
      for (const record of jobs) await tx.objectStore('jobs').add(record as JobRecord);
      for (const record of weights) await tx.objectStore('weights').add(record);
    });
  } catch (error) {
    if (isQuotaExceeded(error)) {
      throw new QuotaError('weights', id, weights.reduce((sum, w) => sum + w.byteLength, 0), { cause: error });
    }
    throw error;
  }
  return search;
}
