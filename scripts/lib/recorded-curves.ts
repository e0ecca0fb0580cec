/**
 * The nets of a finished search with their whole learning curves, read from a file the app or
 * the runner wrote: a results.json of `npm run search` (its `nets`) or the app's replay JSON
 * export (its `entries`). For replaying an early-stopping rule offline. Pure: tests/unit/runner
 * checks every message.
 */
import * as v from 'valibot';
import { architectureFeatures, parseNetwork, type RecordedNet } from '../../src/core';

export class CurvesFileError extends Error {
  override name = 'CurvesFileError';
}

const NetSchema = v.object({
  net: v.pipe(v.string(), v.maxLength(2048)),
  status: v.string(),
  params: v.pipe(v.number(), v.integer(), v.minValue(0)),
  valCurve: v.pipe(v.array(v.object({ accuracy: v.pipe(v.number(), v.minValue(0), v.maxValue(1)) })), v.maxLength(1000)),
  finishedAt: v.union([v.string(), v.number(), v.null()]),
});

/** Nets that trained to the end (ok or failed-to-learn) with at least two epochs, in the order they finished. */
export function recordedNets(json: unknown, file: string): RecordedNet[] {
  const rows = rowsOf(json, file);
  const nets: { net: RecordedNet; finishedAt: number; index: number }[] = [];
  rows.forEach((row, index) => {
    const parsed = v.safeParse(NetSchema, row);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      throw new CurvesFileError(`${file}: net ${index + 1}: ${v.getDotPath(issue) ?? '(row)'}: ${issue.message}`);
    }
    const { net, status, params, valCurve, finishedAt } = parsed.output;
    if ((status !== 'ok' && status !== 'failed-to-learn') || valCurve.length < 2) return;
    let architecture;
    try {
      architecture = architectureFeatures(parseNetwork(net), params);
    } catch (error) {
      throw new CurvesFileError(`${file}: net ${index + 1}: ${(error as Error).message}`);
    }
    const time = typeof finishedAt === 'string' ? Date.parse(finishedAt) : (finishedAt ?? NaN);
    nets.push({ net: { id: net, curve: valCurve.map((p) => p.accuracy), architecture }, finishedAt: Number.isFinite(time) ? time : Infinity, index });
  });
  return nets.sort((a, b) => a.finishedAt - b.finishedAt || a.index - b.index).map((n) => n.net);
}

function rowsOf(json: unknown, file: string): unknown[] {
  if (typeof json !== 'object' || json === null) throw new CurvesFileError(`${file}: expected a JSON object (a results.json or the app's replay JSON)`);
  const record = json as Record<string, unknown>;
  if (Array.isArray(record.nets)) return record.nets;
  if (Array.isArray(record.entries)) {
    // The replay JSON names the net `netString`.
    return record.entries.map((e) => (typeof e === 'object' && e !== null ? { ...(e as object), net: (e as { netString?: unknown }).netString } : e));
  }
  throw new CurvesFileError(`${file}: no "nets" (results.json) or "entries" (replay JSON) list`);
}
