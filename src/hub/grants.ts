/**
 * Jobs granted across machines (issue 17), as functions of what the bridge read: which jobs a
 * machine asks for, which the leader grants, and which a following machine leaves to others.
 * The leading machine is the one writer of grants (`leases` in the document); each job it
 * grants is held in its own store by the machine's stand-in tab `hub:<machine>`.
 */
import { REMOTE_HOLDER_PREFIX } from '../store';
import type { Lease } from './shared-doc';

/** A grant outlives its machine's absence this long. */
export const LEASE_MS = 30_000;

/**
 * Jobs a machine asks for in a shared search: one tab runs its passes, but every tab of the
 * browser whose trainers work on the search (and are not held back) trains what it is granted.
 */
export function machineCapacity(searchId: string, tabs: readonly { searchId: string | null; heldBack: string | null }[], trainersPerTab: number): number {
  return trainersPerTab * tabs.filter((t) => t.searchId === searchId && t.heldBack === null).length;
}

/** The stand-in tab that holds a machine's jobs. */
export const holderOf = (machine: string): string => `${REMOTE_HOLDER_PREFIX}${machine}`;

/** The machine a stand-in tab stands for. */
export const machineOf = (holder: string): string => holder.slice(REMOTE_HOLDER_PREFIX.length);

export interface GrantInput {
  /** The leading machine (this one). */
  readonly machine: string;
  readonly leases: ReadonlyMap<string, Lease>;
  /** Machine → jobs it asks for. */
  readonly requests: ReadonlyMap<string, number>;
  readonly present: ReadonlySet<string>;
  /** Nets of the jobs queued or claimed here. */
  readonly active: ReadonlySet<string>;
  /** Nets of the jobs queued here, oldest first. */
  readonly queued: readonly string[];
  /** Whether a machine has been absent longer than a grant outlives it. */
  readonly absentTooLong: (machine: string) => boolean;
}

/**
 * The grants the leader wants (net → stand-in tab): a grant ends with its job, with its
 * machine's long absence, or when its machine asks for none; a machine that asks for fewer
 * keeps what it holds (it may be training it); one that asks for more gets queued jobs.
 */
export function planGrants(input: GrantInput): Map<string, string> {
  const { machine, leases, requests, present, active } = input;
  const wanted = new Map<string, string>();
  const perMachine = new Map<string, number>();
  for (const [net, lease] of leases) {
    if (!active.has(net) || lease.machine === machine || input.absentTooLong(lease.machine) || (requests.get(lease.machine) ?? 0) === 0) continue;
    wanted.set(net, holderOf(lease.machine));
    perMachine.set(lease.machine, (perMachine.get(lease.machine) ?? 0) + 1);
  }
  const free = input.queued.filter((net) => !wanted.has(net));
  for (const [asker, count] of requests) {
    if (asker === machine || !present.has(asker)) continue;
    for (let n = perMachine.get(asker) ?? 0; n < count && free.length > 0; n++) wanted.set(free.shift()!, holderOf(asker));
  }
  return wanted;
}

/**
 * On a following machine, the leader's jobs not granted to it (net → the stand-in tab that
 * holds each here: the machine granted it, or the leader): its trainers see only its own.
 */
export function othersHold(jobs: readonly { netString: string }[], leases: ReadonlyMap<string, Lease>, machine: string, leader: string): Map<string, string> {
  const held = new Map<string, string>();
  for (const job of jobs) {
    const lease = leases.get(job.netString);
    if (lease?.machine !== machine) held.set(job.netString, holderOf(lease?.machine ?? leader));
  }
  return held;
}
