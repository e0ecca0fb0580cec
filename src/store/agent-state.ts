import type { IDBPObjectStore } from 'idb';
import type { StoreContext } from './context.js';
import { NotFoundError, RevisionConflictError } from './errors.js';
import { AgentRecordSchema, type AgentRecord } from './records.js';
import type { MetaqnnDB, StoreName } from './schema.js';
import { inTransaction } from './transaction.js';
import { checkRecord } from './validate.js';

/** New agent state to write, optionally guarded by the revision the writer last read. */
export interface AgentStateWrite {
  /** `Agent.toJSON()` of the core. */
  readonly state: object;
  /** When given, the write fails with `RevisionConflictError` if the stored revision differs (0: none stored). */
  readonly expectedRevision?: number;
}

export async function getAgentState(ctx: StoreContext, searchId: string): Promise<AgentRecord | undefined> {
  const value = await ctx.db.get('agent', searchId);
  if (value === undefined) return undefined;
  return checkRecord(AgentRecordSchema, value, { store: 'agent', key: searchId, direction: 'read' });
}

/** Writes the agent state of an existing search; returns the new revision. */
export async function putAgentState(
  ctx: StoreContext,
  searchId: string,
  write: AgentStateWrite,
): Promise<number> {
  const tx = ctx.db.transaction(['searches', 'agent'], 'readwrite');
  return inTransaction(tx, async () => {
    await requireSearch(tx.objectStore('searches'), searchId);
    return writeAgentState(tx.objectStore('agent'), searchId, write, ctx.now());
  });
}

/** Inside a caller's transaction: bump the revision and store the state. Returns the new revision. */
export async function writeAgentState<TxStores extends ArrayLike<StoreName>>(
  store: IDBPObjectStore<MetaqnnDB, TxStores, 'agent', 'readwrite'>,
  searchId: string,
  write: AgentStateWrite,
  now: number,
): Promise<number> {
  const stored = await store.get(searchId);
  const current =
    stored === undefined
      ? 0
      : checkRecord(AgentRecordSchema, stored, { store: 'agent', key: searchId, direction: 'read' }).revision;
  if (write.expectedRevision !== undefined && write.expectedRevision !== current) {
    throw new RevisionConflictError(searchId, write.expectedRevision, current);
  }
  const record = checkRecord(
    AgentRecordSchema,
    { searchId, revision: current + 1, state: write.state, updatedAt: now },
    { store: 'agent', key: searchId, direction: 'write' },
  );
  await store.put(record);
  return record.revision;
}

/** Inside a caller's transaction: fail unless the search exists (no orphan records after a delete). */
export async function requireSearch<TxStores extends ArrayLike<StoreName>, Mode extends IDBTransactionMode>(
  store: IDBPObjectStore<MetaqnnDB, TxStores, 'searches', Mode>,
  searchId: string,
): Promise<void> {
  if ((await store.getKey(searchId)) === undefined) throw new NotFoundError('searches', searchId);
}
