/**
 * Small readers for plain JSON that came from somewhere we do not control (IndexedDB records
 * written by an older version, another tab, a file). Each one names the path of the bad
 * value and what was expected, so a corrupt record is reported, never silently defaulted.
 * Core imports no packages (design/architecture.md), hence these instead of a schema library.
 */

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A stored value that does not have the shape this code expects. `path` says where. */
export class CorruptDataError extends Error {
  override readonly name = 'CorruptDataError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** A short, printable rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined (missing)';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function readObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorruptDataError(path, `expected an object, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

export function readArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new CorruptDataError(path, `expected an array, got ${describeValue(value)}`);
  return value;
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new CorruptDataError(path, `expected a string, got ${describeValue(value)}`);
  return value;
}

export interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

export function readNumber(value: unknown, path: string, rule: NumberRule = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CorruptDataError(path, `expected a finite number, got ${describeValue(value)}`);
  }
  if (rule.integer && !Number.isSafeInteger(value)) {
    throw new CorruptDataError(path, `expected an integer, got ${value}`);
  }
  if (rule.min !== undefined && value < rule.min) {
    throw new CorruptDataError(path, `expected a number >= ${rule.min}, got ${value}`);
  }
  if (rule.max !== undefined && value > rule.max) {
    throw new CorruptDataError(path, `expected a number <= ${rule.max}, got ${value}`);
  }
  return value;
}

export function readLiteral<T extends string | number>(value: unknown, path: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new CorruptDataError(path, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}

/** Checks that a value is JSON (no undefined, functions, NaN, cycles are impossible from JSON.parse). */
export function readJson(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return readNumber(value, path);
  if (Array.isArray(value)) return value.map((item, i) => readJson(item, `${path}[${i}]`));
  const object = readObject(value, path);
  const out: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(object)) out[key] = readJson(item, `${path}.${key}`);
  return out;
}
