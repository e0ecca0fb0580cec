import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  Agent,
  makeSearchSpace,
  paperSearchSpace,
  qLearningStrategy,
  schedulePresets,
  type AgentConfig,
} from '../../../src/core';
import { presetConfig } from '../../../src/search/config';
import {
  createSeededSearch,
  importReplayCsv,
  meanAccuracyByEpsilon,
  seedAgentFromReplay,
} from '../../../src/search/export';
import { SearchLeader } from '../../../src/search/leader';
import { openStore } from '../../../src/store';
import { fixtureText, MNIST, SVHN, trainedEntry } from './helpers';

const tinySpace = makeSearchSpace('tiny', { inputShape: MNIST, numClasses: 10 });

function qValues(agent: Agent): Record<string, Record<string, number>> {
  const strategy = agent.toJSON().strategy;
  if (strategy.kind !== 'q-learning') throw new Error('expected Q-learning');
  return strategy.qTable.values as Record<string, Record<string, number>>;
}

describe('seedAgentFromReplay', () => {
  it('applies the Q-learning replay update of each iteration (paper α = 0.01, γ = 1)', () => {
    const space = paperSearchSpace({ inputShape: MNIST, numClasses: 10 });
    const config: AgentConfig = {
      space,
      schedule: [{ epsilon: 1, nets: 5 }],
      seed: 1,
      strategy: qLearningStrategy(space, { replaySamples: 1 }),
    };
    const { agent, entries, skipped } = seedAgentFromReplay(config, [
      trainedEntry('[C(64,3,1), SM(10)]', { reward: 0.8, bestValAccuracy: 0.8, iterations: [7] }),
    ]);
    expect(skipped).toEqual([]);
    // Terminal transition first: 0.99 * 0.5 + 0.01 * 0.8; then back to the start with r = 0
    // and max over the next state's actions (0.503, the one just updated).
    const q = qValues(agent);
    expect(q['C(64,3,1)|d1|b8']!['SM(10)']).toBeCloseTo(0.503, 12);
    expect(q['start|d0|b8']!['C(64,3,1)']).toBeCloseTo(0.99 * 0.5 + 0.01 * 0.503, 12);
    expect(agent.progress).toMatchObject({ trained: 1, iteration: 1, level: 0, trainedAtLevel: 1 });
    expect(agent.rewardOf('[C(64,3,1), SM(10)]')).toBe(0.8);
    expect(entries[0]).toMatchObject({ iterations: [1], source: 'imported' });
  });

  it('skips nets that break the search space or overflow the schedule, and says why', () => {
    const entries = [
      trainedEntry('[C(4,3,1), SM(10)]', { iterations: [1] }),
      trainedEntry('[C(64,3,1), SM(10)]', { iterations: [2] }),
      trainedEntry('[C(4,3,1),SM(10)]', { iterations: [3] }),
      trainedEntry('[C(8,1,1), P(2,2), SM(10)]', { iterations: [4, 6] }),
      trainedEntry('[C(4,1,1), GAP(10), SM(10)]', { iterations: [5] }),
    ];
    const seeded = seedAgentFromReplay({ space: tinySpace, schedule: [{ epsilon: 1, nets: 2 }], seed: 3 }, entries);
    expect(seeded.entries.map((e) => [e.netString, e.iterations])).toEqual([
      ['[C(4,3,1), SM(10)]', [1]],
      ['[C(8,1,1), P(2,2), SM(10)]', [2, 3]],
    ]);
    expect(seeded.skipped).toEqual([
      { netString: '[C(64,3,1), SM(10)]', iterations: [2], reason: expect.stringMatching(/^breaks the search space: layer 1 C\(64,3,1\): /) },
      { netString: '[C(4,3,1),SM(10)]', iterations: [3], reason: "not the store's key form [C(4,3,1), SM(10)] (dropout-free, formatted)" },
      { netString: '[C(4,1,1), GAP(10), SM(10)]', iterations: [5], reason: 'the ε schedule (2 nets) is full with the nets imported before it' },
    ]);
    expect(seeded.agent.progress).toMatchObject({ trained: 2, iteration: 3 });
    expect(seeded.agent.next()).toEqual({ type: 'done', reason: 'schedule-complete' });
    // Same input, same agent: the seeding is deterministic.
    const seedAgain = () => seedAgentFromReplay({ space: tinySpace, schedule: [{ epsilon: 1, nets: 2 }], seed: 3 }, entries).agent;
    expect(JSON.stringify(seedAgain())).toBe(JSON.stringify(seedAgain()));
    expect(qValues(seedAgain())).not.toEqual({});
  });

  it('refuses an agent that has already started', () => {
    const agent = new Agent({ space: tinySpace, schedule: [{ epsilon: 1, nets: 3 }], seed: 1 });
    agent.next();
    expect(() => seedAgentFromReplay(agent, [])).toThrow(/needs a fresh agent; this one is at iteration 1/);
  });

  it('seeds the paper\'s space with the authors\' whole replay file', () => {
    const imported = importReplayCsv(fixtureText(), { inputShape: SVHN });
    const config: AgentConfig = {
      space: paperSearchSpace({ inputShape: SVHN, numClasses: 10 }),
      schedule: schedulePresets.paper,
      seed: 11,
      dropout: 'paper',
    };
    const seeded = seedAgentFromReplay(config, imported.entries, imported.iterations);
    expect(seeded.skipped).toEqual([]);
    // 1,843 nets fill 1.0 (1500), 0.9, 0.8 and 0.7 (100 each); 43 of 150 at 0.6.
    expect(seeded.agent.progress).toMatchObject({ level: 4, epsilon: 0.6, trainedAtLevel: 43, trained: 1843, iteration: 1983, inFlight: 0 });
    expect(seeded.agent.rewardOf('[C(512,1,1), C(512,5,1), SM(10)]')).toBe(0.8096);
    expect(meanAccuracyByEpsilon(seeded.iterations)[0]!.meanAccuracy).toBeCloseTo(0.5225, 3);
    // The resumed agent never retrains an imported net; it reuses its accuracy.
    const known = new Set(seeded.entries.map((e) => e.netString));
    const resumed = Agent.fromJSON(JSON.parse(JSON.stringify(seeded.agent)));
    let reused = 0;
    for (let i = 0; i < 60; i++) {
      const step = resumed.next();
      if (step.type === 'train') {
        expect(known.has(step.key)).toBe(false);
        resumed.report(step.key, 0.5);
      } else if (step.type === 'reused') {
        reused++;
        // An imported net reuses its imported accuracy; one trained in this loop, its 0.5.
        const imported = seeded.entries.find((e) => e.netString === step.key);
        expect(step.reward).toBe(imported ? imported.reward : 0.5);
      }
    }
    expect(reused).toBeGreaterThan(0);
  });
});

describe('createSeededSearch', () => {
  it('writes the search, agent and replay at once, and the leader carries on from them', async () => {
    const store = await openStore('metaqnn', new IDBFactory(), { newId: () => 'seeded-1' });
    const config = { ...presetConfig('tiny', 'mnist', 5), schedule: [{ epsilon: 1, nets: 6 }, { epsilon: 0.5, nets: 4 }] };
    const entries = [
      trainedEntry('[C(4,3,1), SM(10)]', { iterations: [1], source: 'trained' }),
      trainedEntry('[C(8,1,1), P(2,2), SM(10)]', { iterations: [2], bestValAccuracy: 0.7, reward: 0.7 }),
      trainedEntry('[C(4,1,1), GAP(10), SM(10)]', { iterations: [3], bestValAccuracy: 0.3, reward: 0.3 }),
    ];
    const { search, seeded } = await createSeededSearch(store, {
      name: 'from the paper',
      config,
      dataset: { inputShape: MNIST, classes: 10 },
      entries,
    });
    expect(search).toMatchObject({ id: 'seeded-1', status: 'ready', seed: 5, datasetId: 'mnist', presetId: 'tiny' });
    const replay = await store.listReplay('seeded-1');
    expect(replay.map(({ searchId, ...entry }) => entry)).toEqual(seeded.entries);
    expect(replay.every((e) => e.source === 'imported')).toBe(true);
    expect((await store.getAgentState('seeded-1'))?.revision).toBe(1);

    await store.updateSearchStatus('seeded-1', 'running');
    const leader = await SearchLeader.open(store, 'seeded-1', { inputShape: MNIST, classes: 10 });
    expect(leader.progress).toMatchObject({ trained: 3, iteration: 3 });
    expect(await leader.step(3)).toBe('busy');
    const jobs = await store.listJobs('seeded-1');
    expect(jobs).toHaveLength(3);
    for (const job of jobs) expect(entries.map((e) => e.netString)).not.toContain(job.netString);
  });
});
