/** What the parts of a session (trainer slots, leader, final phase) share. */
import type { JobRecord, ReplayRecord, SearchRecord, SearchStatus, Store } from '../../store';
import type { Coordination } from '../../swarm/coordination';
import type { CallOptions } from '../../trainer-bridge/trainer-pool';
import type { DatasetPayload, EnsembleRequest, EnsembleResult, TrainJob, TrainProgress, TrainResult } from '../../train/types';
import type { SearchConfig } from '../config';
import type { PreparedDataset } from '../prepare-dataset';
import type { Wakeup } from './wakeup';

/** What the search needs from trainers (TrainerPool in the page; a stand-in in unit tests). */
export interface CandidateTrainer {
  setDataset(id: string, payload: DatasetPayload): void;
  train(job: TrainJob, options?: CallOptions): Promise<TrainResult>;
  /** `train` from `job.initialWeights`, which it requires. */
  fineTune(job: TrainJob, options?: CallOptions): Promise<TrainResult>;
  evaluateEnsemble(request: EnsembleRequest, options?: { signal?: AbortSignal }): Promise<EnsembleResult>;
}

export type SessionEvent =
  | { readonly type: 'leading'; readonly leading: boolean }
  | { readonly type: 'job-started'; readonly slot: number; readonly job: JobRecord }
  | { readonly type: 'progress'; readonly slot: number; readonly job: JobRecord; readonly progress: TrainProgress }
  | { readonly type: 'job-finished'; readonly slot: number; readonly job: JobRecord; readonly entry: ReplayRecord | null }
  | { readonly type: 'job-failed'; readonly slot: number; readonly job: JobRecord; readonly error: string }
  /** Paused, stopped or closing: the job went back to the queue. */
  | { readonly type: 'job-cancelled'; readonly slot: number; readonly job: JobRecord }
  | { readonly type: 'final-progress'; readonly step: string; readonly done: number; readonly total: number }
  | { readonly type: 'changed' }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'error'; readonly message: string };

/** The search was deleted while this tab worked on it. */
export class SearchGoneError extends Error {
  constructor(searchId: string) {
    super(`search ${searchId} was deleted`);
    this.name = 'SearchGoneError';
  }
}

export interface SessionContext {
  readonly store: Store;
  readonly searchId: string;
  /** Parsed once, when the session starts: a search's config never changes. */
  readonly config: SearchConfig;
  readonly coordination: Coordination;
  readonly trainer: CandidateTrainer;
  readonly dataset: PreparedDataset;
  /** Aborts when the session closes. */
  readonly signal: AbortSignal;
  readonly wakeup: Wakeup;
  /** A call that reports no progress for this long is cancelled (see SearchSessionOptions.stallMs). */
  readonly stallMs: number;
  emit(event: SessionEvent): void;
  /** The search as stored now; rejects with SearchGoneError once it is deleted. */
  readSearch(): Promise<SearchRecord>;
  /** Writes a status and tells every tab. */
  setStatus(status: SearchStatus): Promise<void>;
}

/** Fallback poll for a missed message; hidden tabs may stretch it, messages still arrive. */
export const POLL_MS = 2000;
