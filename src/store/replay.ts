import { requireSearch } from './agent-state.js';
import { searchKeyRange, type StoreContext } from './context.js';
import { DuplicateNetError } from './errors.js';
import { ReplayRecordSchema, type ReplayEntry, type ReplayRecord } from './records.js';
import { inTransaction } from './transaction.js';
import { checkRecord } from './validate.js';

export function readReplay(value: unknown, key: unknown): ReplayRecord {
  return checkRecord(ReplayRecordSchema, value, { store: 'replay', key, direction: 'read' });
}

export function writableReplay(value: unknown, key: unknown): ReplayRecord {
  return checkRecord(ReplayRecordSchema, value, { store: 'replay', key, direction: 'write' });
}

/** Ascending union of two iteration lists. */
export function mergeIterations(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

/**
 * Whether two parsed records hold the same result. Iterations are left out: they record when
 * the agent sampled the net, not what training measured. Parsed records have their keys in
 * schema order, so JSON text compares them field by field.
 */
export function sameResult(a: ReplayRecord, b: ReplayRecord): boolean {
  return JSON.stringify({ ...a, iterations: [] }) === JSON.stringify({ ...b, iterations: [] });
}

/** The search's replay memory, in the order the agent first sampled each net (entries without iterations last). */
export async function listReplay(ctx: StoreContext, searchId: string): Promise<ReplayRecord[]> {
  const tx = ctx.db.transaction('replay', 'readonly');
  return inTransaction(tx, () => replayIn(tx.store, searchId));
}

/** listReplay through the replay object store of a transaction already open (one `getAll`). */
export async function replayIn(replay: { getAll(query: IDBKeyRange): Promise<unknown[]> }, searchId: string): Promise<ReplayRecord[]> {
  const values = await replay.getAll(searchKeyRange(searchId));
  return values.map((value) => readReplay(value, [searchId, (value as { netString?: unknown }).netString])).sort(compareReplay);
}

/** How many nets the search's replay memory holds, without reading them. */
export function countReplay(ctx: StoreContext, searchId: string): Promise<number> {
  return ctx.db.count('replay', searchKeyRange(searchId));
}

/** The order of `listReplay`: first sampling iteration, then finish time, then net. */
export function compareReplay(a: ReplayRecord, b: ReplayRecord): number {
  return (
    (a.iterations[0] ?? Infinity) - (b.iterations[0] ?? Infinity) ||
    a.finishedAt - b.finishedAt ||
    a.netString.localeCompare(b.netString)
  );
}

export async function getReplayEntry(
  ctx: StoreContext,
  searchId: string,
  netString: string,
): Promise<ReplayRecord | undefined> {
  const key: [string, string] = [searchId, netString];
  const value = await ctx.db.get('replay', key);
  return value === undefined ? undefined : readReplay(value, key);
}

export interface ImportOutcome {
  /** Entries written as new nets. */
  readonly added: number;
  /** Entries whose net was already stored with the same result (iterations merged). */
  readonly merged: number;
}

/**
 * Adds entries from elsewhere (a replay file) to a search's replay memory, all or nothing.
 * A net already stored with a different result fails the whole import with
 * `DuplicateNetError`: the importer decides which of two results to keep, not the store.
 */
export async function importReplay(
  ctx: StoreContext,
  searchId: string,
  entries: readonly ReplayEntry[],
): Promise<ImportOutcome> {
  const tx = ctx.db.transaction(['searches', 'replay'], 'readwrite');
  return inTransaction(tx, async () => {
    await requireSearch(tx.objectStore('searches'), searchId);
    const replay = tx.objectStore('replay');
    let added = 0;
    let merged = 0;
    for (const [index, entry] of entries.entries()) {
      const key: [string, string] = [searchId, entry.netString];
      const record = writableReplay({ ...entry, searchId }, key);
      const stored = await replay.get(key);
      if (stored === undefined) {
        await replay.add(record);
        added += 1;
        continue;
      }
      const existing = readReplay(stored, key);
      if (!sameResult(existing, record)) {
        throw new DuplicateNetError(searchId, entry.netString, `entry ${index} of the import has a different result`);
      }
      await replay.put({ ...existing, iterations: mergeIterations(existing.iterations, record.iterations) });
      merged += 1;
    }
    return { added, merged };
  });
}
