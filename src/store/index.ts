/** Public surface of src/store. See README.md. */
export { openStore, Store, type StoreOptions } from './store.js';
export { DB_NAME, DB_VERSION, type MetaqnnDB } from './schema.js';
export type { AgentStateWrite } from './agent-state.js';
export { MAX_TICK_GAP_MS, type NewSearch } from './searches.js';
export { DEFAULT_MAX_ATTEMPTS, type AttachOutcome, type CommitOutcome, type NewJob } from './jobs.js';
export type { ImportOutcome } from './replay.js';
export { REMOTE_HOLDER_PREFIX, type PublishView, type MirrorJob, type MirrorOutcome, type MirrorWrite } from './mirror.js';
export type { NewSearchSnapshot, SearchSnapshot, SnapshotJob, SnapshotWeights } from './snapshot.js';
export { WEIGHTS_KEEP_TOP, type WeightsInput } from './weights.js';
export type { DatasetInput, StoredDataset } from './datasets.js';
export {
  estimateStorage,
  requestPersistence,
  type PersistenceResult,
  type StorageManagerLike,
  type StorageUsage,
} from './storage-estimate.js';
export {
  AlreadyExistsError,
  DatabaseOpenError,
  DuplicateNetError,
  errorName,
  isQuotaExceeded,
  NotFoundError,
  QuotaError,
  RecordValidationError,
  RevisionConflictError,
} from './errors.js';
/** Record schemas, for validating records that arrive in files (replay exports, search archives). */
export { JsonObjectSchema, MAX_ITERATION, ReplayEntrySchema, SearchRecordSchema, WeightSpecSchema } from './records.js';
export {
  isSearchEnded,
  JOB_STATUSES,
  REPLAY_SOURCES,
  REPLAY_STATUSES,
  SEARCH_STATUSES,
  type AgentRecord,
  type DatasetDataRecord,
  type DatasetPart,
  type DatasetRecord,
  type EpochPoint,
  type FinalResults,
  type FineTuned,
  type JobRecord,
  type JobStatus,
  type Latency,
  type ReplayEntry,
  type ReplayRecord,
  type ReplaySource,
  type ReplayStatus,
  type SearchRecord,
  type SearchStatus,
  type Timings,
  type WeightSpec,
  type WeightsRecord,
} from './records.js';
