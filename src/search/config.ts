/**
 * A search's whole setup as plain data: what is stored with the search, what the URL and
 * the setup screen fill in, what the presets are rows of. Validated with valibot wherever
 * it comes from outside the program (a URL, an imported file, an old record).
 */
import * as v from 'valibot';
import { schedulePresets, searchSpacePresets } from '../core';
import { DEFAULT_EARLY_STOPPING, type SearchSpacePreset } from '../core';

const probability = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
/** A whole number from 1 to `max`. */
const upTo = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(max));
/** A whole number from 0 to `max`. */
const zeroTo = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));
/** 1 to `maxItems` values, each from 1 to `max`. */
const intList = (max: number, maxItems = 16) => v.pipe(v.array(upTo(max)), v.minLength(1), v.maxLength(maxItems), v.readonly());
const record = <const T extends v.ObjectEntries>(entries: T) => v.pipe(v.object(entries), v.readonly());

/** The presets by id: a new preset is a new row of `searchPresets` and a new id here. */
export const PRESET_IDS = ['budget', 'tiny', 'quick', 'paper', 'bench'] as const;
/** What a new visitor's setup starts from (issue 14): the best model ten minutes buy. */
export const DEFAULT_PRESET_ID: PresetId = 'budget';
export type PresetId = (typeof PRESET_IDS)[number];

// Bounds: a config also comes from files (a search archive) and the URL, and the setup screen
// could never make values past these. Each is several times the paper's (Table 1: filters up
// to 512, kernels up to 5, 3 pools, FC up to 512, depth 12, 2,700 nets, 60 fine-tuning epochs),
// so no real setup is refused, while a `convFilters [100000]` or a million-level schedule is.
const TrainingSchema = record({
  epochs: upTo(1000),
  batchSize: upTo(65_536),
  learningRate: v.pipe(v.number(), v.gtValue(0), v.maxValue(10)),
  /** 'seed': ×0.8 every 5 epochs for nets beating the best so far; 'paper': ×0.2 always. */
  learningRateRule: v.picklist(['seed', 'paper', 'constant']),
  /** 'seed': after every FC; 'paper': after every second layer and every FC (spec section 3). */
  dropoutRule: v.picklist(['seed', 'paper']),
  /** The paper's "failed to learn" restart. */
  restartIfFailedToLearn: v.boolean(),
  weightDecay: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  /**
   * The per-candidate savings of issue 15 (test accuracy only for nets that can be shown among the
   * best, latency only under a target, one batch shape, shaders compiled ahead, the im2col conv on
   * a software adapter). Absent means on; false only to measure what they save (bench part 2).
   */
  savings: v.optional(v.boolean()),
});

const DataSchema = record({
  /** Training images per candidate (a stratified sample); null = every training image. */
  trainSize: v.nullable(upTo(100_000_000)),
  /** Validation images drawn from the training split, class distribution kept. */
  validationSize: upTo(100_000_000),
  /** Test images used for the reported test accuracy; null = the whole test split. */
  testSize: v.nullable(upTo(100_000_000)),
  /** Seed extension: train on a sample early and grow it as ε falls. */
  progressive: v.boolean(),
  /** With `progressive`, the share of `trainSize` used at ε = 1 (grows linearly to 1 at the last ε). */
  progressiveStart: v.pipe(v.number(), v.gtValue(0), v.maxValue(1)),
});

const ConstraintsSchema = record({
  /** Nets with more parameters are never proposed; null = no cap. */
  paramCap: v.nullable(upTo(Number.MAX_SAFE_INTEGER)),
  /** Forward latency target per image at batch 1, ms; null = no latency term. */
  latencyTargetMs: v.nullable(v.pipe(v.number(), v.gtValue(0), v.maxValue(3_600_000))),
  /** Reward × (target / latency)^penalty when slower than the target. */
  latencyPenalty: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
});

const FinalSchema = record({
  fineTuneTop: zeroTo(1000),
  fineTuneEpochs: upTo(1000),
  ensembleTop: zeroTo(1000),
});

/** Early stopping by learning-curve prediction (src/core/early-stopping.ts). */
const EarlyStoppingSchema = record({
  enabled: v.boolean(),
  /** Stop a net only when the chance it reaches the top K is below 1 − confidence. */
  confidence: v.pipe(v.number(), v.minValue(0.5), v.maxValue(0.999)),
  topK: upTo(100),
  /** Nets that always train to the end first, so the predictor has curves to learn from. */
  minCompleted: v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(100_000)),
});
const EARLY_STOPPING_OFF = { enabled: false, ...DEFAULT_EARLY_STOPPING };
const EARLY_STOPPING_ON = { enabled: true, ...DEFAULT_EARLY_STOPPING };

const SearchConfigSchema = record({
  presetId: v.picklist([...PRESET_IDS, 'custom']),
  /** An id, never a path ("../../etc"): letters, digits, "-", "_", ".". */
  datasetId: v.pipe(v.string(), v.maxLength(128), v.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'expected a dataset id (letters, digits, "-", "_", "."; at most 128)')),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32 - 1)),
  strategy: v.picklist(['q-learning', 'random', 'evolution']),
  /** The core's SearchSpacePreset (search-space.ts), bounded. */
  space: record({
    convFilters: intList(4096),
    convKernels: intList(31),
    convStride: upTo(8),
    pools: v.pipe(v.array(record({ size: upTo(32), stride: upTo(32) })), v.maxLength(16), v.readonly()),
    fcSizes: v.pipe(v.array(upTo(16_384)), v.maxLength(16), v.readonly()),
    maxFc: zeroTo(16),
    maxDepth: upTo(64),
    sizeBins: intList(4096),
    fcMaxBin: upTo(4096),
  }),
  schedule: v.pipe(v.array(record({ epsilon: probability, nets: upTo(1_000_000) })), v.minLength(1), v.maxLength(1000), v.readonly()),
  /** Replay samples per Q update (paper 100, the original code 128). */
  replaySamples: upTo(100_000),
  training: TrainingSchema,
  data: DataSchema,
  constraints: ConstraintsSchema,
  final: FinalSchema,
  /** A time budget: the search plans its nets to end within it (issue 14). Null: sized by the schedule. */
  budget: v.optional(v.nullable(record({ minutes: v.pipe(v.number(), v.gtValue(0), v.maxValue(7 * 24 * 60)) })), null),
  /** Searches stored before early stopping existed read as "off". */
  earlyStopping: v.optional(EarlyStoppingSchema, EARLY_STOPPING_OFF),
  /** Trainer workers in each tab. */
  trainersPerTab: upTo(8),
});

/** A search's whole setup; the type is the schema's, so the two cannot drift apart. */
export type SearchConfig = v.InferOutput<typeof SearchConfigSchema>;
export type TrainingSetup = SearchConfig['training'];
export type DataSetup = SearchConfig['data'];
export type ConstraintSetup = SearchConfig['constraints'];
export type FinalSetup = SearchConfig['final'];
export type EarlyStoppingSetup = SearchConfig['earlyStopping'];
export type BudgetSetup = SearchConfig['budget'];
/** Fails to compile if the stored space stops being a core SearchSpacePreset (createAgent needs one). */
export type SpaceIsCorePreset = SearchConfig['space'] extends SearchSpacePreset ? true : never;

type PresetRow = Omit<SearchConfig, 'datasetId' | 'seed'>;

const seedTraining: TrainingSetup = {
  epochs: 20,
  batchSize: 128,
  learningRate: 0.001,
  learningRateRule: 'seed',
  dropoutRule: 'seed',
  restartIfFailedToLearn: false,
  weightDecay: 0,
};
const noConstraints: ConstraintSetup = { paramCap: null, latencyTargetMs: null, latencyPenalty: 0.5 };

/** The presets are data: a new one is a new row. */
export const searchPresets: Record<PresetId, PresetRow> = {
  /**
   * The default (issue 14): ten minutes on this device. The quick space and the paper's ε
   * proportions; the search measures its first nets, then picks how many images each net
   * trains on (at most all of them) so the budget buys about 40 nets, and how many nets per
   * ε level; early stopping ends the hopeless ones; the final phase fine-tunes the top 3.
   */
  budget: {
    presetId: 'budget',
    strategy: 'q-learning',
    space: searchSpacePresets.quick,
    schedule: schedulePresets.quick,
    replaySamples: 100,
    training: { ...seedTraining, epochs: 4, batchSize: 64 },
    data: { trainSize: null, validationSize: 1000, testSize: null, progressive: false, progressiveStart: 0.25 },
    constraints: noConstraints,
    final: { fineTuneTop: 3, fineTuneEpochs: 6, ensembleTop: 3 },
    earlyStopping: EARLY_STOPPING_ON,
    budget: { minutes: 10 },
    trainersPerTab: 1,
  },
  /**
   * Seconds per net even on a CPU emulating a GPU (SwiftShader): the e2e tests and a first
   * look. Ten nets over six ε levels, so the agent's shift from exploring to exploiting shows.
   */
  tiny: {
    presetId: 'tiny',
    strategy: 'q-learning',
    space: searchSpacePresets.tiny,
    schedule: [
      { epsilon: 1.0, nets: 5 },
      { epsilon: 0.7, nets: 1 },
      { epsilon: 0.5, nets: 1 },
      { epsilon: 0.3, nets: 1 },
      { epsilon: 0.2, nets: 1 },
      { epsilon: 0.1, nets: 1 },
    ],
    replaySamples: 100,
    training: { ...seedTraining, epochs: 1, batchSize: 32 },
    data: { trainSize: 160, validationSize: 96, testSize: 96, progressive: false, progressiveStart: 0.25 },
    constraints: noConstraints,
    final: { fineTuneTop: 2, fineTuneEpochs: 1, ensembleTop: 2 },
    earlyStopping: EARLY_STOPPING_OFF,
    budget: null,
    trainersPerTab: 1,
  },
  /** A useful search in well under an hour on a laptop GPU: 149 small nets, 3 epochs each. */
  quick: {
    presetId: 'quick',
    strategy: 'q-learning',
    space: searchSpacePresets.quick,
    schedule: schedulePresets.quick,
    replaySamples: 100,
    training: { ...seedTraining, epochs: 3 },
    data: { trainSize: 6000, validationSize: 1000, testSize: null, progressive: false, progressiveStart: 0.25 },
    constraints: noConstraints,
    final: { fineTuneTop: 10, fineTuneEpochs: 10, ensembleTop: 5 },
    earlyStopping: EARLY_STOPPING_ON,
    budget: null,
    trainersPerTab: 1,
  },
  /**
   * Search quality on a 2-core CPU (npm run bench): the tiny space, 30 nets over the paper's
   * ten ε levels, 2 epochs on 1,000 images. Compared with `strategy: 'random'`.
   */
  bench: {
    presetId: 'bench',
    strategy: 'q-learning',
    space: searchSpacePresets.tiny,
    schedule: [
      { epsilon: 1.0, nets: 12 },
      { epsilon: 0.9, nets: 2 },
      { epsilon: 0.8, nets: 2 },
      { epsilon: 0.7, nets: 2 },
      { epsilon: 0.6, nets: 2 },
      { epsilon: 0.5, nets: 2 },
      { epsilon: 0.4, nets: 2 },
      { epsilon: 0.3, nets: 2 },
      { epsilon: 0.2, nets: 2 },
      { epsilon: 0.1, nets: 2 },
    ],
    replaySamples: 100,
    training: { ...seedTraining, epochs: 2, batchSize: 64 },
    data: { trainSize: 1000, validationSize: 500, testSize: 500, progressive: false, progressiveStart: 0.25 },
    constraints: noConstraints,
    final: { fineTuneTop: 3, fineTuneEpochs: 2, ensembleTop: 3 },
    earlyStopping: EARLY_STOPPING_OFF,
    budget: null,
    trainersPerTab: 1,
  },
  /** The paper's space and schedule (2,700 nets), the seed's 20 epochs. Days, not hours. */
  paper: {
    presetId: 'paper',
    strategy: 'q-learning',
    space: searchSpacePresets.paper,
    schedule: schedulePresets.paper,
    replaySamples: 100,
    training: seedTraining,
    data: { trainSize: null, validationSize: 5000, testSize: null, progressive: false, progressiveStart: 0.25 },
    constraints: noConstraints,
    final: { fineTuneTop: 10, fineTuneEpochs: 60, ensembleTop: 5 },
    earlyStopping: EARLY_STOPPING_ON,
    budget: null,
    trainersPerTab: 1,
  },
};

export function presetConfig(
  presetId: PresetId,
  datasetId: string,
  seed: number,
  overrides: { strategy?: SearchConfig['strategy']; budget?: SearchConfig['budget'] } = {},
): SearchConfig {
  const row = searchPresets[presetId];
  if (!row) throw new Error(`unknown preset ${JSON.stringify(presetId)}; expected one of ${PRESET_IDS.join(', ')}`);
  return structuredClone({ ...row, datasetId, seed, ...overrides }) as SearchConfig;
}

/** Validates an untrusted config; the error names every bad field by its path. */
export function parseSearchConfig(value: unknown, where = 'search config'): SearchConfig {
  const result = v.safeParse(SearchConfigSchema, value);
  if (!result.success) {
    const lines = result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`);
    throw new Error(`${where} is invalid:\n  ${lines.join('\n  ')}`);
  }
  return result.output;
}

/** Nets in the schedule and epochs they cost (before the final phase), for the setup screen. */
export function estimateSearchSize(config: SearchConfig): { nets: number; epochs: number; finalEpochs: number } {
  const nets = config.schedule.reduce((sum, level) => sum + level.nets, 0);
  return {
    nets,
    epochs: nets * config.training.epochs,
    finalEpochs: config.final.fineTuneTop * config.final.fineTuneEpochs,
  };
}
