/**
 * The one argument parser of every script: by hand rather than node:util parseArgs so every
 * mistake gets a message that names the flag, the value and what was expected, plus the value
 * checks and choice lists the commands share. Each command's usage text and parse function sit
 * beside it (args-search.ts, args-bench.ts, args-bench-train.ts, args-screenshots.ts). Pure: no
 * I/O, so tests/unit/runner can check every message. Preset ids come from the app's own list.
 */
import { PRESET_IDS, type SearchConfig } from '../../src/search/config';
import type { BackendPreference } from '../../src/train/types';

export class ArgError extends Error {
  override name = 'ArgError';
}

export { PRESET_IDS };

/**
 * The trainer's backend choices (src/train/types.ts BackendPreference), in the order the usage
 * texts show them. A record so the compiler refuses a list that misses or invents one.
 */
const BACKEND_CHOICES: Record<BackendPreference, true> = { webgpu: true, webgl: true, cpu: true, auto: true };
export const BACKENDS = Object.keys(BACKEND_CHOICES) as BackendPreference[];
export type Strategy = SearchConfig['strategy'];
const STRATEGY_CHOICES: Record<Strategy, true> = { 'q-learning': true, random: true, evolution: true };
export const STRATEGIES = Object.keys(STRATEGY_CHOICES) as Strategy[];
/** The URL setup's dataset id rule (src/search/url-setup.ts). */
export const DATASET_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
/** Tabs share one machine's cores; past this a search only gets slower. */
export const MAX_TABS = 8;

type FlagKind = 'string' | 'boolean';
export type FlagSpec = Record<string, FlagKind>;
export type RawFlags = Partial<Record<string, string | true>>;

/**
 * Splits argv into flag → raw value by a spec of `{ name: 'string' | 'boolean' }`.
 * Accepts `--name value` and `--name=value`; refuses unknown flags, a flag given twice,
 * a missing value and stray positional words.
 * @param aliases short form → long name, e.g. { h: 'help' }
 */
export function splitFlags(argv: readonly string[], spec: FlagSpec, aliases: Record<string, string> = {}): RawFlags {
  const out: RawFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    let name: string;
    let inline: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      inline = eq === -1 ? undefined : word.slice(eq + 1);
    } else if (/^-[a-z]$/i.test(word) && aliases[word.slice(1)]) {
      name = aliases[word.slice(1)]!;
    } else {
      throw new ArgError(`unexpected argument ${JSON.stringify(word)} (position ${i + 1}): every option is a --flag`);
    }
    const kind = spec[name];
    if (kind === undefined) {
      const known = Object.keys(spec).map((n) => `--${n}`);
      const near = closest(name, Object.keys(spec));
      throw new ArgError(`unknown option --${name}${near ? ` (did you mean --${near}?)` : ''}; known options: ${known.join(', ')}`);
    }
    if (Object.hasOwn(out, name)) throw new ArgError(`option --${name} is given twice`);
    if (kind === 'boolean') {
      if (inline !== undefined) throw new ArgError(`option --${name} takes no value (found --${name}=${inline})`);
      out[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ArgError(`option --${name} needs a value`);
      value = next;
      i++;
    }
    if (value === '') throw new ArgError(`option --${name} needs a value (found an empty string)`);
    out[name] = value;
  }
  return out;
}

/** The known name within edit distance 2 of `name`, for "did you mean". */
function closest(name: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** A string flag's value (the spec guarantees strings for string flags). */
export function text(raw: RawFlags, name: string): string | undefined {
  const value = raw[name];
  return typeof value === 'string' ? value : undefined;
}

/** A uint32 seed, as the URL setup accepts it. */
export function parseSeed(value: string, flag = '--seed'): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) {
    throw new ArgError(`${flag} ${JSON.stringify(value)}: expected an integer from 0 to 4294967295`);
  }
  return n;
}

export function parseIntIn(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ArgError(`${flag} ${JSON.stringify(value)}: expected an integer from ${min} to ${max}`);
  return n;
}

export function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new ArgError(`${flag} ${JSON.stringify(value)}: expected one of ${choices.join(', ')}`);
  return value as T;
}
