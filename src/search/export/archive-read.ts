/**
 * Reads a search archive and checks all of it without writing anything: the zip against the
 * limits, search.json's format, version and every field (`parseSearchConfig` for the config,
 * the store's schemas for records, `Agent.fromJSON` for the agent state), that the agent,
 * replay and jobs agree, that the weight files match their index, and the nets
 * (archive-checks.ts). A claimed job comes back queued: the tab that claimed it is in another
 * browser.
 */
import { strFromU8, unzipSync } from 'fflate';
import * as v from 'valibot';
import { Agent, type SearchSpace } from '../../core';
import type { SnapshotJob, SnapshotWeights } from '../../store';
import { parseSearchConfig } from '../config';
import { checkNets } from './archive-checks';
import { fail, MANIFEST, SearchArchiveError, SEARCH_ARCHIVE_FORMAT, SEARCH_ARCHIVE_VERSION, SearchArchiveSchema, type SearchArchive } from './archive-format';
import {
  ARCHIVE_MAX_BYTES,
  ARCHIVE_MAX_ENTRIES,
  ARCHIVE_MAX_MANIFEST_BYTES,
  ARCHIVE_MAX_NAME_CHARS,
  ARCHIVE_MAX_UNPACKED_BYTES,
  checkLimit,
  ImportLimitError,
  shorten,
} from './limits';
import { issuePath } from './replay-json';

/**
 * The zip's entries, refused (ImportLimitError) before anything is inflated when the file,
 * the entry count, a name or the declared sizes are over their limits (limits.ts). A stored
 * entry whose two sizes differ, and records whose compressed sizes add up past the file
 * (fflate gives no offsets, so records sharing data show this way), are refused as malformed.
 */
function unzipArchive(bytes: Uint8Array): Record<string, Uint8Array> {
  const file = 'search archive';
  checkLimit(file, 'the file', bytes.length, ARCHIVE_MAX_BYTES, 'bytes');
  let entries = 0;
  let declaredTotal = 0;
  let compressedTotal = 0;
  const declared = new Map<string, number>();
  let files: Record<string, Uint8Array>;
  try {
    // fflate calls the filter with each entry's central-directory record before inflating it.
    files = unzipSync(bytes, {
      filter: (entry) => {
        entries++;
        checkLimit(file, 'its number of zip entries', entries, ARCHIVE_MAX_ENTRIES, 'entries');
        checkLimit(file, `the name of zip entry ${entries} (${shorten(entry.name, 40)})`, entry.name.length, ARCHIVE_MAX_NAME_CHARS, 'characters');
        // A stored entry is copied at its compressed size, a deflated one inflated into its declared size.
        const holds = Math.max(entry.size, entry.originalSize);
        const limit = entry.name === MANIFEST ? ARCHIVE_MAX_MANIFEST_BYTES : ARCHIVE_MAX_UNPACKED_BYTES;
        checkLimit(file, `${entry.name}'s unpacked size`, holds, limit, 'bytes');
        declaredTotal += holds;
        checkLimit(file, 'the unpacked size of its entries', declaredTotal, ARCHIVE_MAX_UNPACKED_BYTES, 'bytes');
        const name = shorten(entry.name, 40);
        if (entry.compression === 0 && entry.size !== entry.originalSize) {
          fail(
            `zip entry ${name} is stored uncompressed as ${bytesText(entry.size)} but declares ${bytesText(entry.originalSize)} unpacked; a stored entry's two sizes must be equal`,
          );
        }
        compressedTotal += entry.size;
        if (compressedTotal > bytes.length) {
          fail(
            `zip entry ${name} shares its data with another entry: the entries' compressed sizes add up to ${bytesText(compressedTotal)} in a ${bytes.length.toLocaleString('en-US')}-byte file`,
          );
        }
        declared.set(entry.name, entry.originalSize);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof ImportLimitError || error instanceof SearchArchiveError) throw error;
    fail(`not a readable zip file (${(error as Error).message}); it may be truncated or not an exported search`, error);
  }
  // fflate inflates each entry into a buffer of its declared size and never grows it, so the
  // declared sizes bound memory; data that ends early shows here as a shorter entry.
  for (const [name, data] of Object.entries(files)) {
    if (data.byteLength !== declared.get(name)) fail(`${name} unpacks to ${data.byteLength} bytes, but the zip declares ${declared.get(name)}`);
  }
  return files;
}

function bytesText(n: number): string {
  return `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;
}

/** Reads and checks an archive without writing anything. */
export function readArchive(bytes: Uint8Array): {
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
