/** Store.readSearchSnapshot / writeSearchSnapshot: the store methods the archive relies on. */
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  DuplicateNetError,
  RecordValidationError,
  type NewSearchSnapshot,
} from '../../../src/store';
import { freshStore, NET_A, NET_B, replayEntry, storeWithSearch, T0 } from '../store/helpers';

const job = (netString: string, status: 'queued' | 'claimed' | 'done' | 'failed' = 'queued') => ({
  netString,
  iterations: [2],
  epsilon: 1,
  status,
  claimedBy: null,
  claimedAt: null,
  attempts: 0,
  lastError: null,
  createdAt: T0,
});

function snapshot(overrides: Partial<NewSearchSnapshot> = {}): NewSearchSnapshot {
  return {
    search: { name: 'copy', config: { epochs: 1 }, seed: 4, status: 'paused', datasetId: 'mnist', presetId: 'tiny', createdAt: 5 },
    agentState: { format: 'metaqnn-agent' },
    replay: [replayEntry(NET_A)],
    jobs: [job(NET_B)],
    weights: [{ netString: NET_A, buffers: [new Uint8Array([1, 2, 3]).buffer], specs: [{ name: 'w', shape: [3], dtype: 'int32' }], createdAt: 7 }],
    ...overrides,
  };
}

describe('search snapshots', () => {
  it('writes every part under a new id and reads it back in one piece', async () => {
    const { store } = await freshStore();
    const written = await store.writeSearchSnapshot(snapshot());
    expect(written).toMatchObject({ id: 'id-1', name: 'copy', status: 'paused', createdAt: 5 });
    const back = (await store.readSearchSnapshot('id-1'))!;
    expect(back.search).toEqual(written);
    expect(back.agent).toMatchObject({ searchId: 'id-1', revision: 1, state: { format: 'metaqnn-agent' } });
    expect(back.replay).toEqual([{ ...replayEntry(NET_A), searchId: 'id-1' }]);
    expect(back.jobs).toMatchObject([{ id: 1, searchId: 'id-1', netString: NET_B, status: 'queued' }]);
    expect([...new Uint8Array(back.weights[0]!.buffers[0]!)]).toEqual([1, 2, 3]);
    expect(await store.readSearchSnapshot('nope')).toBeUndefined();
  });

  it('writes nothing when a part breaks the store\'s rules', async () => {
    const { store } = await storeWithSearch('s1');
    const before = await store.readSearchSnapshot('s1');
    const attempts: [NewSearchSnapshot, unknown, RegExp][] = [
      [snapshot({ replay: [replayEntry(NET_A), replayEntry(NET_A)] }), DuplicateNetError, /appears twice in the replay memory/],
      [snapshot({ jobs: [job(NET_A)] }), DuplicateNetError, /job 0 to write is queued but the net is in the replay memory already/],
      [snapshot({ jobs: [job(NET_B), job(NET_B, 'claimed')] }), AlreadyExistsError, /has two active jobs/],
      [snapshot({ replay: [replayEntry(NET_A, { bestValAccuracy: 86 })] }), RecordValidationError, /field "bestValAccuracy"/],
    ];
    for (const [input, type, message] of attempts) {
      const error = await store.writeSearchSnapshot(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
    }
    await expect(store.writeSearchSnapshot(snapshot(), 's1')).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await store.listSearches()).toHaveLength(1);
    expect(await store.readSearchSnapshot('s1')).toEqual(before);
    // No stray records of the failed writes under other ids either.
    const counts = await Promise.all((['agent', 'replay', 'jobs', 'weights'] as const).map((name) => store.database.count(name)));
    expect(counts).toEqual([0, 0, 0, 0]);
  });
});
