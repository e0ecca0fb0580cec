import { describe, expect, it } from 'vitest';
import { NotFoundError, RevisionConflictError } from '../../../src/store/index.js';
import { storeWithSearch } from './helpers.js';

describe('agent state', () => {
  it('stores the state with a revision that grows on every write', async () => {
    const { store } = await storeWithSearch();
    expect(await store.getAgentState('s1')).toBeUndefined();
    expect(await store.putAgentState('s1', { state: { qTable: { a: 0.5 }, rng: [1, 2, 3, 4] } })).toBe(1);
    expect(await store.putAgentState('s1', { state: { qTable: { a: 0.51 }, rng: [5, 6, 7, 8] } })).toBe(2);
    expect(await store.getAgentState('s1')).toMatchObject({
      searchId: 's1',
      revision: 2,
      state: { qTable: { a: 0.51 }, rng: [5, 6, 7, 8] },
    });
  });

  it('refuses a write based on a stale revision and keeps the newer state', async () => {
    const { store } = await storeWithSearch();
    await store.putAgentState('s1', { state: { by: 'old leader' }, expectedRevision: 0 });
    await store.putAgentState('s1', { state: { by: 'new leader' }, expectedRevision: 1 });
    const stale = store.putAgentState('s1', { state: { by: 'old leader' }, expectedRevision: 1 });
    await expect(stale).rejects.toThrow(RevisionConflictError);
    await expect(stale).rejects.toThrow('revision 2, expected 1');
    expect((await store.getAgentState('s1'))?.state).toEqual({ by: 'new leader' });
  });

  it('refuses state for a search that does not exist (no orphans after a delete)', async () => {
    const { store } = await storeWithSearch();
    await expect(store.putAgentState('gone', { state: {} })).rejects.toThrow(NotFoundError);
    expect(await store.getAgentState('gone')).toBeUndefined();
  });

  it('refuses a state that is not a JSON object', async () => {
    const { store } = await storeWithSearch();
    await expect(store.putAgentState('s1', { state: null as unknown as Record<string, unknown> })).rejects.toThrow(
      /store "agent" at key "s1": field "state"/,
    );
  });
});
