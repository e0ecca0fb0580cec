/**
 * What a machine writes into the shared document (issue 17), each a function of what it read:
 * the leading machine's records and grants, a following machine's results and failures.
 */
import type * as Y from 'yjs';
import type { JobRecord, PublishView, ReplayEntry, ReplayRecord } from '../store';
import { machineOf } from './grants';
import { parts, type Lease } from './shared-doc';

/** A replay entry without the fields the store adds (what the document carries). */
function entryOf(record: ReplayEntry & { searchId?: string }): ReplayEntry {
  const { searchId: _searchId, ...entry } = record;
  return entry;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The leader's status and jobs, and its agent state and replay when the view read them (they
 * changed); what is written only changes what differs. Results and failures of jobs that are
 * over are cleared.
 */
export function publishLeaderView(doc: Y.Doc, view: PublishView): void {
  const p = parts(doc);
  const agent = view.changed?.agent ?? null;
  const replay = view.changed?.replay ?? null;
  doc.transact(() => {
    if (view.status !== null && p.search.get('status') !== view.status) p.search.set('status', view.status);
    const shared = p.search.get('agent') as { revision?: number } | undefined;
    if (agent && shared?.revision !== agent.revision) p.search.set('agent', { revision: agent.revision, state: JSON.stringify(agent.state) });
    if (replay) {
      const accepted = new Set(replay.map((r) => r.netString));
      // What a machine wrote while it wrongly believed it led (a partition) is not the replay.
      for (const key of [...p.replay.keys()]) if (!accepted.has(key)) p.replay.delete(key);
      for (const record of replay) {
        const entry = entryOf(record);
        if (!same(p.replay.get(entry.netString), entry)) p.replay.set(entry.netString, entry);
      }
    }
    const nets = new Set(view.jobs.map((j) => j.netString));
    for (const key of [...p.jobs.keys()]) if (!nets.has(key)) p.jobs.delete(key);
    for (const job of view.jobs) {
      const value = { netString: job.netString, iterations: job.iterations, epsilon: job.epsilon, trainSampleSize: job.trainSampleSize ?? null };
      if (!same(p.jobs.get(job.netString), value)) p.jobs.set(job.netString, value);
    }
    // A result the agent has accepted is in `replay`: the proposal is no longer needed; nor a failure of a job that is over.
    for (const key of [...p.results.keys()]) if (!nets.has(key) && p.replay.has(key)) p.results.delete(key);
    for (const key of [...p.failures.keys()]) if (!nets.has(key)) p.failures.delete(key);
  });
}

/** The leader's grants now: `before` as the document had them, `held` as its store holds them (net → stand-in tab). */
export function writeLeases(doc: Y.Doc, before: ReadonlyMap<string, Lease>, held: ReadonlyMap<string, string>): void {
  const map = parts(doc).leases;
  doc.transact(() => {
    for (const net of before.keys()) if (!held.has(net)) map.delete(net);
    for (const [net, holder] of held) if (before.get(net)?.machine !== machineOf(holder)) map.set(net, { machine: machineOf(holder) });
  });
}

/** A following machine's trained results not yet in the leader's replay nor offered: offered in `results`. */
export function offerResults(doc: Y.Doc, replay: readonly ReplayRecord[]): void {
  const p = parts(doc);
  const mine = replay.filter((r) => r.source === 'trained' && !p.replay.has(r.netString) && !p.results.has(r.netString));
  if (mine.length === 0) return;
  doc.transact(() => {
    for (const record of mine) p.results.set(record.netString, entryOf(record));
  });
}

/** Jobs granted to `machine` that failed there for good, said in `failures` (once each). */
export function reportFailures(doc: Y.Doc, machine: string, failed: readonly JobRecord[]): void {
  const p = parts(doc);
  const fresh = failed.filter((job) => !p.failures.has(job.netString));
  if (fresh.length === 0) return;
  doc.transact(() => {
    for (const job of fresh) p.failures.set(job.netString, { machine, error: (job.lastError ?? 'failed').slice(0, 1000) });
  });
}
