/**
 * The replay memory as JSON: this app's own records, every field kept (curves, latency,
 * timings, status...), plus the per-iteration list (`replayIterations`) so that a file
 * read back gives the same Figure 3 chart. Reading validates every entry with the store's
 * schema; errors name the entry and field.
 */
import * as v from 'valibot';
import { ReplayEntrySchema, type ReplayEntry } from '../../store';
import { checkLimit, MESSAGE_MAX_SHOWN, REPLAY_JSON_MAX_BYTES, shorten } from './limits';
import { replayIterations, type AgentSample, type ReplayIteration } from './replay-iterations';

export const REPLAY_JSON_FORMAT = 'metaqnn-replay';
export const REPLAY_JSON_VERSION = 1;

export interface ReplayJson {
  readonly format: typeof REPLAY_JSON_FORMAT;
  readonly version: typeof REPLAY_JSON_VERSION;
  readonly entries: readonly ReplayEntry[];
  readonly iterations: readonly ReplayIteration[];
}

/** A replay file that cannot be read; the message names the field (`entries[3].bestValAccuracy`). */
export class ReplayFileError extends Error {
  override readonly name = 'ReplayFileError';
}

/** Writes entries (store records: their search id is dropped) as JSON text. */
export function exportReplayJson(
  entries: readonly ReplayEntry[],
  options: { readonly agentReplay?: readonly AgentSample[] } = {},
): string {
  const json: ReplayJson = {
    format: REPLAY_JSON_FORMAT,
    version: REPLAY_JSON_VERSION,
    // Parsing with the schema drops fields that are not part of an entry (a record's searchId).
    entries: entries.map((entry) => v.parse(ReplayEntrySchema, entry)),
    iterations: replayIterations(entries, options.agentReplay),
  };
  return JSON.stringify(json);
}

const fraction = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1));
const ReplayJsonSchema = v.object({
  format: v.literal(REPLAY_JSON_FORMAT),
  version: v.number(),
  entries: v.array(ReplayEntrySchema),
  iterations: v.array(
    v.object({
      iteration: v.pipe(v.number(), v.integer(), v.minValue(0)),
      netString: v.pipe(v.string(), v.nonEmpty()),
      epsilon: fraction,
      accuracy: fraction,
    }),
  ),
});

/** `a.3.b` paths as people read them: `a[3].b`. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Reads `exportReplayJson` text. Throws `ReplayFileError` naming the first bad field, `ImportLimitError` for a file over its limit. */
export function parseReplayJson(text: string, where = 'replay file'): { entries: ReplayEntry[]; iterations: ReplayIteration[] } {
  checkLimit(where, 'the file', text.length, REPLAY_JSON_MAX_BYTES, 'characters');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ReplayFileError(`${where} is not JSON: ${(error as Error).message}`);
  }
  const head = v.safeParse(v.object({ format: v.literal(REPLAY_JSON_FORMAT), version: v.number() }), json);
  if (!head.success) {
    throw new ReplayFileError(`${where}: ${issuePath(head.issues[0])}: ${head.issues[0].message} (expected a "${REPLAY_JSON_FORMAT}" file)`);
  }
  if (head.output.version !== REPLAY_JSON_VERSION) {
    throw new ReplayFileError(`${where}: version ${head.output.version} is not supported; this app reads version ${REPLAY_JSON_VERSION}`);
  }
  const parsed = v.safeParse(ReplayJsonSchema, json);
  if (!parsed.success) {
    const [issue] = parsed.issues;
    throw new ReplayFileError(`${where}: ${issuePath(issue)}: ${shorten(issue.message, MESSAGE_MAX_SHOWN)}`);
  }
  const entries = [...parsed.output.entries];
  const nets = new Set<string>();
  entries.forEach((entry, i) => {
    if (nets.has(entry.netString)) throw new ReplayFileError(`${where}: entries[${i}].netString: ${entry.netString} appears twice`);
    nets.add(entry.netString);
  });
  parsed.output.iterations.forEach((row, i) => {
    if (!nets.has(row.netString)) throw new ReplayFileError(`${where}: iterations[${i}].netString: ${row.netString} has no entry`);
  });
  return { entries, iterations: [...parsed.output.iterations] };
}
