import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createRng, replayQTable, scheduleTotal, type AgentJson } from '../../../src/core';
import { preparePayload } from '../../../src/search/prepare-dataset';
import { SearchSession } from '../../../src/search/search-session';
import { agentConsistency } from '../../../src/search/diagnostics';
import { openStore, type Store } from '../../../src/store';
import { LocalCoordination } from '../../../src/swarm/coordination';
import { FakeTrainer } from './fake-trainer';
import { config, dataset, newSearch, session } from './session-fixture';

async function runStraight(seed: number) {
  const factory = new IDBFactory();
  const store = await openStore('metaqnn', factory);
  const cfg = config(seed);
  const id = await newSearch(store, cfg);
  const trainer = new FakeTrainer();
  await session(store, id, cfg, trainer, 'tab-a').start();
  return { store, id, cfg, trainer };
}

async function snapshot(store: Store, id: string) {
  const replay = (await store.listReplay(id)).map((e) => ({ net: e.netString, iterations: e.iterations, reward: e.reward, epsilon: e.epsilon }));
  const agent = (await store.getAgentState(id))!.state as { strategy: unknown; replay: unknown; rng: unknown };
  return { replay, qTable: agent.strategy, agentReplay: agent.replay, rng: agent.rng };
}

describe('a search with a fake trainer', () => {
  it('runs the schedule, fills every slot once, and finishes the final phase', async () => {
    const { store, id, cfg, trainer } = await runStraight(11);
    const search = (await store.getSearch(id))!;
    expect(search.status).toBe('done');
    const replay = await store.listReplay(id);
    expect(replay).toHaveLength(scheduleTotal(cfg.schedule));
    expect(new Set(replay.map((e) => e.netString)).size).toBe(replay.length);
    // Every unique net trained exactly once.
    expect(trainer.trained).toHaveLength(replay.length);
    const jobs = await store.listJobs(id);
    expect(jobs.every((j) => j.status === 'done')).toBe(true);
    // Each ε level holds as many trained nets as the schedule says.
    for (const level of cfg.schedule) {
      expect(replay.filter((e) => e.epsilon === level.epsilon)).toHaveLength(level.nets);
    }
    // Final phase: top 3 fine-tuned, ensemble of 3 evaluated, results recorded.
    expect(trainer.fineTuned).toHaveLength(cfg.final.fineTuneTop);
    expect(search.finalProgress?.fineTuned).toHaveLength(cfg.final.fineTuneTop);
    expect(trainer.ensembles).toEqual([cfg.final.ensembleTop]);
    expect(search.final?.ensembleNetStrings).toHaveLength(cfg.final.ensembleTop);
    expect(search.final!.bestTestAccuracy).toBeGreaterThan(0);
    // Weights kept for at most the top 10.
    expect((await store.listWeightNets(id)).length).toBeLessThanOrEqual(10);
    // The stored Q-table is exactly what replaying the stored results in order gives.
    const agent = (await store.getAgentState(id))!.state as unknown as AgentJson;
    expect(replayQTable(agent)).toEqual(agent.strategy);
    expect(await agentConsistency(store, id)).toMatchObject({ qTableMatchesReplay: true, unique: true, nets: replay.length, problems: [] });
    expect(JSON.stringify(agent.strategy)).toMatch(/\d\.\d{4,}/);
  });

  it('proposes the same nets in the same order for the same seed, and different ones for another seed', async () => {
    const a = await runStraight(5);
    const b = await runStraight(5);
    const c = await runStraight(6);
    expect(a.trainer.trained).toEqual(b.trainer.trained);
    expect(await snapshot(a.store, a.id)).toEqual(await snapshot(b.store, b.id));
    expect(c.trainer.trained).not.toEqual(a.trainer.trained);
  });

  it('resumed after crashes at random points ends exactly like a straight run', async () => {
    const straight = await runStraight(21);
    const expected = await snapshot(straight.store, straight.id);

    const factory = new IDBFactory();
    const store = await openStore('metaqnn', factory);
    const cfg = config(21);
    const id = await newSearch(store, cfg);
    const pick = createRng(99);
    const trainer = new FakeTrainer();
    let crashes = 0;
    for (let tab = 0; tab < 40; tab++) {
      const search = (await store.getSearch(id))!;
      if (search.status === 'done') break;
      // Crash after a random number of events: mid-training, between commit and incorporation...
      const crashAfter = 1 + pick.int(12);
      let events = 0;
      let s: SearchSession | null = null;
      const crashed = new Promise<void>((resolve) => {
        s = session(store, id, cfg, trainer, `tab-${tab}`, () => {
          if (++events === crashAfter) resolve();
        });
      });
      const finished = s!.start();
      const ended = await Promise.race([finished.then(() => 'finished' as const), crashed.then(() => 'crash' as const)]);
      if (ended === 'crash') {
        crashes++;
        await s!.close({ requeue: false });
      }
    }
    expect(crashes).toBeGreaterThan(3);
    expect((await store.getSearch(id))!.status).toBe('done');
    const resumed = await snapshot(store, id);
    expect(resumed.replay).toEqual(expected.replay);
    expect(resumed.qTable).toEqual(expected.qTable);
    expect(resumed.agentReplay).toEqual(expected.agentReplay);
    expect(resumed.rng).toEqual(expected.rng);
    const agent = (await store.getAgentState(id))!.state as unknown as AgentJson;
    expect(replayQTable(agent)).toEqual(agent.strategy);
    expect(await agentConsistency(store, id)).toMatchObject({ qTableMatchesReplay: true, unique: true, problems: [] });
    // Nothing counted twice: one replay entry per net, every schedule slot filled once.
    expect(resumed.replay).toHaveLength(scheduleTotal(cfg.schedule));
  });

  it('scores a net whose training fails on every attempt at chance and moves on', async () => {
    const factory = new IDBFactory();
    const store = await openStore('metaqnn', factory);
    const cfg = config(3);
    const id = await newSearch(store, cfg);
    const probe = await runStraight(3);
    const victim = probe.trainer.trained[2]!;
    const trainer = new FakeTrainer();
    trainer.failOn.add(victim);
    await session(store, id, cfg, trainer, 'tab-a').start();
    const entry = await store.getReplayEntry(id, victim);
    expect(entry?.status).toBe('failed');
    expect(entry?.reward).toBeCloseTo(0.1);
    const job = (await store.listJobs(id)).find((j) => j.netString === victim)!;
    expect(job.attempts).toBe(3);
    expect((await store.getSearch(id))!.status).toBe('done');
  });

  it('cancels a job that makes no progress, retries it on a fresh trainer, and moves on', async () => {
    const factory = new IDBFactory();
    const store = await openStore('metaqnn', factory);
    const cfg = config(3);
    const id = await newSearch(store, cfg);
    const probe = await runStraight(3);
    const victim = probe.trainer.trained[1]!;
    const trainer = new FakeTrainer();
    trainer.hangOn.add(victim);
    await new SearchSession({
      store,
      searchId: id,
      coordination: new LocalCoordination('tab-a'),
      trainer,
      dataset: preparePayload(dataset(), cfg),
      stallMs: 60,
    }).start();
    const job = (await store.listJobs(id)).find((j) => j.netString === victim)!;
    expect(job.attempts).toBe(3);
    expect(job.lastError).toMatch(/stalled: no progress/);
    expect((await store.getReplayEntry(id, victim))?.status).toBe('failed');
    expect((await store.getSearch(id))!.status).toBe('done');
  });

  it('pauses (no new job is claimed) and resumes', async () => {
    const factory = new IDBFactory();
    const store = await openStore('metaqnn', factory);
    const cfg = config(4);
    const id = await newSearch(store, cfg);
    const trainer = new FakeTrainer();
    trainer.delayMs = 5;
    let finishedJobs = 0;
    let pausedAt = -1;
    const s = session(store, id, cfg, trainer, 'tab-a', (e) => {
      if (e.type === 'job-finished' && ++finishedJobs === 3) void s.setStatus('paused').then(() => (pausedAt = trainer.trained.length));
    });
    const run = s.start();
    await new Promise((r) => setTimeout(r, 300));
    expect((await store.getSearch(id))!.status).toBe('paused');
    expect(trainer.trained.length).toBeLessThanOrEqual(pausedAt + 1);
    expect((await store.listJobs(id, 'claimed')).length).toBe(0);
    await s.setStatus('running');
    await run;
    expect((await store.getSearch(id))!.status).toBe('done');
  });
});

describe('agentConsistency', () => {
  it('notices a result counted twice', async () => {
    const { store, id } = await runStraight(12);
    const record = (await store.getAgentState(id))!;
    const state = record.state as unknown as AgentJson;
    const tampered = { ...state, replay: [...state.replay, { ...state.replay[2]!, iteration: state.iteration }] };
    await store.putAgentState(id, { state: tampered });
    const result = await agentConsistency(store, id);
    expect(result.qTableMatchesReplay).toBe(false);
    expect(result.unique).toBe(false);
    expect(result.problems.join('\n')).toMatch(/iteration|Q-table/);
  });
});
