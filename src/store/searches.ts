import { searchKeyRange, type StoreContext } from './context.js';
import { AlreadyExistsError, NotFoundError } from './errors.js';
import {
  SearchRecordSchema,
  type FinalResults,
  type FineTuned,
  type SearchRecord,
  type SearchStatus,
} from './records.js';
import { inTransaction } from './transaction.js';
import { checkRecord } from './validate.js';

export interface NewSearch {
  /** Defaults to a fresh UUID. */
  readonly id?: string;
  readonly name: string;
  /** Validated by the search layer; here it only has to be a JSON object. */
  readonly config: object;
  readonly seed: number;
  readonly datasetId: string;
  readonly presetId: string;
}

function readSearch(value: unknown, id: string): SearchRecord {
  return checkRecord(SearchRecordSchema, value, { store: 'searches', key: id, direction: 'read' });
}

function writableSearch(value: unknown, id: string): SearchRecord {
  return checkRecord(SearchRecordSchema, value, { store: 'searches', key: id, direction: 'write' });
}

/** Writes a new search in status 'ready'. */
export async function createSearch(ctx: StoreContext, input: NewSearch): Promise<SearchRecord> {
  const id = input.id ?? ctx.newId();
  const now = ctx.now();
  const record = writableSearch(
    {
      id,
      name: input.name,
      config: input.config,
      seed: input.seed,
      status: 'ready',
      createdAt: now,
      updatedAt: now,
      datasetId: input.datasetId,
      presetId: input.presetId,
    },
    id,
  );
  const tx = ctx.db.transaction('searches', 'readwrite');
  await inTransaction(tx, async () => {
    if ((await tx.store.getKey(id)) !== undefined) throw new AlreadyExistsError('searches', id);
    await tx.store.add(record);
  });
  return record;
}

export async function getSearch(ctx: StoreContext, id: string): Promise<SearchRecord | undefined> {
  const value = await ctx.db.get('searches', id);
  return value === undefined ? undefined : readSearch(value, id);
}

/** Every search, newest first. */
export async function listSearches(ctx: StoreContext): Promise<SearchRecord[]> {
  const tx = ctx.db.transaction('searches', 'readonly');
  const searches: SearchRecord[] = [];
  for await (const cursor of tx.store) searches.push(readSearch(cursor.value, cursor.primaryKey));
  await tx.done;
  return searches.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}

/**
 * Sets the status. `error` is kept only with status 'failed' (a search that is resumed no
 * longer shows the failure that stopped it).
 */
export async function updateSearchStatus(
  ctx: StoreContext,
  id: string,
  status: SearchStatus,
  error?: string,
): Promise<SearchRecord> {
  return updateSearch(ctx, id, (search) => {
    const { error: previousError, ...base } = search;
    // The clock runs while the search runs (main or final phase) and stops otherwise.
    const rest = { ...base, clock: advanceClock(search.clock, ctx.now(), status === 'running' || status === 'final') };
    if (status !== 'failed') return { ...rest, status };
    const message = error ?? previousError;
    return message === undefined ? { ...rest, status } : { ...rest, status, error: message };
  });
}

/** A gap between a search's clock ticks longer than this was nobody working (every tab closed): not counted. */
export const MAX_TICK_GAP_MS = 90_000;

type Clock = NonNullable<SearchRecord['clock']>;

/** The clock at `now`: the time since the last tick counted (if the gap is plausible), running on or stopped. */
function advanceClock(clock: Clock | undefined, now: number, running: boolean, maxGapMs = MAX_TICK_GAP_MS): Clock {
  const c = clock ?? { usedMs: 0, tickAt: null, addedMs: 0 };
  const gap = c.tickAt === null ? Infinity : now - c.tickAt;
  return { ...c, usedMs: c.usedMs + (gap >= 0 && gap <= maxGapMs ? gap : 0), tickAt: running ? now : null };
}

/** Stores which trainers may claim jobs (the leader's admission state). */
export async function setSearchAdmission(ctx: StoreContext, id: string, admission: NonNullable<SearchRecord['admission']>): Promise<SearchRecord> {
  return updateSearch(ctx, id, (search) => ({ ...search, admission }));
}

/** Stores a budgeted search's plan (its leader's calibration and images per net). */
export async function setSearchPlan(ctx: StoreContext, id: string, plan: NonNullable<SearchRecord['plan']>): Promise<SearchRecord> {
  return updateSearch(ctx, id, (search) => ({ ...search, plan }));
}

/** Stores the final-phase results (best single net, top-5 ensemble). */
export async function setSearchFinal(ctx: StoreContext, id: string, final: FinalResults): Promise<SearchRecord> {
  return updateSearch(ctx, id, (search) => ({ ...search, final }));
}

/** Records one more fine-tuned net of the final phase (replacing an earlier record of the same net). */
export async function addFineTuned(ctx: StoreContext, id: string, fineTuned: FineTuned): Promise<SearchRecord> {
  return updateSearch(ctx, id, (search) => {
    const kept = (search.finalProgress?.fineTuned ?? []).filter((f) => f.netString !== fineTuned.netString);
    return { ...search, finalProgress: { fineTuned: [...kept, fineTuned] } };
  });
}

/**
 * Advances a search's clock to `now` (its leader ticks it as it works): the time since the last
 * tick counts unless the gap is longer than MAX_TICK_GAP_MS (no one worked: every tab closed).
 */
export async function tickSearchClock(ctx: StoreContext, id: string, now: number): Promise<SearchRecord> {
  return updateSearch(ctx, id, (search) => {
    const running = search.status === 'running' || search.status === 'final';
    return { ...search, clock: advanceClock(search.clock, now, running) };
  });
}

/**
 * More time for a budgeted search that ended ("add 10 minutes"): the clock gets `ms` more, the
 * final results are cleared (the final phase runs again at the new end) and the search runs.
 */
export async function extendSearchBudget(ctx: StoreContext, id: string, ms: number): Promise<SearchRecord> {
  if (!(ms > 0)) throw new RangeError(`extendSearchBudget: expected a positive time, got ${ms}`);
  return updateSearch(ctx, id, (search) => {
    if (search.status !== 'done' && search.status !== 'stopped') {
      throw new Error(`search ${id} is ${search.status}: time can be added once it has ended`);
    }
    const { final: _final, finalProgress: _progress, error: _error, ...rest } = search;
    const clock = advanceClock(search.clock, ctx.now(), true);
    return { ...rest, status: 'running', clock: { ...clock, addedMs: clock.addedMs + ms } };
  });
}

/** Counts one more result whose weights were not stored (storage quota). */
export async function countSkippedWeights(ctx: StoreContext, id: string): Promise<SearchRecord> {
  return updateSearch(ctx, id, (search) => ({ ...search, weightsSkipped: (search.weightsSkipped ?? 0) + 1 }));
}

async function updateSearch(
  ctx: StoreContext,
  id: string,
  change: (search: SearchRecord) => SearchRecord,
): Promise<SearchRecord> {
  const tx = ctx.db.transaction('searches', 'readwrite');
  return inTransaction(tx, async () => {
    const stored = await tx.store.get(id);
    if (stored === undefined) throw new NotFoundError('searches', id);
    const updated = writableSearch({ ...change(readSearch(stored, id)), updatedAt: ctx.now() }, id);
    await tx.store.put(updated);
    return updated;
  });
}

/**
 * Deletes a search with its replay memory, jobs, weights and agent state, all in one
 * transaction: another tab never sees half a search. Returns false if there was no such search.
 */
export async function deleteSearch(ctx: StoreContext, id: string): Promise<boolean> {
  const tx = ctx.db.transaction(['searches', 'agent', 'replay', 'jobs', 'weights'], 'readwrite');
  return inTransaction(tx, async () => {
    if ((await tx.objectStore('searches').getKey(id)) === undefined) return false;
    const jobs = tx.objectStore('jobs');
    const jobIds = await jobs.index('bySearchStatus').getAllKeys(searchKeyRange(id));
    await Promise.all([
      tx.objectStore('searches').delete(id),
      tx.objectStore('agent').delete(id),
      tx.objectStore('replay').delete(searchKeyRange(id)),
      tx.objectStore('weights').delete(searchKeyRange(id)),
      ...jobIds.map((jobId) => jobs.delete(jobId)),
    ]);
    return true;
  });
}
