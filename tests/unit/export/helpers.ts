/** Shared pieces of the export tests: the authors' replay file and small replay entries. */
import { readFileSync } from 'node:fs';
import type { InputShape } from '../../../src/core';

/** shared/fixtures/README.md: the original code's replay_database.csv (SVHN, 32x32x3). */
export const fixtureText = (): string =>
  readFileSync(new URL('../../../../shared/fixtures/metaqnn-replay_database.csv', import.meta.url), 'utf8');
export const SVHN: InputShape = { height: 32, width: 32, channels: 3 };
export const MNIST: InputShape = { height: 28, width: 28, channels: 1 };

export const HEADER =
  'net,accuracy_best_val,iter_best_val,accuracy_last_val,iter_last_val,accuracy_best_test,accuracy_last_test,ix_q_value_update,epsilon,time_finished,machine_run_on';

export { trainedEntry } from '../replay-record';
