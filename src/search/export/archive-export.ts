/** Writes a search as a search archive (the format: archive-format.ts). */
import { strToU8, zipSync, type Zippable } from 'fflate';
import * as v from 'valibot';
import { Agent } from '../../core';
import { ReplayEntrySchema, type JobRecord, type Store } from '../../store';
import {
  MANIFEST,
  SEARCH_ARCHIVE_FORMAT,
  SEARCH_ARCHIVE_VERSION,
  SearchArchiveError,
  type ArchiveJob,
  type ArchiveWeights,
  type SearchArchive,
} from './archive-format';

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
