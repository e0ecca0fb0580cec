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

// Bounds on every field: records also come from files (search archives, replay files), and a
// value the app would never write (a datasetId of "../../etc", a date of 1e300, a 50 MB net
// string) must be refused at the door, not shown or stored. Each bound is far above what the
// app writes; the reason is beside it.

/**
 * A net string (dropout-free key, or with D(i,n) tokens). The paper's deepest nets are ~250
 * characters with dropout; 64 layers (the search config's depth limit) of the longest layer
 * tokens with dropout stay under 1,600.
 */
export const NET_STRING_MAX_CHARS = 2048;
/** Ids (searches, datasets, presets): UUIDs, "mnist", "import-<hex>". Letters, digits, "-", "_", "." and not starting with "." (no paths). */
export const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Short texts (tab ids, backend and adapter names, a search's name, which may carry a file name). */
export const SHORT_TEXT_MAX_CHARS = 1024;
/** Error messages (a job's last error, a failed search's error), stack traces included. */
export const MESSAGE_MAX_CHARS = 65_536;
/** Latest date accepted, ms since 1970: the year 2286. A date shows as a date, never "Invalid Date" (past 8.64e15). 0 means unknown. */
export const MAX_TIMESTAMP_MS = 1e13;
/** Iterations of one search: the paper's schedule is 2,700; a million leaves room for any custom one. */
export const MAX_ITERATION = 1_000_000;

const nonEmptyString = v.pipe(v.string(), v.nonEmpty('must not be empty'), v.maxLength(SHORT_TEXT_MAX_CHARS));
const id = v.pipe(v.string(), v.nonEmpty('must not be empty'), v.maxLength(128), v.regex(ID_PATTERN, 'expected an id of letters, digits, "-", "_" and "." (at most 128)'));
const netString = v.pipe(v.string(), v.nonEmpty('must not be empty'), v.maxLength(NET_STRING_MAX_CHARS));
const shortText = v.pipe(v.string(), v.maxLength(SHORT_TEXT_MAX_CHARS));
const message = v.pipe(v.string(), v.maxLength(MESSAGE_MAX_CHARS));
const timestamp = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_TIMESTAMP_MS));
const count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const iteration = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_ITERATION));
const fraction = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1));
const milliseconds = v.pipe(v.number(), v.finite(), v.minValue(0));
/** Arrays are typed readonly so callers can pass their readonly arrays and nobody mutates a record in place. */
const list = <T extends v.GenericSchema>(item: T) => v.pipe(v.array(item), v.readonly());

// ---------------------------------------------------------------------------------------------
// searches

export const SEARCH_STATUSES = ['ready', 'running', 'paused', 'stopped', 'final', 'done', 'failed'] as const;
export type SearchStatus = (typeof SEARCH_STATUSES)[number];

/** A search in one of these states is over: nothing trains or leads it any more. */
export function isSearchEnded(status: SearchStatus | null | undefined): boolean {
  return status === 'done' || status === 'stopped' || status === 'failed';
}

export const FinalResultsSchema = v.object({
  bestNetString: netString,
  bestTestAccuracy: fraction,
  /** Nets averaged in the ensemble (spec section 3: the top 5). */
  ensembleNetStrings: v.pipe(list(netString), v.maxLength(1000)),
  ensembleTestAccuracy: fraction,
  finishedAt: timestamp,
});
export type FinalResults = v.InferOutput<typeof FinalResultsSchema>;

/** One net fine-tuned in the final phase (spec section 3: top 10, a longer schedule). */
export const FineTunedSchema = v.object({
  netString: netString,
  /** Best validation accuracy during fine-tuning. */
  valAccuracy: fraction,
  testAccuracy: v.nullable(fraction),
  epochs: count,
  /** Whether it continued from the search's saved weights (false: retrained from scratch). */
  fromSavedWeights: v.boolean(),
});
export type FineTuned = v.InferOutput<typeof FineTunedSchema>;

export const SearchRecordSchema = v.object({
  id,
  name: shortText,
  config: JsonObjectSchema,
  /** Seed of the search's RNG (uint32). */
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff)),
  status: v.picklist(SEARCH_STATUSES),
  createdAt: timestamp,
  updatedAt: timestamp,
  datasetId: id,
  presetId: id,
  error: v.optional(message),
  final: v.optional(FinalResultsSchema),
  /** The final phase so far, so a reload resumes it instead of starting over. */
  finalProgress: v.optional(v.object({ fineTuned: v.pipe(list(FineTunedSchema), v.maxLength(1000)) })),
  /** Set when weights could not be stored (quota): the search goes on without them. */
  weightsSkipped: v.optional(count),
  /**
   * The time a budgeted search has spent, kept by its leader's ticks: `usedMs` so far, the
   * last tick, and the minutes added after it ended ("add 10 minutes"). A gap between ticks
   * longer than a few seconds (every tab closed, a pause) is not counted.
   */
  clock: v.optional(v.object({ usedMs: milliseconds, tickAt: v.nullable(timestamp), addedMs: milliseconds })),
  /**
   * A budgeted search's plan, written by its leader once it has measured this device: the
   * training images each net gets from then on (null: all of the config's), the size of the
   * nets it proposes, and the
   * calibration it was planned from (training time per image as a fixed part plus a part per
   * multiply-add, on one backend, fitted to `nets` nets).
   */
  plan: v.optional(
    v.object({
      trainSampleSize: v.nullable(v.pipe(count, v.minValue(1))),
      /** Multiply-adds the nets proposed from then on should stay within (null: no cap). */
      multiplyAddCap: v.optional(v.nullable(v.pipe(count, v.minValue(1)))),
      calibration: v.object({ backend: shortText, msPerImage: milliseconds, nsPerMultiplyAdd: milliseconds, nets: count }),
      plannedAt: timestamp,
    }),
  ),
  /**
   * Which trainers may claim jobs (issue 15, src/search/session/admission.ts), kept by the
   * leader: how many, whether that many is on trial, since when, the nets per hour measured
   * at each count, the smallest count found no faster (not tried again), and the trainers
   * (`tabId#slot`) admitted now. Absent: every trainer claims.
   */
  admission: v.optional(
    v.object({
      admitted: v.pipe(count, v.minValue(1)),
      phase: v.picklist(['steady', 'trial', 'confirm']),
      since: timestamp,
      measured: v.pipe(
        v.array(v.object({ trainers: v.pipe(count, v.minValue(1)), netsPerHour: v.pipe(v.number(), v.minValue(0), v.maxValue(1e9)) })),
        v.maxLength(64),
      ),
      ceiling: v.nullable(v.pipe(count, v.minValue(2))),
      trainers: v.pipe(v.array(shortText), v.maxLength(256)),
    }),
  ),
});
export type SearchRecord = v.InferOutput<typeof SearchRecordSchema>;

// ---------------------------------------------------------------------------------------------
// agent

export const AgentRecordSchema = v.object({
  searchId: id,
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
  netString,
  /** Agent iterations that sampled this net, ascending; the first one trained it. */
  iterations: v.pipe(list(iteration), v.maxLength(MAX_ITERATION)),
  epsilon: fraction,
  /** Best per-epoch validation accuracy: the reward before constraints (spec section 2). */
  bestValAccuracy: fraction,
  finalValAccuracy: fraction,
  /** Null when not measured (the paper's replay file writes -1). */
  testAccuracy: v.nullable(fraction),
  /** One point per epoch: the config allows up to 1,000 epochs. */
  valCurve: v.pipe(list(EpochPointSchema), v.maxLength(1000)),
  params: count,
  multiplyAdds: count,
  latency: v.nullable(LatencySchema),
  /** Reward after constraints (parameter cap, latency penalty). */
  reward: v.pipe(v.number(), v.finite()),
  trainedBy: v.nullable(shortText),
  backend: v.nullable(shortText),
  adapter: v.nullable(shortText),
  timings: v.nullable(TimingsSchema),
  finishedAt: timestamp,
  status: v.picklist(REPLAY_STATUSES),
  source: v.picklist(REPLAY_SOURCES),
  /**
   * Set when early stopping ended the net (Baker et al. 2017): after which epoch, the final
   * accuracy predicted from its curve (what the agent learnt from), the chance it had of
   * reaching the bar, and the bar (the K-th best accuracy then). Absent or null: trained to the end.
   */
  /** Training images per epoch (a budget's data plan or progressive data may use fewer than all); absent when unknown. */
  trainImages: v.optional(v.nullable(v.pipe(count, v.minValue(1)))),
  earlyStop: v.optional(
    v.nullable(v.object({ afterEpoch: v.pipe(count, v.minValue(1)), predicted: fraction, chance: fraction, bar: fraction })),
  ),
};

export const ReplayEntrySchema = v.object(replayEntryEntries);
/** A replay entry as the trainer reports it (no search id). */
export type ReplayEntry = v.InferOutput<typeof ReplayEntrySchema>;

export const ReplayRecordSchema = v.object({ searchId: id, ...replayEntryEntries });
export type ReplayRecord = v.InferOutput<typeof ReplayRecordSchema>;

// ---------------------------------------------------------------------------------------------
// jobs

export const JOB_STATUSES = ['queued', 'claimed', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JobRecordSchema = v.object({
  /** Auto-increment key: claim order is enqueue order. */
  id: v.pipe(count, v.minValue(1)),
  searchId: id,
  netString,
  /** Iterations waiting for this net's result (spec section 2, several trainers). */
  iterations: v.pipe(list(iteration), v.maxLength(MAX_ITERATION)),
  epsilon: fraction,
  status: v.picklist(JOB_STATUSES),
  claimedBy: v.nullable(shortText),
  claimedAt: v.nullable(timestamp),
  /** How many times the job was claimed. */
  attempts: count,
  lastError: v.nullable(message),
  createdAt: timestamp,
  /** Training images a budget's data plan gives this net (absent or null: the config's). */
  trainSampleSize: v.optional(v.nullable(v.pipe(count, v.minValue(1)))),
});
export type JobRecord = v.InferOutput<typeof JobRecordSchema>;

// ---------------------------------------------------------------------------------------------
// weights

/** Mirrors TF.js's `WeightsManifestEntry` without importing TF.js. */
export const WeightSpecSchema = v.object({
  name: nonEmptyString,
  /** Up to 4-D (conv kernels); each side at most 2^24 so a product stays a safe integer. */
  shape: v.pipe(list(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 24))), v.maxLength(8)),
  dtype: v.picklist(['float32', 'int32', 'bool', 'complex64', 'string']),
});
export type WeightSpec = v.InferOutput<typeof WeightSpecSchema>;

export const WeightsRecordSchema = v.pipe(
  v.object({
    searchId: id,
    netString,
    buffers: list(v.instance(ArrayBuffer)),
    /** Two per layer (kernel, bias); a net has at most ~130 layers with dropout. */
    specs: v.pipe(list(WeightSpecSchema), v.maxLength(1000)),
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
  id,
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
  datasetId: id,
  trainImages: v.instance(ArrayBuffer),
  trainLabels: v.instance(ArrayBuffer),
  testImages: v.instance(ArrayBuffer),
  testLabels: v.instance(ArrayBuffer),
});
export type DatasetDataRecord = v.InferOutput<typeof DatasetDataRecordSchema>;

export function sumBytes(buffers: readonly ArrayBuffer[]): number {
  return buffers.reduce((total, buffer) => total + buffer.byteLength, 0);
}
