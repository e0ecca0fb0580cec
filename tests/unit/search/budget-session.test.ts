/**
 * A budgeted search (issue 14) with a fake trainer whose nets take a fixed time: it measures
 * the pace, re-plans the nets per ε level to fit, holds time back for the final phase, and ends
 * on time with its results.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { replayQTable, type AgentJson } from '../../../src/core';
import type { SearchConfig } from '../../../src/search/config';
import { openStore } from '../../../src/store';
import { FakeTrainer } from './fake-trainer';
import { config, newSearch, session } from './session-fixture';

/** A budgeted search of `seconds` whose nets take `netMs` (plus `msPerImage` an image when given) on `trainCount` images. */
async function budgeted(seconds: number, netMs: number, more: { seed?: number; msPerImage?: number; trainCount?: number; allImages?: boolean } = {}) {
  const store = await openStore('metaqnn', new IDBFactory());
  const base = config(more.seed ?? 9);
  const cfg: SearchConfig = {
    ...base,
    // The paper's proportions, scaled down: the budget decides the real counts.
    schedule: [
      { epsilon: 1, nets: 15 },
      { epsilon: 0.5, nets: 3 },
      { epsilon: 0.1, nets: 3 },
    ],
    ...(more.allImages ? { data: { ...base.data, trainSize: null } } : {}),
    budget: { minutes: seconds / 60 },
  };
  const id = await newSearch(store, cfg);
  const trainer = new FakeTrainer();
  trainer.delayMs = netMs;
  trainer.msPerImage = more.msPerImage ?? 0;
  const started = Date.now();
  await session(store, id, cfg, trainer, 'tab-a', undefined, more.trainCount).start();
  return { store, id, cfg, trainer, wallMs: Date.now() - started };
}

describe('a budgeted search', () => {
  it('fits its nets to the time, keeps the ε proportions, and ends on time with its results', async () => {
    const { store, id, cfg, trainer, wallMs } = await budgeted(6, 100);
    const search = (await store.getSearch(id))!;
    expect(search.status).toBe('done');
    expect(search.final?.ensembleNetStrings.length).toBeGreaterThan(0);
    // Ends within 5% of the budget (and not far before it: the time was used).
    expect(wallMs).toBeLessThanOrEqual(6000 * 1.05);
    expect(wallMs).toBeGreaterThan(6000 * 0.75);
    expect(search.clock!.usedMs).toBeLessThanOrEqual(6000 * 1.05);
    // 100 ms a net with one trainer: far more than the 21 nets the template names.
    const agent = (await store.getAgentState(id))!.state as unknown as AgentJson;
    const planned = agent.config.schedule.map((l) => l.nets);
    expect(planned.reduce((a, b) => a + b, 0)).toBeGreaterThan(25);
    expect(planned[0]!).toBeGreaterThan(planned[1]! + planned[2]!); // ε = 1 keeps the largest share
    expect(trainer.trained.length).toBeGreaterThan(25);
    // Every level the agent got to was trained as planned, and the Q-table matches the replay.
    expect(replayQTable(agent)).toEqual(agent.strategy);
    expect(agent.trainedPerLevel.every((n, i) => n <= planned[i]!)).toBe(true);
    expect(search.finalProgress!.fineTuned.length).toBe(cfg.final.fineTuneTop);
  });

  it('with little time, ends the main phase early and still finishes on time', async () => {
    const { store, id, wallMs } = await budgeted(2, 300);
    const search = (await store.getSearch(id))!;
    expect(search.status).toBe('done');
    expect(wallMs).toBeLessThanOrEqual(2000 * 1.1);
    expect(search.final).toBeDefined();
  });
});

describe('a budget too small for the device', () => {
  it('says so with the smallest budget that would do, and still ends with what it trained', async () => {
    const store = await openStore('metaqnn', new IDBFactory());
    const base = config(10);
    const cfg: SearchConfig = { ...base, budget: { minutes: 0.8 / 60 } }; // two nets fit, the schedule has three ε levels
    const id = await newSearch(store, cfg);
    const trainer = new FakeTrainer();
    trainer.delayMs = 250;
    const warnings: string[] = [];
    await session(store, id, cfg, trainer, 'tab-a', (e) => {
      if (e.type === 'warning') warnings.push(e.message);
    }).start();
    expect((await store.getSearch(id))!.status).toBe('done');
    expect(warnings.some((w) => /too small on this device: a net takes about \d+\.\d s here, so one net per ε level and the final phase need at least \d+(\.5)? min/.test(w))).toBe(true);
  });

  it('fails naming the budget when no net finished in it', async () => {
    const store = await openStore('metaqnn', new IDBFactory());
    const base = config(11);
    const cfg: SearchConfig = { ...base, budget: { minutes: 0.5 / 60 } };
    const id = await newSearch(store, cfg);
    const trainer = new FakeTrainer();
    trainer.delayMs = 2000;
    await session(store, id, cfg, trainer, 'tab-a').start();
    const search = (await store.getSearch(id))!;
    expect(search.status).toBe('failed');
    expect(search.error).toMatch(/The time budget of 0\.5 min is too small on this device: no net finished/);
  });
});

describe('more time for a budgeted search', () => {
  it('runs on from where the agent was, spends the new time at the last ε, and ends again with new results', async () => {
    const { store, id, cfg, trainer } = await budgeted(3, 100);
    const first = (await store.getSearch(id))!;
    expect(first.status).toBe('done');
    const before = await store.listReplay(id);
    const planBefore = ((await store.getAgentState(id))!.state as unknown as AgentJson).config.schedule.map((l) => l.nets);
    await expect(store.updateSearchStatus(id, 'running').then(() => store.extendSearchBudget(id, 1000))).rejects.toThrow(/time can be added once it has ended/);
    await store.updateSearchStatus(id, 'done');
    const extended = await store.extendSearchBudget(id, 3000);
    expect(extended).toMatchObject({ status: 'running', clock: { addedMs: 3000 } });
    expect(extended.final).toBeUndefined();
    const started = Date.now();
    await session(store, id, cfg, trainer, 'tab-b').start();
    const wallMs = Date.now() - started;
    const after = (await store.getSearch(id))!;
    expect(after.status).toBe('done');
    expect(after.final?.ensembleNetStrings.length).toBeGreaterThan(0);
    expect(wallMs).toBeLessThanOrEqual(3000 * 1.1);
    const replay = await store.listReplay(id);
    expect(replay.length).toBeGreaterThan(before.length);
    const agent = (await store.getAgentState(id))!.state as unknown as AgentJson;
    const planAfter = agent.config.schedule.map((l) => l.nets);
    expect(planAfter.slice(0, -1)).toEqual(agent.trainedPerLevel.slice(0, -1));
    expect(planAfter.at(-1)!).toBeGreaterThan(planBefore.at(-1)!);
    expect(replayQTable(agent)).toEqual(agent.strategy);
  });
});

describe("a budgeted search's data plan", () => {
  it('probes with 500 images, measures the device, then gives each net the images the time affords', async () => {
    // 0.1 ms an image: 50 ms a net on the probe, 330 ms on all 3,300 training images.
    const { store, id, trainer, wallMs } = await budgeted(8, 5, { seed: 12, msPerImage: 0.1, trainCount: 3400, allImages: true });
    const search = (await store.getSearch(id))!;
    expect(search.status).toBe('done');
    expect(wallMs).toBeLessThanOrEqual(8000 * 1.05);
    // The first nets train on the probe; the plan is measured from them on the fake backend.
    expect(trainer.trainImages.slice(0, 2)).toEqual([500, 500]);
    const plan = search.plan!;
    expect(plan.calibration.backend).toBe('fake');
    expect(plan.calibration.msPerImage).toBeCloseTo(0.1, 2);
    expect(plan.calibration.nets).toBeGreaterThanOrEqual(2);
    // About 7 s for 21 nets is about 330 ms a net: more than the probe's images (later plans,
    // with fewer nets left to buy, may give all 3,300).
    expect(plan.trainSampleSize ?? 3300).toBeGreaterThan(500);
    // The time per image does not grow with the net here: no cap on the nets' size.
    expect(plan.multiplyAddCap).toBeNull();
    const afterProbe = trainer.trainImages.slice(2);
    expect(afterProbe.some((n) => n > 500)).toBe(true);
    expect(afterProbe.every((n) => n === 3300 || [500, 1000, 1500, 2000, 3000].includes(n))).toBe(true);
    const replay = await store.listReplay(id);
    expect(replay.filter((e) => e.source === 'trained').map((e) => e.trainImages).sort()).toEqual([...trainer.trainImages].sort());
    expect(trainer.trained.length).toBeGreaterThanOrEqual(10);
  });
});
