import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { parseNetwork, scheduleTotal, validateNetwork } from '../../../src/core';
import { createAgent } from '../../../src/search/leader';
import { agentConsistency } from '../../../src/search/diagnostics';
import { openStore } from '../../../src/store';
import { FakeTrainer } from './fake-trainer';
import { config, newSearch, session } from './session-fixture';

describe('a search on regularized evolution (fake trainer)', () => {
  it('runs its schedule and final phase, every net legal, the stored population consistent with the replay', async () => {
    const store = await openStore('metaqnn', new IDBFactory());
    const cfg = { ...config(21), strategy: 'evolution' as const };
    const id = await newSearch(store, cfg);
    await session(store, id, cfg, new FakeTrainer(), 'tab-a').start();
    expect((await store.getSearch(id))!.status).toBe('done');
    const replay = await store.listReplay(id);
    expect(replay).toHaveLength(scheduleTotal(cfg.schedule));
    // The fixture's images are 12×12 grayscale, 10 classes.
    const space = createAgent(cfg, { inputShape: { height: 12, width: 12, channels: 1 }, classes: 10 }).space;
    for (const e of replay) expect(validateNetwork(parseNetwork(e.netString), space)).toEqual([]);
    const agent = (await store.getAgentState(id))!.state as { strategy: { kind: string } };
    expect(agent.strategy.kind).toBe('evolution');
    expect(await agentConsistency(store, id)).toMatchObject({ qTableMatchesReplay: true, unique: true, problems: [] });
  });
});
