import { describe, expect, it } from 'vitest';
import { CurvesFileError, recordedNets } from '../../../scripts/lib/recorded-curves';

const curve = (...accuracies: number[]) => accuracies.map((accuracy) => ({ accuracy, loss: 1 - accuracy }));

describe('recorded curves for the early-stopping replay', () => {
  it('takes the nets of a results.json that trained to the end, in the order they finished', () => {
    const nets = recordedNets(
      {
        tool: 'metaqnn-web npm run search',
        nets: [
          { net: '[C(8,3,1), SM(10)]', status: 'ok', params: 1000, valCurve: curve(0.5, 0.7), finishedAt: '2026-12-02T10:00:05Z' },
          { net: '[C(4,3,1), SM(10)]', status: 'ok', params: 500, valCurve: curve(0.4, 0.6, 0.65), finishedAt: '2026-12-02T10:00:01Z' },
          { net: '[FC(8), SM(10)]', status: 'failed', params: 0, valCurve: [], finishedAt: '2026-12-02T10:00:02Z' },
          { net: '[P(2,2), SM(10)]', status: 'ok', params: 10, valCurve: curve(0.3), finishedAt: '2026-12-02T10:00:03Z' },
        ],
      },
      'results.json',
    );
    expect(nets.map((n) => n.id)).toEqual(['[C(4,3,1), SM(10)]', '[C(8,3,1), SM(10)]']);
    expect(nets[0]!.curve).toEqual([0.4, 0.6, 0.65]);
    expect(nets[0]!.architecture).toEqual({ depth: 2, params: 500, convs: 1, pools: 0, fcs: 0 });
  });

  it("reads the app's replay JSON (netString, times in ms)", () => {
    const nets = recordedNets(
      { format: 'metaqnn-replay', entries: [{ netString: '[C(8,3,1), FC(16), D(1,2), SM(10)]', status: 'failed-to-learn', params: 7, valCurve: curve(0.1, 0.1), finishedAt: 5 }] },
      'replay.json',
    );
    expect(nets).toHaveLength(1);
    expect(nets[0]!.architecture).toMatchObject({ depth: 3, fcs: 1 });
  });

  it('names the file, the net and the field that is wrong', () => {
    expect(() => recordedNets([1, 2], 'x.json')).toThrow(new CurvesFileError('x.json: no "nets" (results.json) or "entries" (replay JSON) list'));
    expect(() => recordedNets('text', 'x.json')).toThrow(/x\.json: expected a JSON object/);
    expect(() =>
      recordedNets({ nets: [{ net: '[C(8,3,1), SM(10)]', status: 'ok', params: 1, valCurve: curve(0.5, 1.5), finishedAt: null }] }, 'r.json'),
    ).toThrow(/r\.json: net 1: valCurve\.1\.accuracy/);
    expect(() => recordedNets({ nets: [{ net: '[Q(1)]', status: 'ok', params: 1, valCurve: curve(0.5, 0.6), finishedAt: null }] }, 'r.json')).toThrow(/r\.json: net 1: /);
  });
});
