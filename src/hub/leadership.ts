/**
 * Which machine leads a shared search (issue 17, docs/hub.md): the recorded leader while it is
 * present; once it has been absent for LEADER_GONE_MS, the present machine with the smallest
 * id, one term later. Every machine computes the same answer from the same document and the
 * same presence, and only the machine chosen writes it. Only `share` writes the first record:
 * without one nobody is elected (a machine whose copy has not loaded yet sees none). Pure.
 * The bridge asks only while its machine is connected to the hub and synced, and counts the
 * leader's absence from no earlier than that connection: a machine cut off, or waking from
 * sleep, never elects itself from its own stale view.
 */
import type { LeaderRecord } from './shared-doc';

/** How long the leading machine may be absent before another takes over. */
export const LEADER_GONE_MS = 15_000;

/**
 * The leader now: `current` unchanged, or a new record when it must change. `absentSince` is
 * when this machine last saw the current leader present (null: it never has).
 */
export function nextLeader(current: LeaderRecord | null, present: ReadonlySet<string>, absentSince: number | null, now: number): LeaderRecord | null {
  if (current === null || present.has(current.machine)) return current;
  if (absentSince !== null && now - absentSince < LEADER_GONE_MS) return current;
  if (present.size === 0) return current;
  const chosen = [...present].sort()[0]!;
  return { machine: chosen, term: current.term + 1 };
}
