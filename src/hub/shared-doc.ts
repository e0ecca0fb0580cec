/**
 * The Yjs document of a search shared across machines (issue 17) and its validated readers.
 * Everything in it came over the network: every value is checked (valibot, size limits) before
 * use; one that fails is skipped and counted, never handed on.
 *
 * Layout (docs/hub.md states the invariants):
 * - `search` map: `meta` (the search as its starter created it: id, name, config, seed,
 *   dataset, preset, and the hub's copy of an imported dataset), `leader` ({machine, term}), `status`, `agent` ({revision, state}: the
 *   leading machine's `Agent.toJSON()` as JSON text).
 * - `jobs` map, net → job: written by the leading machine alone (the nets its agent queued).
 * - `requests` map, machine → {count}: how many jobs a following machine wants to train at once.
 * - `leases` map, net → {machine}: the jobs the leading machine granted to another machine,
 *   written by the leading machine alone, so no two machines are given one job.
 * - `results` map, net → replay entry: a machine's result for a net it trained; first write kept.
 * - `replay` map, net → replay entry: the results the leading machine accepted, with the
 *   iterations its agent recorded: with `agent`, what every machine mirrors.
 * - `failures` map, net → {machine, error}: a granted job that failed for good on that machine;
 *   the leading machine fails its own job, which its agent then takes as a chance result.
 */
import * as v from 'valibot';
import * as Y from 'yjs';
import { MAX_ITERATION, ReplayEntrySchema, SEARCH_STATUSES, type ReplayEntry, type SearchStatus } from '../store';
import type { MirrorJob } from '../store';
import { MAX_PACKAGE_BYTES } from '../search/dataset-package';

/** The leading machine's agent state as JSON text; the paper's 2,700 nets stay far below it. */
export const MAX_AGENT_CHARS = 32 * 1024 * 1024;
const MAX_NET_CHARS = 2048;
const MACHINE = /^m-[0-9a-f]{8,32}$/;

const machine = v.pipe(v.string(), v.regex(MACHINE));
const net = v.pipe(v.string(), v.nonEmpty(), v.maxLength(MAX_NET_CHARS));

export const MetaSchema = v.object({
  id: v.pipe(v.string(), v.nonEmpty(), v.maxLength(200)),
  name: v.pipe(v.string(), v.maxLength(500)),
  config: v.record(v.string(), v.unknown()),
  seed: v.pipe(v.number(), v.integer()),
  datasetId: v.pipe(v.string(), v.nonEmpty(), v.maxLength(200)),
  presetId: v.pipe(v.string(), v.maxLength(200)),
  startedBy: machine,
  /** An imported dataset the hub keeps for the search (absent for a shipped one). */
  dataset: v.optional(
    v.object({
      name: v.pipe(v.string(), v.maxLength(500)),
      bytes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_PACKAGE_BYTES)),
      checksum: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
    }),
  ),
});
export type SharedMeta = v.InferOutput<typeof MetaSchema>;

export const LeaderSchema = v.object({ machine, term: v.pipe(v.number(), v.integer(), v.minValue(1)) });
export type LeaderRecord = v.InferOutput<typeof LeaderSchema>;

const AgentSchema = v.object({
  revision: v.pipe(v.number(), v.integer(), v.minValue(1)),
  state: v.pipe(v.string(), v.maxLength(MAX_AGENT_CHARS)),
});

export const JobSchema = v.object({
  netString: net,
  iterations: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_ITERATION))), v.maxLength(MAX_ITERATION)),
  epsilon: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  trainSampleSize: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER)))),
});

export const LeaseSchema = v.object({ machine });
export type Lease = v.InferOutput<typeof LeaseSchema>;

/** A granted job that failed for good on the machine it was granted to. */
export const FailureSchema = v.object({ machine, error: v.pipe(v.string(), v.maxLength(1000)) });
export type Failure = v.InferOutput<typeof FailureSchema>;

const RequestSchema = v.object({ count: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(64)) });

/** The document's parts, by name. */
export function parts(doc: Y.Doc) {
  return {
    search: doc.getMap<unknown>('search'),
    jobs: doc.getMap<unknown>('jobs'),
    leases: doc.getMap<unknown>('leases'),
    requests: doc.getMap<unknown>('requests'),
    results: doc.getMap<unknown>('results'),
    replay: doc.getMap<unknown>('replay'),
    failures: doc.getMap<unknown>('failures'),
  };
}

/** Reads a shared document, counting every value that fails its check. */
export class SharedReader {
  /** Values from the network that failed validation and were dropped. */
  rejected = 0;
  readonly #doc: Y.Doc;

  constructor(doc: Y.Doc) {
    this.#doc = doc;
  }

  #check<T>(schema: v.GenericSchema<unknown, T>, value: unknown): T | null {
    if (value === undefined) return null;
    const result = v.safeParse(schema, value);
    if (result.success) return result.output;
    this.rejected++;
    return null;
  }

  meta(): SharedMeta | null {
    return this.#check(MetaSchema, parts(this.#doc).search.get('meta'));
  }

  leader(): LeaderRecord | null {
    return this.#check(LeaderSchema, parts(this.#doc).search.get('leader'));
  }

  status(): SearchStatus | null {
    return this.#check(v.picklist(SEARCH_STATUSES), parts(this.#doc).search.get('status'));
  }

  /** The leading machine's agent state, parsed; null when absent or malformed. */
  agent(): { revision: number; state: object } | null {
    const raw = this.#check(AgentSchema, parts(this.#doc).search.get('agent'));
    if (raw === null) return null;
    try {
      const state: unknown = JSON.parse(raw.state);
      if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new Error('not an object');
      return { revision: raw.revision, state };
    } catch {
      this.rejected++;
      return null;
    }
  }

  jobs(): MirrorJob[] {
    return this.#entries(parts(this.#doc).jobs, JobSchema);
  }

  leases(): Map<string, Lease> {
    const out = new Map<string, Lease>();
    for (const [key, value] of parts(this.#doc).leases) {
      const lease = this.#check(LeaseSchema, value);
      if (lease !== null && key.length <= MAX_NET_CHARS) out.set(key, lease);
    }
    return out;
  }

  /** Machine → jobs it wants at once. */
  requests(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, value] of parts(this.#doc).requests) {
      const request = this.#check(RequestSchema, value);
      if (request !== null && v.is(machine, key)) out.set(key, request.count);
    }
    return out;
  }

  /** Net → the machine a granted job failed on for good, and why. */
  failures(): Map<string, Failure> {
    const out = new Map<string, Failure>();
    for (const [key, value] of parts(this.#doc).failures) {
      const failure = this.#check(FailureSchema, value);
      if (failure !== null && key.length <= MAX_NET_CHARS) out.set(key, failure);
    }
    return out;
  }

  results(): ReplayEntry[] {
    return this.#entries(parts(this.#doc).results, ReplayEntrySchema);
  }

  replay(): ReplayEntry[] {
    return this.#entries(parts(this.#doc).replay, ReplayEntrySchema);
  }

  /** Values whose key is their own net string and that pass the schema. */
  #entries<T extends { readonly netString: string }>(map: Y.Map<unknown>, schema: v.GenericSchema<unknown, T>): T[] {
    const out: T[] = [];
    for (const [key, value] of map) {
      const item = this.#check(schema, value);
      if (item === null) continue;
      if (item.netString !== key) {
        this.rejected++;
        continue;
      }
      out.push(item);
    }
    return out;
  }
}
