/**
 * ε schedules as data: how many UNIQUE nets to train at each ε (spec section 2, paper Table 2).
 */
import { CorruptDataError, readArray, readNumber, readObject } from './json-check';

export interface EpsilonLevel {
  readonly epsilon: number;
  /** Unique nets to train (and report) at this ε before moving to the next level. */
  readonly nets: number;
}

export type EpsilonSchedule = readonly EpsilonLevel[];

/** Paper Table 2: 1.0×1500, then 100 at 0.9..0.7 and 150 at 0.6..0.1; 2,700 nets. */
export const paperSchedule: EpsilonSchedule = [
  { epsilon: 1.0, nets: 1500 },
  { epsilon: 0.9, nets: 100 },
  { epsilon: 0.8, nets: 100 },
  { epsilon: 0.7, nets: 100 },
  { epsilon: 0.6, nets: 150 },
  { epsilon: 0.5, nets: 150 },
  { epsilon: 0.4, nets: 150 },
  { epsilon: 0.3, nets: 150 },
  { epsilon: 0.2, nets: 150 },
  { epsilon: 0.1, nets: 150 },
];

/** Every level's count × factor, rounded, at least 1 so no ε level disappears. */
export function scaleSchedule(schedule: EpsilonSchedule, factor: number): EpsilonSchedule {
  if (!Number.isFinite(factor) || factor <= 0) throw new RangeError(`scaleSchedule factor must be > 0, got ${factor}`);
  return schedule.map(({ epsilon, nets }) => ({ epsilon, nets: Math.max(1, Math.round(nets * factor)) }));
}

export function scheduleTotal(schedule: EpsilonSchedule): number {
  return schedule.reduce((sum, level) => sum + level.nets, 0);
}

/**
 * Named schedules. `quick` is paperSchedule scaled by 1/18 (149 nets), `tiny` by 1/270
 * (15 nets: 6 at ε = 1, one per lower level); a unit test checks they match scaleSchedule.
 */
export const schedulePresets = {
  paper: paperSchedule,
  quick: [
    { epsilon: 1.0, nets: 83 },
    { epsilon: 0.9, nets: 6 },
    { epsilon: 0.8, nets: 6 },
    { epsilon: 0.7, nets: 6 },
    { epsilon: 0.6, nets: 8 },
    { epsilon: 0.5, nets: 8 },
    { epsilon: 0.4, nets: 8 },
    { epsilon: 0.3, nets: 8 },
    { epsilon: 0.2, nets: 8 },
    { epsilon: 0.1, nets: 8 },
  ],
  tiny: [
    { epsilon: 1.0, nets: 6 },
    { epsilon: 0.9, nets: 1 },
    { epsilon: 0.8, nets: 1 },
    { epsilon: 0.7, nets: 1 },
    { epsilon: 0.6, nets: 1 },
    { epsilon: 0.5, nets: 1 },
    { epsilon: 0.4, nets: 1 },
    { epsilon: 0.3, nets: 1 },
    { epsilon: 0.2, nets: 1 },
    { epsilon: 0.1, nets: 1 },
  ],
} as const satisfies Record<string, EpsilonSchedule>;

export type SchedulePresetName = keyof typeof schedulePresets;

/** Checks an untrusted schedule; errors name the level and field. */
export function checkSchedule(value: unknown, path = 'schedule'): EpsilonSchedule {
  const levels = readArray(value, path);
  if (levels.length === 0) throw new CorruptDataError(path, 'expected at least one ε level');
  return levels.map((item, i) => {
    const level = readObject(item, `${path}[${i}]`);
    return {
      epsilon: readNumber(level['epsilon'], `${path}[${i}].epsilon`, { min: 0, max: 1 }),
      nets: readNumber(level['nets'], `${path}[${i}].nets`, { integer: true, min: 1 }),
    };
  });
}
