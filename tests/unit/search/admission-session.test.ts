/** The leader's trainer admission in a real session (fake trainer, fake IndexedDB): trainers only where they help. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store';
import { FakeTrainer } from './fake-trainer';
import { config, newSearch, session } from './session-fixture';

async function run(contention: number, savings = true) {
  const store = await openStore('metaqnn', new IDBFactory());
  const base = config(5);
  const cfg = {
    ...base,
    trainersPerTab: 2,
    schedule: [
      { epsilon: 1, nets: 14 },
      { epsilon: 0.5, nets: 6 },
    ],
    training: { ...base.training, savings },
  };
  const id = await newSearch(store, cfg);
  const trainer = new FakeTrainer();
  trainer.delayMs = 40;
  trainer.contention = contention;
  const held: string[] = [];
  const s = session(store, id, cfg, trainer, 'tab-a', (event) => {
    if (event.type === 'changed' && s.heldBack) held.push(s.heldBack);
  });
  await s.start();
  return { search: (await store.getSearch(id))!, trainer, held };
}

describe('trainer admission in a session', () => {
  it('keeps a second trainer that doubles the pace', async () => {
    const { search, trainer } = await run(0);
    expect(search.status).toBe('done');
    expect(search.admission).toMatchObject({ admitted: 2, ceiling: null, trainers: ['tab-a#0', 'tab-a#1'] });
    expect(trainer.mostAtOnce).toBe(2);
    const [one, two] = search.admission!.measured;
    expect(two!.netsPerHour).toBeGreaterThan(1.5 * one!.netsPerHour);
  });

  it('sends a second trainer that slows the search back, and holds it back for the rest', async () => {
    // Two at once take 3× as long each: two thirds of the pace of one.
    const { search, trainer, held } = await run(2);
    expect(search.status).toBe('done');
    expect(search.admission).toMatchObject({ admitted: 1, ceiling: 2, trainers: ['tab-a#0'] });
    expect(search.admission!.measured.map((m) => m.trainers)).toEqual([1, 2]);
    // The trial ran two at once; the tab said why its second trainer waits.
    expect(trainer.mostAtOnce).toBe(2);
    expect(held.at(-1)).toMatch(/^1 of 2 trainers held back: 2 trainers made the search no faster than 1 \(/);
  });

  it('lets every trainer claim with the savings off', async () => {
    const { search, trainer } = await run(2, false);
    expect(search.admission).toBeUndefined();
    expect(trainer.mostAtOnce).toBe(2);
  });
});
