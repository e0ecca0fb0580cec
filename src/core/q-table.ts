/**
 * The Q-table: Q(state key, action key), 0.5 for every pair never updated (spec section 2).
 * Only updated pairs are stored, so the table stays small and its JSON form is plain data.
 */
import { CorruptDataError, describeValue, readNumber, readObject } from './json-check';
import { parseLayer } from './network-string';
import { stateKeyPattern } from './states';

/** Spec section 2 / paper Table 2: every Q-value starts at 0.5. */
export const initialQValue = 0.5;

export interface QTableJson {
  readonly initialValue: number;
  /** state key -> action key -> Q-value. */
  readonly values: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export class QTable {
  readonly #values = new Map<string, Map<string, number>>();

  constructor(readonly initialValue: number = initialQValue) {}

  get(stateKey: string, actionKey: string): number {
    return this.#values.get(stateKey)?.get(actionKey) ?? this.initialValue;
  }

  set(stateKey: string, actionKey: string, value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`Q(${stateKey}, ${actionKey}) must be finite, got ${value}`);
    let row = this.#values.get(stateKey);
    if (row === undefined) {
      row = new Map();
      this.#values.set(stateKey, row);
    }
    row.set(actionKey, value);
  }

  /** max over `actionKeys` of Q(stateKey, ·); 0 when there are none (the end state). */
  max(stateKey: string, actionKeys: readonly string[]): number {
    let best = -Infinity;
    for (const key of actionKeys) best = Math.max(best, this.get(stateKey, key));
    return actionKeys.length === 0 ? 0 : best;
  }

  /** Number of stored (updated) pairs. */
  get size(): number {
    let n = 0;
    for (const row of this.#values.values()) n += row.size;
    return n;
  }

  toJSON(): QTableJson {
    return serializeQTable(this);
  }

  /** Stored pairs in insertion order, for serialisation and inspection. */
  *entries(): IterableIterator<[stateKey: string, actionKey: string, value: number]> {
    for (const [stateKey, row] of this.#values) for (const [actionKey, value] of row) yield [stateKey, actionKey, value];
  }
}

export function serializeQTable(table: QTable): QTableJson {
  const values: Record<string, Record<string, number>> = {};
  for (const [stateKey, actionKey, value] of table.entries()) (values[stateKey] ??= {})[actionKey] = value;
  return { initialValue: table.initialValue, values };
}

/**
 * Rebuilds a Q-table from its JSON form. Any bad part is an error naming it, e.g.
 * `Q-table.values["C(64,3,1)|d1|b8"]["P(2,2)"]: expected a finite number, got "0.5x"`;
 * nothing is silently replaced by the initial value.
 */
export function deserializeQTable(json: unknown, path = 'Q-table'): QTable {
  const o = readObject(json, path);
  const table = new QTable(readNumber(o['initialValue'], `${path}.initialValue`));
  const values = readObject(o['values'], `${path}.values`);
  for (const [stateKey, row] of Object.entries(values)) {
    const rowPath = `${path}.values[${JSON.stringify(stateKey)}]`;
    if (!stateKeyPattern.test(stateKey)) {
      throw new CorruptDataError(rowPath, `not a state key (like "C(64,3,1)|d1|b8"): ${describeValue(stateKey)}`);
    }
    for (const [actionKey, value] of Object.entries(readObject(row, rowPath))) {
      const cellPath = `${rowPath}[${JSON.stringify(actionKey)}]`;
      try {
        parseLayer(actionKey);
      } catch (error) {
        throw new CorruptDataError(cellPath, `not an action key (a layer like "C(64,3,1)"): ${(error as Error).message}`);
      }
      table.set(stateKey, actionKey, readNumber(value, cellPath));
    }
  }
  return table;
}
