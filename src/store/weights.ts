import { requireSearch } from './agent-state.js';
import { searchKeyRange, type StoreContext } from './context.js';
import { isQuotaExceeded, QuotaError } from './errors.js';
import { sumBytes, WeightsRecordSchema, type WeightSpec, type WeightsRecord } from './records.js';
import { inTransaction } from './transaction.js';
import { checkRecord } from './validate.js';

/** Weights kept per search: the top 10 are fine-tuned after the ε schedule (spec section 3). */
export const WEIGHTS_KEEP_TOP = 10;

export interface WeightsInput {
  /** Weight data as TF.js saves it (one buffer, or several for large models). */
  readonly buffers: readonly ArrayBuffer[];
  readonly specs: readonly WeightSpec[];
}

function readWeights(value: unknown, key: unknown): WeightsRecord {
  return checkRecord(WeightsRecordSchema, value, { store: 'weights', key, direction: 'read' });
}

/**
 * Stores a trained net's weights. When the browser refuses for lack of space this throws a
 * `QuotaError` and stores nothing; the search can go on without these weights.
 */
export async function putWeights(
  ctx: StoreContext,
  searchId: string,
  netString: string,
  weights: WeightsInput,
): Promise<WeightsRecord> {
  const key: [string, string] = [searchId, netString];
  const byteLength = sumBytes(weights.buffers);
  const record = checkRecord(
    WeightsRecordSchema,
    { searchId, netString, buffers: weights.buffers, specs: weights.specs, byteLength, createdAt: ctx.now() },
    { store: 'weights', key, direction: 'write' },
  );
  try {
    const tx = ctx.db.transaction(['searches', 'weights'], 'readwrite');
    await inTransaction(tx, async () => {
      await requireSearch(tx.objectStore('searches'), searchId);
      await tx.objectStore('weights').put(record);
    });
  } catch (error) {
    if (isQuotaExceeded(error)) throw new QuotaError('weights', key, byteLength, { cause: error });
    throw error;
  }
  return record;
}

export async function getWeights(
  ctx: StoreContext,
  searchId: string,
  netString: string,
): Promise<WeightsRecord | undefined> {
  const key: [string, string] = [searchId, netString];
  const value = await ctx.db.get('weights', key);
  return value === undefined ? undefined : readWeights(value, key);
}

/** Nets of the search that have stored weights, without loading the weights. */
export async function listWeightNets(ctx: StoreContext, searchId: string): Promise<string[]> {
  const keys = await ctx.db.getAllKeys('weights', searchKeyRange(searchId));
  return keys.map(([, netString]) => netString);
}

/**
 * Deletes the weights of every net of the search not in `keep` (the caller passes the
 * current top `WEIGHTS_KEEP_TOP` by reward). Returns the nets whose weights were deleted.
 */
export async function pruneWeights(
  ctx: StoreContext,
  searchId: string,
  keep: Iterable<string>,
): Promise<string[]> {
  const kept = new Set(keep);
  const tx = ctx.db.transaction('weights', 'readwrite');
  return inTransaction(tx, async () => {
    const keys = await tx.store.getAllKeys(searchKeyRange(searchId));
    const doomed = keys.filter(([, netString]) => !kept.has(netString));
    await Promise.all(doomed.map((key) => tx.store.delete(key)));
    return doomed.map(([, netString]) => netString);
  });
}

/** Deletes one net's weights; returns whether there were any. */
export async function deleteWeights(ctx: StoreContext, searchId: string, netString: string): Promise<boolean> {
  const key: [string, string] = [searchId, netString];
  const tx = ctx.db.transaction('weights', 'readwrite');
  return inTransaction(tx, async () => {
    if ((await tx.store.getKey(key)) === undefined) return false;
    await tx.store.delete(key);
    return true;
  });
}
