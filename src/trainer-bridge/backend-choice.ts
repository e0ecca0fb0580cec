/**
 * `auto` picks by measurement (issue 15): the fastest backend on the calibration net, WebGPU
 * when it is within 10% of the fastest (it scales better with net size and frees the CPU). The
 * answer is cached in localStorage per GPU adapter and browser version, so the measurement (a
 * few seconds) runs once per machine and browser update. The cache is read like any outside
 * input: size-limited and checked field by field, and anything else is measured again.
 */
import type { BackendName, BackendSpeed } from '../train/types';

export const CHOICE_STORAGE_KEY = 'metaqnn.backend-choice.v1';
/** WebGPU wins unless another backend is more than this much faster. */
export const PREFER_WEBGPU_WITHIN = 0.1;
const MAX_CACHE_CHARS = 8_192;
const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];

export interface BackendChoice {
  readonly backend: BackendName;
  readonly speeds: readonly BackendSpeed[];
  readonly measuredAt: number;
  /** The adapter and browser the measurement belongs to. */
  readonly key: string;
  /** Read from the cache rather than measured now. */
  readonly cached: boolean;
}

/** The fastest measured backend, WebGPU when within PREFER_WEBGPU_WITHIN of it; null when none ran. */
export function pickBackend(speeds: readonly BackendSpeed[]): BackendName | null {
  const ran = speeds.filter((s): s is BackendSpeed & { imagesPerSecond: number } => s.imagesPerSecond !== null && s.imagesPerSecond > 0);
  if (ran.length === 0) return null;
  const best = ran.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
  const webgpu = ran.find((s) => s.backend === 'webgpu');
  if (webgpu && webgpu.imagesPerSecond >= (1 - PREFER_WEBGPU_WITHIN) * best.imagesPerSecond) return 'webgpu';
  return best.backend;
}

/** What a cached choice is valid for: the GPU adapter (or none) and the browser's version. */
export function choiceKey(adapter: { vendor: string; architecture: string; description: string } | null, userAgent: string): string {
  const gpu = adapter ? [adapter.vendor, adapter.architecture, adapter.description].join('/') : 'no-webgpu';
  return `${gpu} | ${userAgent}`;
}

export interface ChooseOptions {
  readonly key: string;
  readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  readonly measure: () => Promise<BackendSpeed[]>;
  readonly now?: () => number;
}

/** The cached choice for `key`, or a new measurement (then cached). Throws when no backend ran. */
export async function chooseBackend({ key, storage, measure, now = Date.now }: ChooseOptions): Promise<BackendChoice> {
  const cached = readCachedChoice(storage, key);
  if (cached) return cached;
  const speeds = await measure();
  const backend = pickBackend(speeds);
  if (backend === null) {
    throw new Error(`no backend could train: ${speeds.map((s) => `${s.backend}: ${s.error ?? 'no speed'}`).join('; ')}`);
  }
  const choice: BackendChoice = { backend, speeds, measuredAt: now(), key, cached: false };
  try {
    storage?.setItem(CHOICE_STORAGE_KEY, JSON.stringify({ backend, speeds, measuredAt: choice.measuredAt, key }));
  } catch {
    // A full or refused localStorage only costs a new measurement next time.
  }
  return choice;
}

/** The stored choice when it is well formed and for this key; null otherwise. */
export function readCachedChoice(storage: Pick<Storage, 'getItem'> | null, key: string): BackendChoice | null {
  let text: string | null = null;
  try {
    text = storage?.getItem(CHOICE_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
  if (text === null || text.length > MAX_CACHE_CHARS) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(value) || value.key !== key || !isBackend(value.backend) || !isTime(value.measuredAt) || !Array.isArray(value.speeds)) return null;
  const speeds: BackendSpeed[] = [];
  for (const s of value.speeds.slice(0, BACKENDS.length)) {
    if (!isObject(s) || !isBackend(s.backend)) return null;
    const ips = s.imagesPerSecond;
    if (!(ips === null || (typeof ips === 'number' && Number.isFinite(ips) && ips >= 0))) return null;
    speeds.push({ backend: s.backend, imagesPerSecond: ips, adapter: readAdapter(s.adapter) });
  }
  if (pickBackend(speeds) !== value.backend) return null;
  return { backend: value.backend, speeds, measuredAt: value.measuredAt, key, cached: true };
}

function readAdapter(v: unknown): BackendSpeed['adapter'] {
  if (!isObject(v)) return null;
  const text = (x: unknown) => (typeof x === 'string' ? x.slice(0, 200) : '');
  return { vendor: text(v.vendor), architecture: text(v.architecture), description: text(v.description), software: v.software === true };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isBackend(v: unknown): v is BackendName {
  return typeof v === 'string' && (BACKENDS as readonly string[]).includes(v);
}
function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/** This page's WebGPU adapter as the cache key names it (null without WebGPU). */
export async function pageAdapter(): Promise<{ vendor: string; architecture: string; description: string } | null> {
  try {
    const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    const info = (await gpu?.requestAdapter())?.info;
    return info ? { vendor: info.vendor, architecture: info.architecture, description: info.description } : null;
  } catch {
    return null;
  }
}

export { BACKENDS as CALIBRATED_BACKENDS };
