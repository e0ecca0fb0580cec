/** The authors' replay database (shared/fixtures/README.md), read once for several tests. */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';

export interface FixtureRow {
  readonly net: string;
  readonly accuracy: number;
  readonly epsilon: number;
}

const path = new URL('../../../../shared/fixtures/metaqnn-replay_database.csv', import.meta.url);

export function readReplayFixture(): FixtureRow[] {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`fixture CSV: ${parsed.errors[0]!.message} (row ${parsed.errors[0]!.row})`);
  return parsed.data.map((row) => ({
    net: row['net']!,
    accuracy: Number(row['accuracy_best_val']),
    epsilon: Number(row['epsilon']),
  }));
}

// spec section 1: the paper's best and 4th CIFAR-10 nets.
export const paperBest = '[C(512,5,1), C(256,3,1), C(256,5,1), C(256,3,1), P(5,3), C(512,3,1), C(512,5,1), P(2,2), SM(10)]';
export const paperFourth = '[C(256,3,1), C(256,3,1), P(5,3), C(256,1,1), C(128,3,1), P(2,2), C(128,3,1), SM(10)]';
