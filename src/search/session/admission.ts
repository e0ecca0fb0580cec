/**
 * Trainers where they help (issue 15): how many of a search's trainers (worker slots in every
 * tab) may claim jobs. The leader starts with one, measures the nets per hour, admits one more
 * for a trial of as many nets, and keeps it only when the search got faster; otherwise it goes
 * back and does not try that many again. On a machine where a second tab only competes for the
 * same cores, the second tab waits and says why; where the hardware has room, trainers are
 * added one by one while the pace rises.
 *
 * The state lives on the search record (written by the leader, read by every tab), so a new
 * leader goes on from it and every tab knows whether its slots may claim.
 */
import type { SearchRecord } from '../../store';

export type Admission = NonNullable<SearchRecord['admission']>;

/** Nets each level is measured over (the first one's finish starts the clock, so it is one more than the gaps timed). */
export const ADMISSION_WINDOW = 4;
/** A trial level is kept only when it is this much faster than the level below. */
export const ADMISSION_GAIN = 1.05;

/** The first state: one trainer, being measured. */
export function firstAdmission(now: number): Admission {
  return { admitted: 1, phase: 'steady', since: now, measured: [], ceiling: null, trainers: [] };
}

/**
 * Nets per hour from the finishes after `since`: gaps between the first and the last of
 * them, so start-up (a new worker's upload and shaders, a level's first job) is left out. null
 * until ADMISSION_WINDOW nets have finished.
 */
export function paceSince(finishes: readonly number[], since: number): number | null {
  const after = finishes.filter((t) => t > since).sort((a, b) => a - b);
  if (after.length < ADMISSION_WINDOW) return null;
  const span = after[after.length - 1]! - after[0]!;
  return span > 0 ? ((after.length - 1) * 3_600_000) / span : null;
}

/**
 * The next state from the nets' finish times and the trainers there are, an A-B-A comparison
 * (a search speeds up as its trainers' shaders compile, so a level measured before a trial
 * alone would flatter the trial). Steady at n, once measured: try n + 1 if there are that many
 * trainers and that many was not found slower. Trial at n + 1, once measured: back to n to
 * measure it again. Confirm at n, once measured: keep n + 1 if its pace beat the mean of the two
 * measurements at n by ADMISSION_GAIN, else stay at n and remember the ceiling.
 */
export function nextAdmission(
  previous: Admission | null,
  input: { readonly now: number; readonly finishes: readonly number[]; readonly available: number },
): Admission {
  const { now, finishes } = input;
  const available = Math.max(1, input.available);
  let a = previous ?? firstAdmission(now);
  if (a.admitted > available) a = { ...a, admitted: available, phase: 'steady', since: now };
  const pace = paceSince(finishes, a.since);
  if (pace === null) return a;
  const rateOf = (trainers: number) => a.measured.find((m) => m.trainers === trainers)?.netsPerHour ?? null;
  const withRate = (trainers: number, netsPerHour: number) =>
    [...a.measured.filter((m) => m.trainers !== trainers), { trainers, netsPerHour }].sort((x, y) => x.trainers - y.trainers);
  if (a.phase === 'steady') {
    const measured = withRate(a.admitted, pace);
    const next = a.admitted + 1;
    const blocked = a.ceiling !== null && next >= a.ceiling;
    return next <= available && !blocked ? { ...a, admitted: next, phase: 'trial', since: now, measured } : { ...a, measured };
  }
  if (a.phase === 'trial') return { ...a, admitted: a.admitted - 1, phase: 'confirm', since: now, measured: withRate(a.admitted, pace) };
  // Confirm: the level below the trial, measured again.
  const before = rateOf(a.admitted) ?? pace;
  const level = (before + pace) / 2;
  const trial = rateOf(a.admitted + 1) ?? 0;
  const measured = withRate(a.admitted, level);
  if (a.admitted + 1 <= available && trial >= level * ADMISSION_GAIN) return { ...a, admitted: a.admitted + 1, phase: 'steady', since: now, measured };
  return { ...a, phase: 'steady', since: now, measured, ceiling: a.admitted + 1 };
}

/**
 * Every trainer of the live tabs, in admission order: the leader's own slots first (it never
 * waits for a message to train), then the other tabs' by tab id. A trainer is `tabId#slot`.
 */
export function trainerOrder(leaderTab: string, liveTabs: Iterable<string>, slotsPerTab: number): string[] {
  const others = [...liveTabs].filter((t) => t !== leaderTab).sort();
  return [leaderTab, ...others].flatMap((tab) => Array.from({ length: slotsPerTab }, (_, slot) => trainerId(tab, slot)));
}

export function trainerId(tabId: string, slot: number): string {
  return `${tabId}#${slot}`;
}

/** Whether a trainer may claim: every one may before the leader has decided. */
export function isAdmitted(admission: Admission | undefined, trainer: string): boolean {
  return !admission || admission.trainers.length === 0 || admission.trainers.includes(trainer);
}

/** Why a trainer waits, for its tab's header. */
export function idleReason(admission: Admission): string {
  const rate = (n: number) => admission.measured.find((m) => m.trainers === n)?.netsPerHour ?? null;
  const fmt = (x: number | null) => (x === null ? '?' : Math.round(x).toLocaleString('en-US'));
  if (admission.ceiling !== null && admission.ceiling === admission.admitted + 1) {
    return `held back: ${admission.ceiling} trainers made the search no faster than ${admission.admitted} (${fmt(rate(admission.ceiling))} vs ${fmt(rate(admission.admitted))} nets/hour)`;
  }
  if (admission.phase === 'confirm') return `waiting: ${admission.admitted === 1 ? 'one trainer is' : `${admission.admitted} trainers are`} measured again after a trial of ${admission.admitted + 1}`;
  return admission.phase === 'trial'
    ? `waiting: ${admission.admitted} trainers are on trial against ${admission.admitted - 1}`
    : `waiting: ${admission.admitted === 1 ? 'one trainer is' : `${admission.admitted} trainers are`} measured first`;
}
