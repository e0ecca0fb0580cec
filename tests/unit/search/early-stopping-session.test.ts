/**
 * Early stopping in a search (issue 14): after each epoch the trainer asks whether to go on;
 * the session answers from the search's completed curves. The fake trainer's curves rise to
 * each net's accuracy, so a hopeless net shows it in its first epochs.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { replayQTable, scheduleTotal, type AgentJson } from '../../../src/core';
import type { SearchConfig } from '../../../src/search/config';
import { agentConsistency } from '../../../src/search/diagnostics';
import { openStore } from '../../../src/store';
import { FakeTrainer } from './fake-trainer';
import { config, newSearch, session } from './session-fixture';

const EPOCHS = 5;

async function run(earlyStopping: boolean) {
  const store = await openStore('metaqnn', new IDBFactory());
  const base = config(8);
  const cfg: SearchConfig = {
    ...base,
    schedule: [
      { epsilon: 1, nets: 30 },
      { epsilon: 0.5, nets: 10 },
      { epsilon: 0.1, nets: 10 },
    ],
    training: { ...base.training, epochs: EPOCHS },
    earlyStopping: { enabled: earlyStopping, confidence: 0.95, topK: 3, minCompleted: 10 },
  };
  const id = await newSearch(store, cfg);
  const trainer = new FakeTrainer();
  await session(store, id, cfg, trainer, 'tab-a').start();
  return { store, id, cfg, trainer };
}

describe('early stopping in a search', () => {
  it('stops hopeless nets after the first ten finished, scores them by prediction, and keeps them out of the final phase', async () => {
    const { store, id, cfg, trainer } = await run(true);
    const search = (await store.getSearch(id))!;
    expect(search.status).toBe('done');
    const replay = (await store.listReplay(id)).sort((a, b) => a.finishedAt - b.finishedAt);
    const trainedNets = replay.length;
    expect(trainedNets).toBeGreaterThan(20);
    const stopped = replay.filter((e) => e.earlyStop);
    expect(stopped.length).toBeGreaterThan(3);
    expect(trainer.stoppedEarly).toHaveLength(stopped.length);
    expect(trainer.epochsTrained).toBeLessThan(trainedNets * EPOCHS);
    // The first ten always finish: the predictor needs their curves.
    expect(replay.slice(0, 10).every((e) => !e.earlyStop)).toBe(true);
    const bar = Math.min(...replay.filter((e) => !e.earlyStop).map((e) => e.bestValAccuracy).sort((a, b) => b - a).slice(0, 3));
    for (const e of stopped) {
      const verdict = e.earlyStop!;
      expect(verdict.afterEpoch).toBeLessThan(EPOCHS);
      expect(e.valCurve).toHaveLength(verdict.afterEpoch);
      expect(e.reward).toBe(verdict.predicted); // no constraints: the agent learns the prediction
      expect(verdict.chance).toBeLessThan(0.05);
      expect(verdict.predicted).toBeLessThan(verdict.bar);
      expect(e.testAccuracy).toBeNull();
      expect(e.bestValAccuracy).toBeLessThan(bar); // nothing of the final top 3 was stopped
    }
    // The final phase takes only nets trained to the end.
    const stoppedNets = new Set(stopped.map((e) => e.netString));
    expect(search.finalProgress!.fineTuned.some((f) => stoppedNets.has(f.netString))).toBe(false);
    expect(search.finalProgress!.fineTuned).toHaveLength(cfg.final.fineTuneTop);
    // The agent learnt from exactly what is stored.
    const agent = (await store.getAgentState(id))!.state as unknown as AgentJson;
    expect(replayQTable(agent)).toEqual(agent.strategy);
    expect(await agentConsistency(store, id)).toMatchObject({ qTableMatchesReplay: true, unique: true, problems: [] });
  });

  it('off, every net trains every epoch', async () => {
    const { store, id, cfg, trainer } = await run(false);
    const replay = await store.listReplay(id);
    expect(replay.some((e) => e.earlyStop)).toBe(false);
    expect(trainer.stoppedEarly).toEqual([]);
    expect(trainer.epochsTrained).toBe(replay.length * EPOCHS);
    expect(replay.length).toBeLessThanOrEqual(scheduleTotal(cfg.schedule));
  });
});
