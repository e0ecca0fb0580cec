/**
 * A session recovers from what a browser under load does to it: store calls that fail for a
 * moment, a claim left behind by a write that failed for good, a full disk, a trainer lost in
 * the final phase. Each test's search would stall or fail without the recovery it names.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { scheduleTotal } from '../../../src/core';
import type { SessionEvent } from '../../../src/search/search-session';
import { openStore, QuotaError, type Store } from '../../../src/store';
import { FakeTrainer } from './fake-trainer';
import { config, newSearch, session } from './session-fixture';

/** The store with some methods replaced; the rest act on the real one. */
function patched(store: Store, overrides: Partial<Record<keyof Store, (...args: never[]) => unknown>>): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop in overrides) return overrides[prop as keyof Store];
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** What IndexedDB throws when Chromium aborts a transaction that waited too long. */
const timedOut = () => new DOMException('Transaction timed out due to inactivity.', 'AbortError');

async function fresh(seed: number) {
  const store = await openStore('metaqnn', new IDBFactory());
  const cfg = config(seed);
  const id = await newSearch(store, cfg);
  return { store, cfg, id };
}

/** Runs a session to its end, failing the test if it has not ended within `ms`. */
async function finish(run: Promise<void>, ms = 15_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the search stalled: not ended after ${ms} ms`)), ms)));
  try {
    await Promise.race([run, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a session under failing store calls', () => {
  it('keeps its trainer slot when a claim fails for a moment', async () => {
    const { store, cfg, id } = await fresh(31);
    let failures = 0;
    const flaky = patched(store, {
      claimNextJob: ((searchId: string, tabId: string) => {
        if (failures < 2) {
          failures++;
          return Promise.reject(timedOut());
        }
        return store.claimNextJob(searchId, tabId);
      }) as never,
    });
    const events: SessionEvent[] = [];
    const trainer = new FakeTrainer();
    await finish(session(flaky, id, cfg, trainer, 'tab-a', (e) => events.push(e)).start());
    expect(failures).toBe(2);
    expect((await store.getSearch(id))!.status).toBe('done');
    expect(await store.listReplay(id)).toHaveLength(scheduleTotal(cfg.schedule));
    // Said once per failure streak, not once per retry.
    expect(events.filter((e) => e.type === 'warning' && /Trainer 1: Transaction timed out/.test(e.message))).toHaveLength(1);
  });

  it('requeues its own claim that no trainer trains when the write that gives it back fails for good', async () => {
    const { store, cfg, id } = await fresh(32);
    const probe = new FakeTrainer();
    await session(store, id, cfg, probe, 'probe').start();
    const victim = probe.trained[3]!;

    const again = await fresh(32);
    let failJobCalls = 0;
    const flaky = patched(again.store, {
      failJob: (() => {
        failJobCalls++;
        return Promise.reject(timedOut());
      }) as never,
    });
    const trainer = new FakeTrainer();
    trainer.failOn.add(victim);
    let crashes = 0;
    const events: SessionEvent[] = [];
    const run = session(flaky, again.id, again.cfg, trainer, 'tab-a', (e) => {
      events.push(e);
      // The crash happens once; the retrain succeeds.
      if (e.type === 'job-failed' && ++crashes === 1) trainer.failOn.delete(victim);
    }).start();
    await finish(run);
    expect(failJobCalls).toBe(3); // tried three times, then left to the orphan check
    const job = (await again.store.listJobs(again.id)).find((j) => j.netString === victim)!;
    expect(job.status).toBe('done');
    expect(job.attempts).toBe(2);
    expect((await again.store.getReplayEntry(again.id, victim))?.status).toBe('ok');
    expect((await again.store.getSearch(again.id))!.status).toBe('done');
  });
});

describe('the final phase', () => {
  it('finishes with fine-tuned nets and an ensemble when no weights could be saved (disk full)', async () => {
    const { store, cfg, id } = await fresh(33);
    const full = patched(store, {
      putWeights: (() => Promise.reject(new QuotaError('weights', 'w', 1000))) as never,
    });
    const events: SessionEvent[] = [];
    const trainer = new FakeTrainer();
    await finish(session(full, id, cfg, trainer, 'tab-a', (e) => events.push(e)).start());
    const search = (await store.getSearch(id))!;
    expect(search.status).toBe('done');
    expect(await store.listWeightNets(id)).toEqual([]);
    // No weights to continue from: each top net trained from scratch for the fine-tuning epochs.
    expect(trainer.fineTuned).toEqual([]);
    expect(trainer.retrainedForFinal).toHaveLength(cfg.final.fineTuneTop);
    expect(search.finalProgress?.fineTuned.map((f) => f.fromSavedWeights)).toEqual(Array(cfg.final.fineTuneTop).fill(false));
    expect(search.finalProgress?.fineTuned.every((f) => f.epochs > 0)).toBe(true);
    // The ensemble used the weights held in memory.
    expect(trainer.ensembles).toEqual([cfg.final.ensembleTop]);
    expect(search.final?.ensembleNetStrings).toHaveLength(cfg.final.ensembleTop);
    expect(events.some((e) => e.type === 'warning' && /trained from scratch/.test(e.message))).toBe(true);
  });

  it('paused while fine-tuning and resumed, the one tab leads it to the end', async () => {
    const { store, cfg, id } = await fresh(35);
    const trainer = new FakeTrainer();
    trainer.delayMs = 5;
    let paused = false;
    const s = session(store, id, cfg, trainer, 'tab-a', (e) => {
      if (e.type === 'final-progress' && e.step.startsWith('Fine-tuning') && !paused) {
        paused = true;
        void s.setStatus('paused');
      }
    });
    const run = s.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(paused).toBe(true);
    expect((await store.getSearch(id))!.status).toBe('paused');
    await s.setStatus('running'); // what Resume does: the leader finds the schedule done and goes on
    await finish(run);
    const search = (await store.getSearch(id))!;
    expect(search.status).toBe('done');
    expect(search.finalProgress?.fineTuned).toHaveLength(cfg.final.fineTuneTop);
    expect(new Set(trainer.fineTuned).size).toBe(trainer.fineTuned.length); // none fine-tuned twice
  });

  it('tries a fine-tuning again when its trainer is lost, and ends with the ensemble', async () => {
    const { store, cfg, id } = await fresh(34);
    const trainer = new FakeTrainer();
    const probe = new FakeTrainer();
    const probeRun = await fresh(34);
    await session(probeRun.store, probeRun.id, probeRun.cfg, probe, 'probe').start();
    const [first, second] = probe.fineTuned;
    trainer.fineTuneFailures.set(first!, 1); // lost once, then fine
    trainer.fineTuneFailures.set(second!, 99); // lost every time
    const events: SessionEvent[] = [];
    await finish(session(store, id, cfg, trainer, 'tab-a', (e) => events.push(e)).start());
    const search = (await store.getSearch(id))!;
    expect(search.status).toBe('done');
    const byNet = new Map(search.finalProgress!.fineTuned.map((f) => [f.netString, f]));
    expect(byNet.size).toBe(cfg.final.fineTuneTop);
    expect(byNet.get(first!)!.epochs).toBeGreaterThan(0);
    // Given up after three tries: it keeps its search accuracy, and the person is told.
    expect(byNet.get(second!)!.epochs).toBe(0);
    expect(byNet.get(second!)!.valAccuracy).toBe((await store.getReplayEntry(id, second!))!.bestValAccuracy);
    expect(events.some((e) => e.type === 'warning' && e.message.includes(`Fine-tuning ${second} failed 3 times`))).toBe(true);
    expect(trainer.fineTuned.filter((n) => n === first)).toHaveLength(1);
    expect(search.final?.ensembleNetStrings.length).toBeGreaterThan(0);
  });
});
