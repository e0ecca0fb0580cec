import { describe, expect, it } from 'vitest';
import { exportReplayJson, parseReplayJson, ReplayFileError } from '../../../src/search/export';
import type { ReplayRecord } from '../../../src/store';
import { trainedEntry } from './helpers';

const entries = [
  trainedEntry('[C(64,3,1), FC(128), SM(10)]', { iterations: [1, 3] }),
  trainedEntry('[C(128,5,1), GAP(10), SM(10)]', { iterations: [2], testAccuracy: null, latency: null, timings: null, status: 'failed-to-learn' }),
];
const agentReplay = [
  { net: entries[0]!.netString, iteration: 1, epsilon: 1 },
  { net: entries[1]!.netString, iteration: 2, epsilon: 1 },
  { net: entries[0]!.netString, iteration: 3, epsilon: 0.5 },
];

describe('replay JSON', () => {
  it('round-trips entries losslessly, with each iteration\'s ε', () => {
    const records: ReplayRecord[] = entries.map((e) => ({ ...e, searchId: 's1' }));
    const text = exportReplayJson(records, { agentReplay });
    expect(text).not.toContain('searchId');
    const back = parseReplayJson(text);
    expect(back.entries).toEqual(entries);
    expect(back.iterations.map((row) => [row.iteration, row.epsilon])).toEqual([
      [1, 1],
      [2, 1],
      [3, 0.5],
    ]);
  });

  it('names the entry and field at fault', () => {
    const json = JSON.parse(exportReplayJson(entries));
    json.entries[1].bestValAccuracy = 86;
    expect(() => parseReplayJson(JSON.stringify(json), 'my.json')).toThrow(
      new ReplayFileError('my.json: entries[1].bestValAccuracy: Invalid value: Expected <=1 but received 86'),
    );
    json.entries[1] = { ...entries[0] };
    expect(() => parseReplayJson(JSON.stringify(json))).toThrow(/entries\[1\]\.netString: \[C\(64,3,1\), FC\(128\), SM\(10\)\] appears twice/);
  });

  it('refuses other files and versions', () => {
    expect(() => parseReplayJson('{"format":"metaqnn-replay",')).toThrow(/^replay file is not JSON: /);
    expect(() => parseReplayJson('{"format":"other","version":1}')).toThrow(/format: Invalid type: Expected "metaqnn-replay"/);
    expect(() => parseReplayJson('{"format":"metaqnn-replay","version":2,"entries":[]}')).toThrow(
      'replay file: version 2 is not supported; this app reads version 1',
    );
  });
});
