/**
 * A whole search as one file: a zip (fflate) holding
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
 * without their jobs an imported search would wait forever. A claimed job arrives queued
 * (the tab that claimed it is in another browser).
 *
 * Import checks everything before writing anything: the zip, search.json's format and
 * version, every field (`parseSearchConfig` for the config, the store's schemas for records,
 * `Agent.fromJSON` for the agent state), that the agent, replay and jobs agree, and that the
 * weight files match their index. It then writes the search under a NEW id in one transaction
 * (`Store.writeSearchSnapshot`): a failure at any point writes nothing. A search that was
 * running (or in its final phase) arrives paused.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import * as v from 'valibot';
import { Agent, type Net, type SearchSpace } from '../../core';
import {
  AlreadyExistsError,
  DuplicateNetError,
  JsonObjectSchema,
  RecordValidationError,
  ReplayEntrySchema,
  SearchRecordSchema,
  WeightSpecSchema,
  type JobRecord,
  type SearchStatus,
  type SnapshotJob,
  type SnapshotWeights,
  type Store,
} from '../../store';
import { parseSearchConfig } from '../config';
import { checkNetString, weightsProblem } from './archive-checks';
import {
  ARCHIVE_MAX_BYTES,
  ARCHIVE_MAX_ENTRIES,
  ARCHIVE_MAX_MANIFEST_BYTES,
  ARCHIVE_MAX_NAME_CHARS,
  ARCHIVE_MAX_UNPACKED_BYTES,
  checkLimit,
  ImportLimitError,
  MESSAGE_MAX_SHOWN,
  shorten,
} from './limits';
import { issuePath } from './replay-json';

export const SEARCH_ARCHIVE_FORMAT = 'metaqnn-search-archive';
export const SEARCH_ARCHIVE_VERSION = 1;
const MANIFEST = 'search.json';

/** An archive that cannot be imported (or a search that cannot be exported); nothing was written. */
export class SearchArchiveError extends Error {
  override readonly name = 'SearchArchiveError';
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

const SearchArchiveSchema = v.object({
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
type SearchArchive = v.InferOutput<typeof SearchArchiveSchema>;
type ArchiveJob = v.InferOutput<typeof ArchiveJobSchema>;
type ArchiveWeights = v.InferOutput<typeof ArchiveWeightsSchema>;

function concat(buffers: readonly ArrayBuffer[]): Uint8Array {
  const out = new Uint8Array(buffers.reduce((sum, b) => sum + b.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    out.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return out;
}

/** Exports a search (record, agent state, replay memory, pending jobs, weights) as zip bytes. */
export async function exportSearchArchive(store: Store, searchId: string, now: () => number = Date.now): Promise<Uint8Array> {
  const snapshot = await store.readSearchSnapshot(searchId);
  if (snapshot === undefined) throw new SearchArchiveError(`cannot export search "${searchId}": there is no such search`);
  const { id, ...search } = snapshot.search;

  let inFlight: readonly string[] = [];
  if (snapshot.agent !== undefined) {
    try {
      inFlight = Agent.fromJSON(snapshot.agent.state, `search ${id} agent`).inFlight;
    } catch (error) {
      throw new SearchArchiveError(`cannot export search "${id}": its stored agent state is corrupt: ${(error as Error).message}`, { cause: error });
    }
  }
  // The latest job of each net in flight (jobs are oldest first).
  const jobByNet = new Map<string, JobRecord>();
  for (const job of snapshot.jobs) if (inFlight.includes(job.netString)) jobByNet.set(job.netString, job);
  const jobs: ArchiveJob[] = [...jobByNet.values()].map((job) => ({
    netString: job.netString,
    iterations: [...job.iterations],
    epsilon: job.epsilon,
    status: job.status,
    attempts: job.attempts,
    lastError: job.lastError,
    createdAt: job.createdAt,
  }));

  const files: Zippable = {};
  const weights: ArchiveWeights[] = snapshot.weights.map((record, n) => {
    const file = `weights/${n}.bin`;
    files[file] = [concat(record.buffers), { level: 0 }];
    return {
      file,
      netString: record.netString,
      specs: record.specs.map((spec) => ({ ...spec, shape: [...spec.shape] })),
      bufferByteLengths: record.buffers.map((b) => b.byteLength),
      createdAt: record.createdAt,
    };
  });
  const archive: SearchArchive = {
    format: SEARCH_ARCHIVE_FORMAT,
    version: SEARCH_ARCHIVE_VERSION,
    exportedAt: now(),
    originalId: id,
    search,
    agent: snapshot.agent === undefined ? null : { revision: snapshot.agent.revision, state: snapshot.agent.state },
    replay: snapshot.replay.map((record) => v.parse(ReplayEntrySchema, record)),
    jobs,
    weights,
  };
  files[MANIFEST] = [strToU8(JSON.stringify(archive)), { level: 6 }];
  return zipSync(files);
}

function fail(message: string, cause?: unknown): never {
  // Messages quote imported values (valibot quotes what it received): never a whole long one.
  throw new SearchArchiveError(`search archive: ${shorten(message, MESSAGE_MAX_SHOWN)}`, cause === undefined ? undefined : { cause });
}

/** Status on arrival: nobody runs the imported search yet, so a running one is paused. */
function arrivalStatus(status: SearchStatus): SearchStatus {
  return status === 'running' || status === 'final' ? 'paused' : status;
}

/**
 * The zip's entries, refused (ImportLimitError) before anything is inflated when the file,
 * the entry count, a name or the declared sizes are over their limits (limits.ts).
 */
function unzipArchive(bytes: Uint8Array): Record<string, Uint8Array> {
  const file = 'search archive';
  checkLimit(file, 'the file', bytes.length, ARCHIVE_MAX_BYTES, 'bytes');
  let entries = 0;
  let declaredTotal = 0;
  const declared = new Map<string, number>();
  let files: Record<string, Uint8Array>;
  try {
    // fflate calls the filter with each entry's central-directory record before inflating it.
    files = unzipSync(bytes, {
      filter: (entry) => {
        entries++;
        checkLimit(file, 'its number of zip entries', entries, ARCHIVE_MAX_ENTRIES, 'entries');
        checkLimit(file, `the name of zip entry ${entries} (${shorten(entry.name, 40)})`, entry.name.length, ARCHIVE_MAX_NAME_CHARS, 'characters');
        const limit = entry.name === MANIFEST ? ARCHIVE_MAX_MANIFEST_BYTES : ARCHIVE_MAX_UNPACKED_BYTES;
        checkLimit(file, `${entry.name}'s unpacked size`, entry.originalSize, limit, 'bytes');
        declaredTotal += entry.originalSize;
        checkLimit(file, 'the unpacked size of its entries', declaredTotal, ARCHIVE_MAX_UNPACKED_BYTES, 'bytes');
        declared.set(entry.name, entry.originalSize);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof ImportLimitError) throw error;
    fail(`not a readable zip file (${(error as Error).message}); it may be truncated or not an exported search`, error);
  }
  // fflate inflates each entry into a buffer of its declared size and never grows it, so the
  // declared sizes bound memory; data that ends early shows here as a shorter entry.
  for (const [name, data] of Object.entries(files)) {
    if (data.byteLength !== declared.get(name)) fail(`${name} unpacks to ${data.byteLength} bytes, but the zip declares ${declared.get(name)}`);
  }
  return files;
}

/** Every net of the archive checked against the agent's search space, weights against their nets. */
function checkNets(archive: SearchArchive, space: SearchSpace | null, replayNets: ReadonlySet<string>): Map<string, Net> {
  const nets = new Map<string, Net>();
  const check = (text: string, at: string): Net => {
    const known = nets.get(text);
    if (known !== undefined) return known;
    const net = checkNetString(text, space);
    if (typeof net === 'string') fail(`${MANIFEST}: ${at}: ${net}`);
    nets.set(text, net);
    return net;
  };
  archive.replay.forEach((entry, i) => check(entry.netString, `replay[${i}].netString`));
  archive.jobs.forEach((job, i) => check(job.netString, `jobs[${i}].netString`));
  const inReplay = (text: string, at: string) => {
    if (!replayNets.has(text)) fail(`${MANIFEST}: ${at}: ${shorten(text)} is not in the archive's replay memory`);
  };
  const { final, finalProgress } = archive.search;
  if (final !== undefined) {
    inReplay(final.bestNetString, 'search.final.bestNetString');
    final.ensembleNetStrings.forEach((net, i) => inReplay(net, `search.final.ensembleNetStrings[${i}]`));
  }
  finalProgress?.fineTuned.forEach((tuned, i) => inReplay(tuned.netString, `search.finalProgress.fineTuned[${i}].netString`));
  archive.weights.forEach((w, i) => {
    const at = `weights[${i}]`;
    const net = check(w.netString, `${at}.netString`);
    const bytes = w.bufferByteLengths.reduce((sum, n) => sum + n, 0);
    const problem = weightsProblem(net, space!.inputShape, w.specs, bytes);
    if (problem !== undefined) fail(`${MANIFEST}: ${at}.specs: ${problem}`);
  });
  return nets;
}

/** Reads and checks an archive without writing anything. */
function readArchive(bytes: Uint8Array): {
  archive: SearchArchive;
  jobs: SnapshotJob[];
  weights: SnapshotWeights[];
} {
  const files = unzipArchive(bytes);
  const manifest = files[MANIFEST];
  if (manifest === undefined) {
    const names = Object.keys(files);
    fail(`${MANIFEST} is missing (the zip holds ${names.length === 0 ? 'nothing' : names.slice(0, 5).join(', ')})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(strFromU8(manifest));
  } catch (error) {
    fail(`${MANIFEST} is not JSON: ${(error as Error).message}`, error);
  }
  const head = v.safeParse(v.object({ format: v.literal(SEARCH_ARCHIVE_FORMAT), version: v.number() }), json);
  if (!head.success) fail(`${MANIFEST}: ${issuePath(head.issues[0])}: ${head.issues[0].message} (not an exported search)`);
  if (head.output.version !== SEARCH_ARCHIVE_VERSION) {
    fail(`${MANIFEST}: version ${head.output.version} is not supported; this app reads version ${SEARCH_ARCHIVE_VERSION}`);
  }
  const parsed = v.safeParse(SearchArchiveSchema, json);
  if (!parsed.success) fail(`${MANIFEST}: ${issuePath(parsed.issues[0])}: ${parsed.issues[0].message}`);
  const archive = parsed.output;

  try {
    parseSearchConfig(archive.search.config, `${MANIFEST}: search.config`);
  } catch (error) {
    fail((error as Error).message, error);
  }

  const replayNets = new Set<string>();
  archive.replay.forEach((entry, i) => {
    if (replayNets.has(entry.netString)) fail(`${MANIFEST}: replay[${i}].netString: ${entry.netString} appears twice`);
    replayNets.add(entry.netString);
  });
  let inFlight = new Set<string>();
  let space: SearchSpace | null = null;
  if (archive.agent !== null) {
    let agent: Agent;
    try {
      agent = Agent.fromJSON(archive.agent.state, `${MANIFEST}: agent.state`);
    } catch (error) {
      fail((error as Error).message, error);
    }
    inFlight = new Set(agent.inFlight);
    space = agent.space;
    for (const [i, sample] of agent.replay.entries()) {
      if (!replayNets.has(sample.net)) fail(`${MANIFEST}: agent.state.replay[${i}].net: ${sample.net} is not in the archive's replay memory`);
    }
  }
  const jobNets = new Set<string>();
  archive.jobs.forEach((job, i) => {
    const at = `${MANIFEST}: jobs[${i}].netString`;
    if (!inFlight.has(job.netString)) fail(`${at}: the agent has no net ${job.netString} in flight`);
    if (jobNets.has(job.netString)) fail(`${at}: ${job.netString} has two jobs`);
    if (job.status === 'done' && !replayNets.has(job.netString)) fail(`${at}: the job is done but ${job.netString} is not in the replay memory`);
    if ((job.status === 'queued' || job.status === 'claimed') && replayNets.has(job.netString)) {
      fail(`${at}: the job is ${job.status} but ${job.netString} is in the replay memory already`);
    }
    jobNets.add(job.netString);
  });
  for (const net of inFlight) {
    if (!jobNets.has(net)) fail(`${MANIFEST}: jobs: the agent has ${net} in flight but the archive has no job for it`);
  }

  const weightNets = new Set<string>();
  const weights = archive.weights.map((w, i): SnapshotWeights => {
    const at = `${MANIFEST}: weights[${i}]`;
    if (weightNets.has(w.netString)) fail(`${at}.netString: ${w.netString} has weights twice`);
    weightNets.add(w.netString);
    const data = files[w.file];
    if (data === undefined) fail(`${at}.file: ${w.file} is missing from the zip`);
    const total = w.bufferByteLengths.reduce((sum, n) => sum + n, 0);
    if (total !== data.byteLength) fail(`${at}.bufferByteLengths: add up to ${total} bytes but ${w.file} holds ${data.byteLength}`);
    let offset = 0;
    const buffers = w.bufferByteLengths.map((n) => {
      const buffer = data.slice(offset, offset + n).buffer;
      offset += n;
      return buffer;
    });
    return { netString: w.netString, buffers, specs: w.specs, createdAt: w.createdAt };
  });
  checkNets(archive, space, replayNets);

  const jobs = archive.jobs.map(
    (job): SnapshotJob => ({
      ...job,
      status: job.status === 'claimed' ? 'queued' : job.status,
      claimedBy: null,
      claimedAt: null,
    }),
  );
  return { archive, jobs, weights };
}

/**
 * Imports an archive made by `exportSearchArchive` as a NEW search (a new id; nothing is
 * overwritten). Throws `SearchArchiveError` naming the zip entry and field at fault,
 * `ImportLimitError` naming the limit and the value found (limits.ts), or `QuotaError` when
 * the browser has no room for it; in every case nothing is written.
 */
export async function importSearchArchive(store: Store, bytes: Uint8Array): Promise<{ searchId: string }> {
  const { archive, jobs, weights } = readArchive(bytes);
  try {
    const search = await store.writeSearchSnapshot({
      search: { ...archive.search, status: arrivalStatus(archive.search.status) },
      agentState: archive.agent?.state ?? null,
      replay: archive.replay,
      jobs,
      weights,
    });
    return { searchId: search.id };
  } catch (error) {
    // A record the store refuses is a fault of the archive; running out of space is not.
    if (error instanceof RecordValidationError || error instanceof DuplicateNetError || error instanceof AlreadyExistsError) {
      fail(`the store refused it: ${error.message}`, error);
    }
    throw error;
  }
}
