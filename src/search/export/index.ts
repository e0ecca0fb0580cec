/** Taking results out of a search, and bringing them back in. See README.md beside this file. */
export {
  replayIterations,
  meanAccuracyByEpsilon,
  sortIterations,
  type AgentSample,
  type ReplayIteration,
  type EpsilonAccuracy,
} from './replay-iterations';
export * from './limits';
export { expectedWeightShapes } from './archive-checks';
export { FORMULA_START, REPLAY_CSV_COLUMNS, type ReplayCsvColumn } from './replay-csv';
export { exportReplayCsv, type ReplayCsvExportOptions } from './replay-csv-export';
export { importReplayCsv, type ReplayCsvImportOptions, type ReplayCsvImport, type ReplayCsvStats } from './replay-csv-import';
export type { ImportIssue } from './replay-csv-rows';
export {
  REPLAY_JSON_FORMAT,
  REPLAY_JSON_VERSION,
  ReplayFileError,
  exportReplayJson,
  parseReplayJson,
  type ReplayJson,
} from './replay-json';
export {
  seedAgentFromReplay,
  createSeededSearch,
  type SeededReplay,
  type SeededSearchInput,
  type SeedSkip,
} from './seed';
export {
  SEARCH_ARCHIVE_FORMAT,
  SEARCH_ARCHIVE_VERSION,
  SearchArchiveError,
  exportSearchArchive,
  importSearchArchive,
} from './search-archive';
