/**
 * The shape of every record the store keeps, as valibot schemas. Types are inferred from the
 * schemas so the compile-time type and the run-time check cannot drift apart. Every record is
 * checked on its way in and on its way out (records written by another tab or an older
 * version of the app are data this code does not control).
 */
import * as v from 'valibot';

/** Opaque JSON owned by another layer (search config, agent state, dataset meta): an object, not an array. */
export const JsonObjectSchema = v.custom<Record<string, unknown>>(
  (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
  'expected a JSON object',
);

const nonEmptyString = v.pipe(v.string(), v.nonEmpty('must not be empty'));
const timestamp = v.pipe(v.number(), v.finite(), v.minValue(0));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const fraction = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1));
const milliseconds = v.pipe(v.number(), v.finite(), v.minValue(0));
/** Arrays are typed readonly so callers can pass their readonly arrays and nobody mutates a record in place. */
const list = <T extends v.GenericSchema>(item: T) => v.pipe(v.array(item), v.readonly());

// ---------------------------------------------------------------------------------------------
// searches

export const SEARCH_STATUSES = ['ready', 'running', 'paused', 'stopped', 'final', 'done', 'failed'] as const;
export type SearchStatus = (typeof SEARCH_STATUSES)[number];

export const FinalResultsSchema = v.object({
  bestNetString: nonEmptyString,
  bestTestAccuracy: fraction,
  /** Nets averaged in the ensemble (spec section 3: the top 5). */
  ensembleNetStrings: list(nonEmptyString),
  ensembleTestAccuracy: fraction,
  finishedAt: timestamp,
});
export type FinalResults = v.InferOutput<typeof FinalResultsSchema>;

/** One net fine-tuned in the final phase (spec section 3: top 10, a longer schedule). */
export const FineTunedSchema = v.object({
  netString: nonEmptyString,
  /** Best validation accuracy during fine-tuning. */
  valAccuracy: fraction,
  testAccuracy: v.nullable(fraction),
  epochs: count,
  /** Whether it continued from the search's saved weights (false: retrained from scratch). */
  fromSavedWeights: v.boolean(),
});
export type FineTuned = v.InferOutput<typeof FineTunedSchema>;

export const SearchRecordSchema = v.object({
  id: nonEmptyString,
  name: v.string(),
  config: JsonObjectSchema,
  /** Seed of the search's RNG (uint32). */
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff)),
  status: v.picklist(SEARCH_STATUSES),
  createdAt: timestamp,
  updatedAt: timestamp,
  datasetId: nonEmptyString,
  presetId: nonEmptyString,
  error: v.optional(v.string()),
  final: v.optional(FinalResultsSchema),
  /** The final phase so far, so a reload resumes it instead of starting over. */
  finalProgress: v.optional(v.object({ fineTuned: list(FineTunedSchema) })),
  /** Set when weights could not be stored (quota): the search goes on without them. */
  weightsSkipped: v.optional(count),
});
export type SearchRecord = v.InferOutput<typeof SearchRecordSchema>;

// ---------------------------------------------------------------------------------------------
// agent

export const AgentRecordSchema = v.object({
  searchId: nonEmptyString,
  /** Bumped on every write: lets a writer detect that someone else wrote in between. */
  revision: count,
  /** `Agent.toJSON()` of the core (Q-table, RNG state...); the core validates its inside. */
  state: JsonObjectSchema,
  updatedAt: timestamp,
});
export type AgentRecord = v.InferOutput<typeof AgentRecordSchema>;

// ---------------------------------------------------------------------------------------------
// replay

/** 'failed': the job failed on every attempt (a crashed or lost trainer), scored at chance. */
export const REPLAY_STATUSES = ['ok', 'too-large', 'failed-to-learn', 'failed'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];
export const REPLAY_SOURCES = ['trained', 'imported'] as const;
export type ReplaySource = (typeof REPLAY_SOURCES)[number];

export const EpochPointSchema = v.object({
  accuracy: fraction,
  loss: v.pipe(v.number(), v.finite()),
});
export type EpochPoint = v.InferOutput<typeof EpochPointSchema>;

export const LatencySchema = v.object({
  /** Forward pass of one image. */
  batch1Ms: milliseconds,
  /** Forward pass of a batch of `batchSize`, divided by `batchSize`. */
  batchNPerImageMs: milliseconds,
  batchSize: v.pipe(count, v.minValue(1)),
});
export type Latency = v.InferOutput<typeof LatencySchema>;

export const TimingsSchema = v.object({
  buildMs: milliseconds,
  firstBatchMs: milliseconds,
  trainingMs: milliseconds,
  evaluationMs: milliseconds,
});
export type Timings = v.InferOutput<typeof TimingsSchema>;

/**
 * One trained (or imported) net. Fields a replay file imported from elsewhere cannot know
 * (latency, timings, who trained it) are null rather than invented.
 */
const replayEntryEntries = {
  netString: nonEmptyString,
  /** Agent iterations that sampled this net, ascending; the first one trained it. */
  iterations: list(count),
  epsilon: fraction,
  /** Best per-epoch validation accuracy: the reward before constraints (spec section 2). */
  bestValAccuracy: fraction,
  finalValAccuracy: fraction,
  /** Null when not measured (the paper's replay file writes -1). */
  testAccuracy: v.nullable(fraction),
  valCurve: list(EpochPointSchema),
  params: count,
  multiplyAdds: count,
  latency: v.nullable(LatencySchema),
  /** Reward after constraints (parameter cap, latency penalty). */
  reward: v.pipe(v.number(), v.finite()),
  trainedBy: v.nullable(v.string()),
  backend: v.nullable(v.string()),
  adapter: v.nullable(v.string()),
  timings: v.nullable(TimingsSchema),
  finishedAt: timestamp,
  status: v.picklist(REPLAY_STATUSES),
  source: v.picklist(REPLAY_SOURCES),
};

export const ReplayEntrySchema = v.object(replayEntryEntries);
/** A replay entry as the trainer reports it (no search id). */
export type ReplayEntry = v.InferOutput<typeof ReplayEntrySchema>;

export const ReplayRecordSchema = v.object({ searchId: nonEmptyString, ...replayEntryEntries });
export type ReplayRecord = v.InferOutput<typeof ReplayRecordSchema>;

// ---------------------------------------------------------------------------------------------
// jobs

export const JOB_STATUSES = ['queued', 'claimed', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JobRecordSchema = v.object({
  /** Auto-increment key: claim order is enqueue order. */
  id: v.pipe(count, v.minValue(1)),
  searchId: nonEmptyString,
  netString: nonEmptyString,
  /** Iterations waiting for this net's result (spec section 2, several trainers). */
  iterations: list(count),
  epsilon: fraction,
  status: v.picklist(JOB_STATUSES),
  claimedBy: v.nullable(v.string()),
  claimedAt: v.nullable(timestamp),
  /** How many times the job was claimed. */
  attempts: count,
  lastError: v.nullable(v.string()),
  createdAt: timestamp,
});
export type JobRecord = v.InferOutput<typeof JobRecordSchema>;

// ---------------------------------------------------------------------------------------------
// weights

/** Mirrors TF.js's `WeightsManifestEntry` without importing TF.js. */
export const WeightSpecSchema = v.object({
  name: nonEmptyString,
  shape: list(count),
  dtype: v.picklist(['float32', 'int32', 'bool', 'complex64', 'string']),
});
export type WeightSpec = v.InferOutput<typeof WeightSpecSchema>;

export const WeightsRecordSchema = v.pipe(
  v.object({
    searchId: nonEmptyString,
    netString: nonEmptyString,
    buffers: list(v.instance(ArrayBuffer)),
    specs: list(WeightSpecSchema),
    byteLength: count,
    createdAt: timestamp,
  }),
  v.forward(
    v.check(
      (record) => record.byteLength === sumBytes(record.buffers),
      'does not match the total size of the buffers',
    ),
    ['byteLength'],
  ),
);
export type WeightsRecord = v.InferOutput<typeof WeightsRecordSchema>;

// ---------------------------------------------------------------------------------------------
// datasets: the summary and the pixel data live in two stores so that listing datasets never
// loads pixels (IndexedDB reads whole values).

export const DATASET_PARTS = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;
export type DatasetPart = (typeof DATASET_PARTS)[number];

export const DatasetRecordSchema = v.object({
  id: nonEmptyString,
  /** Owned by src/data (name, classes, shape, counts...). */
  meta: JsonObjectSchema,
  /** Bytes of each part, so a reader can check the data record against it. */
  partBytes: v.object({
    trainImages: count,
    trainLabels: count,
    testImages: count,
    testLabels: count,
  }),
  byteLength: count,
  importedAt: timestamp,
});
export type DatasetRecord = v.InferOutput<typeof DatasetRecordSchema>;

export const DatasetDataRecordSchema = v.object({
  datasetId: nonEmptyString,
  trainImages: v.instance(ArrayBuffer),
  trainLabels: v.instance(ArrayBuffer),
  testImages: v.instance(ArrayBuffer),
  testLabels: v.instance(ArrayBuffer),
});
export type DatasetDataRecord = v.InferOutput<typeof DatasetDataRecordSchema>;

export function sumBytes(buffers: readonly ArrayBuffer[]): number {
  return buffers.reduce((total, buffer) => total + buffer.byteLength, 0);
}
