/**
 * What the live screen says about a budgeted search (issue 14): when it should end by the
 * clock, and the data plan it made from timing this device. Pure, so it is unit-tested.
 */
import type { SearchRecord } from '../store';

export type SearchPlan = NonNullable<SearchRecord['plan']>;

/** When a budgeted search should end (ms since the epoch): now plus what is left of its budget. */
export function budgetEndsAt(time: { readonly budgetMs: number; readonly usedMs: number }, now: number): number {
  return now + Math.max(0, time.budgetMs - time.usedMs);
}

/** A clock time such as "14:32" in the person's locale (the locale and zone are parameters for tests). */
export function clockTime(at: number, locale?: string, timeZone?: string): string {
  return new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', timeZone });
}

/** Two significant digits: 0.9, 0.012, 3.5; whole numbers from 10 up. */
export function significant(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 10) return Math.round(x).toLocaleString('en-US');
  return String(Number(x.toPrecision(2)));
}

/**
 * The data plan in words, e.g. "Each net trains on 2,000 images, nets up to 4.4 M multiply-adds
 * (measured on cpu: 0.2 ms per image and 0.9 ns per multiply-add per epoch, from 3 nets)". A null `trainSampleSize` is all the config gives a net:
 * `configTrainSize` images, or every training image when that is null too.
 */
export function planText(plan: SearchPlan, configTrainSize: number | null): string {
  const size = plan.trainSampleSize ?? configTrainSize;
  const images = size === null ? 'every training image' : `${size.toLocaleString('en-US')} images`;
  const { backend, msPerImage, nsPerMultiplyAdd, nets } = plan.calibration;
  const cap = plan.multiplyAddCap != null ? `, nets up to ${significant(plan.multiplyAddCap / 1e6)} M multiply-adds` : '';
  return `Each net trains on ${images}${cap} (measured on ${backend}: ${significant(msPerImage)} ms per image and ${significant(nsPerMultiplyAdd)} ns per multiply-add per epoch, from ${nets} net${nets === 1 ? '' : 's'})`;
}
