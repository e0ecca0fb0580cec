/**
 * The job queue shared by every tab, and the two writes that close a job's loop:
 * `commitResult` (a trained net's result) and `attachIteration` (the agent sampled a net that
 * is already trained or being trained). Each operation is one readwrite transaction; IndexedDB
 * runs overlapping readwrite transactions one after another, across tabs too, which is what
 * makes a claim atomic without asking the leader.
 */
import * as v from 'valibot';
import { requireSearch, writeAgentState, type AgentStateWrite } from './agent-state.js';
import { searchKeyRange, type StoreContext } from './context.js';
import { AlreadyExistsError, DuplicateNetError, NotFoundError } from './errors.js';
import {
  JobRecordSchema,
  type JobRecord,
  type JobStatus,
  type ReplayEntry,
  type ReplayRecord,
} from './records.js';
import { mergeIterations, readReplay, sameResult, writableReplay } from './replay.js';
import { inTransaction } from './transaction.js';
import { checkRecord } from './validate.js';

/**
 * Claims after which a failing job is marked 'failed' instead of queued again. Not from the
 * paper: a net that crashes its trainer this often would otherwise loop forever.
 */
export const DEFAULT_MAX_ATTEMPTS = 3;

export interface NewJob {
  readonly searchId: string;
  readonly netString: string;
  /** Agent iterations waiting for this net (usually one). */
  readonly iterations: readonly number[];
  readonly epsilon: number;
  /** Training images for this net (a budget's data plan); absent or null: the config's. */
  readonly trainSampleSize?: number | null;
}

const NewJobSchema = v.omit(JobRecordSchema, ['id']);

function readJob(value: unknown, id: unknown): JobRecord {
  return checkRecord(JobRecordSchema, value, { store: 'jobs', key: id, direction: 'read' });
}

function writableJob(value: unknown, id: unknown): JobRecord {
  return checkRecord(JobRecordSchema, value, { store: 'jobs', key: id, direction: 'write' });
}

function isActive(job: JobRecord): boolean {
  return job.status === 'queued' || job.status === 'claimed';
}

/**
 * Queues a net for training. Fails with `DuplicateNetError` if the net is in the replay
 * memory already and with `AlreadyExistsError` if a queued or claimed job trains it: in both
 * cases the caller should `attachIteration` instead. `agentState`, when given, is stored in
 * the same transaction.
 */
export async function enqueueJob(
  ctx: StoreContext,
  input: NewJob,
  agentState?: AgentStateWrite,
): Promise<JobRecord> {
  const netKey: [string, string] = [input.searchId, input.netString];
  const draft = checkRecord(
    NewJobSchema,
    {
      searchId: input.searchId,
      netString: input.netString,
      iterations: mergeIterations(input.iterations, []),
      epsilon: input.epsilon,
      status: 'queued',
      claimedBy: null,
      claimedAt: null,
      attempts: 0,
      lastError: null,
      createdAt: ctx.now(),
      ...(input.trainSampleSize != null ? { trainSampleSize: input.trainSampleSize } : {}),
    },
    { store: 'jobs', key: netKey, direction: 'write' },
  );
  const tx = ctx.db.transaction(['searches', 'replay', 'jobs', 'agent'], 'readwrite');
  return inTransaction(tx, async () => {
    await requireSearch(tx.objectStore('searches'), input.searchId);
    if ((await tx.objectStore('replay').getKey(netKey)) !== undefined) {
      throw new DuplicateNetError(input.searchId, input.netString, 'it is in the replay memory already');
    }
    const jobs = tx.objectStore('jobs');
    const sameNet = await jobs.index('bySearchNet').getAll(netKey);
    const active = sameNet.map((job) => readJob(job, job.id)).find(isActive);
    if (active !== undefined) {
      throw new AlreadyExistsError('jobs', netKey, `has an active job (id ${active.id}, ${active.status})`);
    }
    // The store assigns the id (autoIncrement); the record is written without one.
    const id = await jobs.add(draft as JobRecord);
    if (agentState !== undefined) {
      await writeAgentState(tx.objectStore('agent'), input.searchId, agentState, ctx.now());
    }
    return { ...draft, id };
  });
}

export async function getJob(ctx: StoreContext, id: number): Promise<JobRecord | undefined> {
  const value = await ctx.db.get('jobs', id);
  return value === undefined ? undefined : readJob(value, id);
}

/** The search's jobs (all, or those with `status`), oldest first. */
export async function listJobs(ctx: StoreContext, searchId: string, status?: JobStatus): Promise<JobRecord[]> {
  const query = status === undefined ? searchKeyRange(searchId) : IDBKeyRange.only([searchId, status]);
  const values = await ctx.db.getAllFromIndex('jobs', 'bySearchStatus', query);
  return values.map((value) => readJob(value, value.id)).sort((a, b) => a.id - b.id);
}

/**
 * Claims the oldest queued job of the search for tab `tabId`, or returns undefined if none
 * is queued. Two tabs claiming at once never get the same job.
 */
export async function claimNextJob(
  ctx: StoreContext,
  searchId: string,
  tabId: string,
): Promise<JobRecord | undefined> {
  const tx = ctx.db.transaction('jobs', 'readwrite');
  return inTransaction(tx, async () => {
    // Index entries with equal keys are ordered by primary key: the lowest id is the oldest.
    const cursor = await tx.store.index('bySearchStatus').openCursor([searchId, 'queued']);
    if (cursor === null) return undefined;
    const job = readJob(cursor.value, cursor.primaryKey);
    const claimed = writableJob(
      { ...job, status: 'claimed', claimedBy: tabId, claimedAt: ctx.now(), attempts: job.attempts + 1 },
      job.id,
    );
    await cursor.update(claimed);
    return claimed;
  });
}

/**
 * Reports that tab `tabId` could not train its claimed job: queued again, or 'failed' once it
 * has been claimed `maxAttempts` times. Returns undefined (and changes nothing) if the job is no
 * longer claimed by that tab: it was requeued and belongs to someone else now.
 */
export async function failJob(
  ctx: StoreContext,
  jobId: number,
  tabId: string,
  reason: string,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
): Promise<JobRecord | undefined> {
  const tx = ctx.db.transaction('jobs', 'readwrite');
  return inTransaction(tx, async () => {
    const stored = await tx.store.get(jobId);
    if (stored === undefined) throw new NotFoundError('jobs', jobId);
    const job = readJob(stored, jobId);
    if (job.status !== 'claimed' || job.claimedBy !== tabId) return undefined;
    const status: JobStatus = job.attempts >= maxAttempts ? 'failed' : 'queued';
    const updated = writableJob({ ...job, status, claimedBy: null, claimedAt: null, lastError: reason }, jobId);
    await tx.store.put(updated);
    return updated;
  });
}

/**
 * Puts claimed jobs back in the queue when `shouldRequeue(claimedBy, job)` says so (the leader
 * passes "that tab no longer holds its lock"; a tab passes "mine, but none of my trainers
 * trains it"). Returns the requeued jobs.
 * `shouldRequeue` runs inside the transaction and must be synchronous.
 */
export async function requeueJobs(
  ctx: StoreContext,
  searchId: string,
  shouldRequeue: (claimedBy: string | null, job: JobRecord) => boolean,
): Promise<JobRecord[]> {
  const tx = ctx.db.transaction('jobs', 'readwrite');
  return inTransaction(tx, async () => {
    const claimed = await tx.store.index('bySearchStatus').getAll([searchId, 'claimed']);
    const requeued: JobRecord[] = [];
    for (const value of claimed) {
      const job = readJob(value, value.id);
      if (!shouldRequeue(job.claimedBy, job)) continue;
      const updated = writableJob({ ...job, status: 'queued', claimedBy: null, claimedAt: null }, job.id);
      await tx.store.put(updated);
      requeued.push(updated);
    }
    return requeued.sort((a, b) => a.id - b.id);
  });
}

/** Requeues every claimed job of the search (a search resumed after every tab closed). */
export async function requeueAllClaimed(ctx: StoreContext, searchId: string): Promise<JobRecord[]> {
  return requeueJobs(ctx, searchId, () => true);
}

export type AttachOutcome =
  | { readonly attachedTo: 'replay'; readonly entry: ReplayRecord }
  | { readonly attachedTo: 'job'; readonly job: JobRecord };

/**
 * Records that agent iteration `iteration` sampled `netString` again: on its replay entry if
 * the net is trained (reuse its accuracy), else on its queued or claimed job (the result will
 * count for this iteration too). Returns undefined, writing nothing, when the net is neither
 * trained nor being trained: enqueue it. Attaching the same iteration twice changes nothing.
 * `agentState`, when given, is stored in the same transaction when something was attached.
 */
export async function attachIteration(
  ctx: StoreContext,
  searchId: string,
  netString: string,
  iteration: number,
  agentState?: AgentStateWrite,
): Promise<AttachOutcome | undefined> {
  const netKey: [string, string] = [searchId, netString];
  const tx = ctx.db.transaction(['replay', 'jobs', 'agent'], 'readwrite');
  return inTransaction(tx, async () => {
    const outcome = await attachInside();
    if (outcome !== undefined && agentState !== undefined) {
      await writeAgentState(tx.objectStore('agent'), searchId, agentState, ctx.now());
    }
    return outcome;
  });

  async function attachInside(): Promise<AttachOutcome | undefined> {
    const replay = tx.objectStore('replay');
    const stored = await replay.get(netKey);
    if (stored !== undefined) {
      const existing = readReplay(stored, netKey);
      const entry = writableReplay(
        { ...existing, iterations: mergeIterations(existing.iterations, [iteration]) },
        netKey,
      );
      await replay.put(entry);
      return { attachedTo: 'replay', entry };
    }
    const jobs = tx.objectStore('jobs');
    const sameNet = await jobs.index('bySearchNet').getAll(netKey);
    const active = sameNet.map((value) => readJob(value, value.id)).find(isActive);
    if (active === undefined) return undefined;
    const job = writableJob({ ...active, iterations: mergeIterations(active.iterations, [iteration]) }, active.id);
    await jobs.put(job);
    return { attachedTo: 'job', job };
  }
}

export type CommitOutcome =
  | {
      readonly applied: true;
      readonly entry: ReplayRecord;
      /** New revision of the agent state, when one was written. */
      readonly agentRevision: number | undefined;
    }
  | {
      readonly applied: false;
      /**
       * 'job-already-done': this job's result was committed before (a retry, or a tab whose
       * claim was requeued finishing late); nothing changed.
       * 'identical-entry-exists': the replay memory held this exact result already; the job
       * is marked done and its iterations are merged into the entry.
       */
      readonly reason: 'job-already-done' | 'identical-entry-exists';
    };

/**
 * Writes a trained net's result, in ONE transaction: the replay entry (with every iteration
 * attached to the job meanwhile), the job marked done, and `agentState` when given (written
 * only when the result is applied). Committing a job twice counts it once. A different result
 * for a net already in the replay memory fails with `DuplicateNetError` and changes nothing.
 */
export async function commitResult(
  ctx: StoreContext,
  searchId: string,
  jobId: number,
  entry: ReplayEntry,
  agentState?: AgentStateWrite,
): Promise<CommitOutcome> {
  const netKey: [string, string] = [searchId, entry.netString];
  const tx = ctx.db.transaction(['jobs', 'replay', 'agent'], 'readwrite');
  return inTransaction(tx, async (): Promise<CommitOutcome> => {
    const jobs = tx.objectStore('jobs');
    const stored = await jobs.get(jobId);
    if (stored === undefined) throw new NotFoundError('jobs', jobId);
    const job = readJob(stored, jobId);
    if (job.searchId !== searchId || job.netString !== entry.netString) {
      throw new Error(
        `Job ${jobId} trains ${job.netString} for search "${job.searchId}", ` +
          `not ${entry.netString} for search "${searchId}"`,
      );
    }
    if (job.status === 'done') return { applied: false, reason: 'job-already-done' };

    const record = writableReplay(
      { ...entry, searchId, iterations: mergeIterations(entry.iterations, job.iterations) },
      netKey,
    );
    // A job that failed on every attempt keeps the reason beside its chance-accuracy entry.
    const done = writableJob({ ...job, status: 'done', lastError: job.status === 'failed' ? job.lastError : null }, jobId);
    const replay = tx.objectStore('replay');
    const existingValue = await replay.get(netKey);
    if (existingValue !== undefined) {
      const existing = readReplay(existingValue, netKey);
      if (!sameResult(existing, record)) {
        throw new DuplicateNetError(searchId, entry.netString, `job ${jobId} reports a different result`);
      }
      await replay.put({ ...existing, iterations: mergeIterations(existing.iterations, record.iterations) });
      await jobs.put(done);
      return { applied: false, reason: 'identical-entry-exists' };
    }
    await replay.add(record);
    await jobs.put(done);
    const agentRevision =
      agentState === undefined
        ? undefined
        : await writeAgentState(tx.objectStore('agent'), searchId, agentState, ctx.now());
    return { applied: true, entry: record, agentRevision };
  });
}
