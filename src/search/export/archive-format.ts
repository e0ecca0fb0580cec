/**
 * The search archive's format: a zip (fflate) holding
 *
 * - `search.json`: `{ format: "metaqnn-search-archive", version: 1, exportedAt, originalId,
 *   search (the search record without its id: name, config, seed, status, dataset, preset,
 *   final results...), agent ({ revision, state: Agent.toJSON() with the Q-table } or null),
 *   replay (the store's entries), jobs (the jobs of nets the agent has in flight), weights
 *   (an index: { file, netString, specs, bufferByteLengths, createdAt }) }`;
 * - `weights/<n>.bin`: the n-th weights record's buffers, concatenated (stored, not deflated:
 *   float32 weights barely compress).
 *
 * Jobs travel with the agent state because the agent waits for the nets it has in flight:
 * without their jobs an imported search would wait forever.
 */
import * as v from 'valibot';
import { JsonObjectSchema, ReplayEntrySchema, SearchRecordSchema, WeightSpecSchema } from '../../store';
import { MESSAGE_MAX_SHOWN, shorten } from './limits';

export const SEARCH_ARCHIVE_FORMAT = 'metaqnn-search-archive';
export const SEARCH_ARCHIVE_VERSION = 1;
/** The zip entry holding everything but the weights. */
export const MANIFEST = 'search.json';

/** An archive that cannot be imported (or a search that cannot be exported); nothing was written. */
export class SearchArchiveError extends Error {
  override readonly name = 'SearchArchiveError';
}

/** Refuses an archive; the message is cut short because it may quote imported values. */
export function fail(message: string, cause?: unknown): never {
  // Messages quote imported values (valibot quotes what it received): never a whole long one.
  throw new SearchArchiveError(`search archive: ${shorten(message, MESSAGE_MAX_SHOWN)}`, cause === undefined ? undefined : { cause });
}

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const timestamp = v.pipe(v.number(), v.finite(), v.minValue(0));
const nonEmptyString = v.pipe(v.string(), v.nonEmpty('must not be empty'), v.maxLength(2048));
const weightFile = v.pipe(v.string(), v.regex(/^weights\/\d+\.bin$/, 'expected weights/<n>.bin'));

const ArchiveJobSchema = v.object({
  netString: nonEmptyString,
  iterations: v.array(count),
  epsilon: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  status: v.picklist(['queued', 'claimed', 'done', 'failed']),
  attempts: count,
  lastError: v.nullable(v.pipe(v.string(), v.maxLength(65_536))),
  createdAt: timestamp,
});

const ArchiveWeightsSchema = v.object({
  file: weightFile,
  netString: nonEmptyString,
  specs: v.array(WeightSpecSchema),
  bufferByteLengths: v.array(count),
  createdAt: timestamp,
});

export const SearchArchiveSchema = v.object({
  format: v.literal(SEARCH_ARCHIVE_FORMAT),
  version: v.literal(SEARCH_ARCHIVE_VERSION),
  exportedAt: timestamp,
  originalId: v.pipe(v.string(), v.maxLength(256)),
  search: v.omit(SearchRecordSchema, ['id']),
  agent: v.nullable(v.object({ revision: count, state: JsonObjectSchema })),
  replay: v.array(ReplayEntrySchema),
  jobs: v.array(ArchiveJobSchema),
  weights: v.array(ArchiveWeightsSchema),
});
export type SearchArchive = v.InferOutput<typeof SearchArchiveSchema>;
export type ArchiveJob = v.InferOutput<typeof ArchiveJobSchema>;
export type ArchiveWeights = v.InferOutput<typeof ArchiveWeightsSchema>;
