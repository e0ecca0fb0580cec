/**
 * A search shared across machines (issue 17) keeps its IndexedDB records on every machine:
 * the leading machine's are the truth, the others mirror them. Two writes serve that, each in
 * one transaction so a reload or a crash never leaves half of one:
 *
 * - `applyMirror`: a following machine takes the leader's agent state (with its revision, even
 *   a lower one: a machine that led before a takeover gives up its own),
 *   replay entries (replacing its own) and active jobs: a job the leader queued is queued
 *   here too; a job of a net the leader has a result for is done; a job the leader no longer
 *   has is removed.
 * - `holdJobs`: jobs another machine has leased are claimed here by a stand-in tab
 *   (`hub:<machine>`), so this machine's trainers leave them; a stand-in claim whose lease is
 *   gone is queued again.
 *
 * And one read: `publishView`, what a machine publishes, read in one transaction so the
 * agent state, the replay and the jobs the leading machine publishes are of one moment (an agent waiting on
 * a net whose job is not published would wait forever on the machine that takes over).
 */
import * as v from 'valibot';
import type { StoreContext } from './context.js';
import { NotFoundError } from './errors.js';
import { AgentRecordSchema, JobRecordSchema, SearchRecordSchema, type AgentRecord, type JobRecord, type ReplayEntry, type ReplayRecord, type SearchStatus } from './records.js';
import { readReplay, replayIn, sameResult, writableReplay } from './replay.js';
import { searchKeyRange } from './context.js';
import { inTransaction } from './transaction.js';
import { checkRecord } from './validate.js';

const NewJobSchema = v.omit(JobRecordSchema, ['id']);

/** Claims by another machine are held by tabs named with this prefix. */
export const REMOTE_HOLDER_PREFIX = 'hub:';

export interface MirrorJob {
  readonly netString: string;
  readonly iterations: readonly number[];
  readonly epsilon: number;
  readonly trainSampleSize?: number | null;
}

export interface MirrorWrite {
  /** The leader's agent state and its revision; written when the revision differs from the one here. */
  readonly agent: { readonly revision: number; readonly state: object } | null;
  /**
   * The leader's replay entries: all of them. An entry here that is neither among them nor a
   * result for one of the leader's active jobs (a result offered, not yet taken) is removed: a
   * machine that led before a takeover keeps only what the new leader holds.
   */
  readonly replay: readonly ReplayEntry[];
  /** The leader's queued and claimed jobs. */
  readonly jobs: readonly MirrorJob[];
  /** The leader's search status. */
  readonly status: SearchStatus | null;
  /** Nets other machines hold (net → stand-in tab): a job added for one is added claimed by it, so no trainer here takes it meanwhile. */
  readonly heldBy?: ReadonlyMap<string, string>;
}

export interface MirrorOutcome {
  readonly statusWritten: boolean;
  readonly agentWritten: boolean;
  readonly replayWritten: number;
  readonly replayRemoved: number;
  readonly jobsAdded: number;
  readonly jobsDone: number;
  readonly jobsRemoved: number;
}

export async function applyMirror(ctx: StoreContext, searchId: string, write: MirrorWrite): Promise<MirrorOutcome> {
  const tx = ctx.db.transaction(['searches', 'agent', 'replay', 'jobs'], 'readwrite');
  return inTransaction(tx, async (): Promise<MirrorOutcome> => {
    const searches = tx.objectStore('searches');
    const storedSearch = await searches.get(searchId);
    if (storedSearch === undefined) throw new NotFoundError('searches', searchId);
    const search = checkRecord(SearchRecordSchema, storedSearch, { store: 'searches', key: searchId, direction: 'read' });
    const statusWritten = write.status !== null && write.status !== search.status;
    if (statusWritten) {
      await searches.put(checkRecord(SearchRecordSchema, { ...search, status: write.status, updatedAt: ctx.now() }, { store: 'searches', key: searchId, direction: 'write' }));
    }

    let agentWritten = false;
    if (write.agent !== null) {
      const agents = tx.objectStore('agent');
      const stored = await agents.get(searchId);
      const revision = stored === undefined ? 0 : checkRecord(AgentRecordSchema, stored, { store: 'agent', key: searchId, direction: 'read' }).revision;
      // The leader's state whenever it differs: after a change of leader its revision may be below this one's.
      if (write.agent.revision !== revision) {
        await agents.put(checkRecord(AgentRecordSchema, { searchId, revision: write.agent.revision, state: write.agent.state, updatedAt: ctx.now() }, { store: 'agent', key: searchId, direction: 'write' }));
        agentWritten = true;
      }
    }

    const replay = tx.objectStore('replay');
    let replayWritten = 0;
    for (const entry of write.replay) {
      const key: [string, string] = [searchId, entry.netString];
      const record = writableReplay({ ...entry, searchId }, key);
      const stored = await replay.get(key);
      if (stored !== undefined) {
        const existing = readReplay(stored, key);
        if (sameResult(existing, record) && JSON.stringify(existing.iterations) === JSON.stringify(record.iterations)) continue;
      }
      await replay.put(record);
      replayWritten++;
    }

    const leaderNets = new Set([...write.replay.map((e) => e.netString), ...write.jobs.map((j) => j.netString)]);
    let replayRemoved = 0;
    for (const key of await replay.getAllKeys(searchKeyRange(searchId))) {
      const net = (key as [string, string])[1];
      if (leaderNets.has(net)) continue;
      await replay.delete(key);
      replayRemoved++;
    }

    const jobs = tx.objectStore('jobs');
    const all = (await jobs.index('bySearchStatus').getAll(searchKeyRange(searchId))).map((value) => checkRecord(JobRecordSchema, value, { store: 'jobs', key: value.id, direction: 'read' }));
    const local = all.filter((job) => job.status === 'queued' || job.status === 'claimed');
    // A job that failed here for good is not queued again: the leader is told (src/hub), and ends it.
    const failedHere = new Set(all.filter((job) => job.status === 'failed').map((job) => job.netString));
    const leaderJobs = new Map(write.jobs.map((job) => [job.netString, job]));
    const localByNet = new Map(local.map((job) => [job.netString, job]));
    let jobsAdded = 0;
    let jobsDone = 0;
    let jobsRemoved = 0;
    for (const job of local) {
      // A net with a result is done here, even where the leader still lists its job (its
      // records from before it took the result): training it again here could only be refused.
      const trained = (await replay.get([searchId, job.netString])) !== undefined;
      if (trained) {
        await jobs.put(checkRecord(JobRecordSchema, { ...job, status: 'done' }, { store: 'jobs', key: job.id, direction: 'write' }));
        jobsDone++;
      } else if (!leaderJobs.has(job.netString)) {
        await jobs.delete(job.id);
        jobsRemoved++;
      }
    }
    for (const job of write.jobs) {
      const existing = localByNet.get(job.netString);
      if (existing !== undefined) {
        if (JSON.stringify(existing.iterations) !== JSON.stringify([...job.iterations])) {
          await jobs.put(checkRecord(JobRecordSchema, { ...existing, iterations: [...job.iterations] }, { store: 'jobs', key: existing.id, direction: 'write' }));
        }
        continue;
      }
      if (failedHere.has(job.netString) || (await replay.get([searchId, job.netString])) !== undefined) continue;
      const holder = write.heldBy?.get(job.netString);
      const record = {
        searchId,
        netString: job.netString,
        iterations: [...job.iterations],
        epsilon: job.epsilon,
        ...(holder === undefined ? { status: 'queued' as const, claimedBy: null, claimedAt: null } : { status: 'claimed' as const, claimedBy: holder, claimedAt: ctx.now() }),
        attempts: 0,
        lastError: null,
        createdAt: ctx.now(),
        ...(job.trainSampleSize == null ? {} : { trainSampleSize: job.trainSampleSize }),
      };
      await jobs.add(checkRecord(NewJobSchema, record, { store: 'jobs', key: job.netString, direction: 'write' }) as JobRecord);
      jobsAdded++;
    }
    return { statusWritten, agentWritten, replayWritten, replayRemoved, jobsAdded, jobsDone, jobsRemoved };
  });
}

/**
 * Claims, for stand-in tabs, the queued jobs other machines hold (`heldBy`: net → holder tab
 * name, `hub:<machine>`), and queues again the stand-in claims no longer held. Returns how
 * many changed, and which nets stand-ins hold now (net → holder): a job a tab of this browser
 * claimed first is not among them.
 */
export async function holdJobs(ctx: StoreContext, searchId: string, heldBy: ReadonlyMap<string, string>): Promise<{ changed: number; held: Map<string, string> }> {
  const tx = ctx.db.transaction('jobs', 'readwrite');
  return inTransaction(tx, async () => {
    let changed = 0;
    const held = new Map<string, string>();
    for (const value of await tx.store.index('bySearchStatus').getAll(searchKeyRange(searchId))) {
      const job = checkRecord(JobRecordSchema, value, { store: 'jobs', key: value.id, direction: 'read' });
      const holder = heldBy.get(job.netString);
      let next: JobRecord | null = null;
      if (job.status === 'queued' && holder !== undefined) {
        next = { ...job, status: 'claimed', claimedBy: holder, claimedAt: ctx.now() };
      } else if (job.status === 'claimed' && job.claimedBy?.startsWith(REMOTE_HOLDER_PREFIX) && holder !== job.claimedBy) {
        next = holder === undefined ? { ...job, status: 'queued', claimedBy: null, claimedAt: null } : { ...job, claimedBy: holder, claimedAt: ctx.now() };
      }
      const now = next ?? job;
      if (now.status === 'claimed' && now.claimedBy?.startsWith(REMOTE_HOLDER_PREFIX)) held.set(now.netString, now.claimedBy);
      if (next === null) continue;
      await tx.store.put(checkRecord(JobRecordSchema, next, { store: 'jobs', key: job.id, direction: 'write' }));
      changed++;
    }
    return { changed, held };
  });
}

/** What a machine publishes, all of one moment: the leader its records, a follower its results. */
export interface PublishView {
  readonly status: SearchStatus | null;
  /** Agent revision and replay size: what changes whenever the agent or the replay does. */
  readonly mark: string;
  /** The agent state and the replay: undefined when `mark` equals the caller's `since` (unchanged, not read). */
  readonly changed?: { readonly agent: AgentRecord | null; readonly replay: readonly ReplayRecord[] };
  /** Queued and claimed jobs. */
  readonly jobs: readonly JobRecord[];
}

export async function publishView(ctx: StoreContext, searchId: string, since: string | null): Promise<PublishView> {
  const tx = ctx.db.transaction(['searches', 'agent', 'replay', 'jobs'], 'readonly');
  return inTransaction(tx, async (): Promise<PublishView> => {
    const searchValue = await tx.objectStore('searches').get(searchId);
    const status = searchValue === undefined ? null : checkRecord(SearchRecordSchema, searchValue, { store: 'searches', key: searchId, direction: 'read' }).status;
    const agentValue = await tx.objectStore('agent').get(searchId);
    const agent = agentValue === undefined ? null : checkRecord(AgentRecordSchema, agentValue, { store: 'agent', key: searchId, direction: 'read' });
    const replay = tx.objectStore('replay');
    const mark = `${agent?.revision ?? 0}:${await replay.count(searchKeyRange(searchId))}`;
    let changed: PublishView['changed'];
    if (mark !== since) {
      changed = { agent, replay: await replayIn(replay, searchId) };
    }
    const byStatus = tx.objectStore('jobs').index('bySearchStatus');
    const jobs = [...(await byStatus.getAll(IDBKeyRange.only([searchId, 'queued']))), ...(await byStatus.getAll(IDBKeyRange.only([searchId, 'claimed'])))].map((value) =>
      checkRecord(JobRecordSchema, value, { store: 'jobs', key: value.id, direction: 'read' }),
    );
    return { status, mark, ...(changed ? { changed } : {}), jobs: jobs.sort((a, b) => a.id - b.id) };
  });
}
