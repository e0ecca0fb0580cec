/** The public surface of the MetaQNN core. See README.md beside this file. */
export type * from './types';

export {
  searchSpacePresets,
  makeSearchSpace,
  paperSearchSpace,
  checkSearchSpace,
  sizeBin,
  type SearchSpace,
  type SearchSpacePreset,
  type SearchSpacePresetName,
  type PoolOption,
  type DatasetOptions,
} from './search-space';
export {
  paperSchedule,
  scaleSchedule,
  scheduleTotal,
  schedulePresets,
  checkSchedule,
  type EpsilonLevel,
  type EpsilonSchedule,
  type SchedulePresetName,
} from './schedule';
export { parseNetwork, parseLayer, formatNetwork, formatLayer, NetworkSyntaxError } from './network-string';
export { validateNetwork, assertValidNetwork } from './validate';
export {
  startState,
  legalActions,
  applyAction,
  stateKey,
  actionKey,
  stateBin,
  trajectoryOf,
  pooledSize,
  type WalkState,
  type StateKind,
  type TrajectoryStep,
} from './states';
export { insertDropout, stripDropout, dropoutRate, dropoutRules, type DropoutRule } from './dropout';
export { countParams, countMultiplyAdds, outputShapes, layerCosts, type OutputShape, type LayerCost } from './shapes';
export { createRng, restoreRng, type Rng, type RngState } from './rng';
export { QTable, serializeQTable, deserializeQTable, initialQValue, type QTableJson } from './q-table';
export {
  sampleReplay,
  rewardByEpsilon,
  paperReplaySamples,
  codeReplaySamples,
  type ReplayEntry,
  type EpsilonGroup,
} from './replay';
export {
  qLearningStrategy,
  randomSearchStrategy,
  strategyFromJSON,
  epsilonGreedyWalk,
  makeStrategy,
  strategyKinds,
  type StrategyKind,
  type Strategy,
  type StrategyJson,
  type QLearningStrategy,
  type QLearningOptions,
} from './strategies';
export { Agent, type AgentConfig, type AgentStep, type AgentProgress } from './agent';
export { networkKey, learnSeed, replayQTable, type AgentJson } from './agent-json';
export { CorruptDataError, type JsonValue } from './json-check';
export {
  CurvePredictor,
  architectureFeatures,
  curveFeatures,
  finalAccuracy,
  MIN_CURVES_TO_FIT,
  type ArchitectureFeatures,
  type CompletedCurve,
  type Prediction,
} from './curve-prediction';
export {
  EarlyStopper,
  simulateEarlyStopping,
  checkEarlyStoppingOptions,
  DEFAULT_EARLY_STOPPING,
  type EarlyStoppingOptions,
  type RecordedNet,
  type SimulationReport,
  type StopDecision,
} from './early-stopping';
export { finalReserveMs, netsForTime, planSchedule, type TimePlanInput } from './budget';
export { fitThroughput, planTrainImages, predictTrainingMs, type DataPlanInput, type Throughput, type TrainingSample } from './throughput';
export { evolutionStrategy, mutate, type EvolutionJson, type EvolutionMember, type EvolutionOptions, type EvolutionStrategy } from './evolution';
export { SurrogateError, SurrogateOracle, type LeaveOneOut, type SurrogateSample } from './surrogate';
export {
  SimulatedSearch,
  labMetrics,
  type EpsilonMean,
  type LabIteration,
  type LabMetrics,
  type NetMetrics,
  type SimulatedSearchOptions,
} from './strategy-lab';
