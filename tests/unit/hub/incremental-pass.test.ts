/**
 * The bridge's passes are incremental (issue 17): a pass reads the whole replay memory only when
 * something it depends on changed (an update from another machine, the agent's revision, the
 * number of nets stored here) or once every FULL_PASS_MS; an idle pass reads neither. What a pass
 * skips is never lost: a result stored here while nothing else changed is still offered.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { FULL_PASS_MS, HubBridge } from '../../../src/hub/bridge';
import { parts } from '../../../src/hub/shared-doc';
import { openStore, type Store } from '../../../src/store';
import { trainedEntry } from '../replay-record';
import { config, newSearch } from '../search/session-fixture';

const A = 'm-aaaa0000';
const B = 'm-bbbb0000';

async function pair() {
  let clock = 1_000_000;
  const now = () => clock;
  const [storeA, storeB] = await Promise.all([openStore('inc-a', new IDBFactory()), openStore('inc-b', new IDBFactory())]);
  const docA = new Y.Doc();
  const docB = new Y.Doc();
  docA.on('update', (u: Uint8Array, origin: unknown) => origin !== 'relay' && Y.applyUpdate(docB, u, 'relay'));
  docB.on('update', (u: Uint8Array, origin: unknown) => origin !== 'relay' && Y.applyUpdate(docA, u, 'relay'));
  const present = () => new Set([A, B]);
  const leader = new HubBridge({ store: storeA, doc: docA, machine: A, present, capacity: () => 1, now });
  const follower = new HubBridge({ store: storeB, doc: docB, machine: B, present, capacity: () => 1, now });
  const id = await newSearch(storeA, config(5));
  leader.share((await storeA.getSearch(id))!);
  await follower.join();
  // Settle: each side's passes answer the other's updates.
  for (let i = 0; i < 4; i++) await Promise.all([leader.sync(), follower.sync()]);
  return { id, leader, follower, storeA, storeB, docA, docB, advance: (ms: number) => (clock += ms) };
}

function spies(store: Store) {
  return { listReplay: vi.spyOn(store, 'listReplay'), applyMirror: vi.spyOn(store, 'applyMirror') };
}

describe('incremental bridge passes', () => {
  it('an idle pass reads no replay and mirrors nothing; an update from the other machine or FULL_PASS_MS makes the next one full', async () => {
    const { leader, follower, storeA, storeB, docA, advance } = await pair();
    const a = spies(storeA);
    const b = spies(storeB);
    for (let i = 0; i < 5; i++) await Promise.all([leader.sync(), follower.sync()]);
    expect(a.listReplay).not.toHaveBeenCalled();
    expect(b.listReplay).not.toHaveBeenCalled();
    expect(b.applyMirror).not.toHaveBeenCalled();

    // The leader's document changes (here its status): the follower's next pass mirrors it.
    docA.transact(() => parts(docA).search.set('status', 'paused'));
    await follower.sync();
    expect(b.applyMirror).toHaveBeenCalledTimes(1);
    expect((await storeB.getSearch(follower.searchId!))!.status).toBe('paused');
    await follower.sync();
    expect(b.applyMirror).toHaveBeenCalledTimes(1);

    // Nothing changed, but FULL_PASS_MS went by: both read everything once.
    advance(FULL_PASS_MS);
    await leader.sync();
    await follower.sync();
    expect(a.listReplay).toHaveBeenCalledTimes(1);
    expect(b.applyMirror).toHaveBeenCalledTimes(2);
  });

  it('a result the following machine trains is offered on its next pass, idle or not, and the leader takes it', async () => {
    const { id, leader, follower, storeA, storeB, docA } = await pair();
    const net = '[C(8,3,1), SM(10)]';
    await storeA.enqueueJob({ searchId: id, netString: net, iterations: [1], epsilon: 1 });
    // The leader publishes the job and grants it to the follower, which mirrors it.
    for (let i = 0; i < 3; i++) await Promise.all([leader.sync(), follower.sync()]);
    const job = await storeB.claimNextJob(id, 'tab-b');
    expect(job?.netString).toBe(net);
    await storeB.commitResult(id, job!.id, trainedEntry(net, { trainedBy: 'tab-b' }));
    // Nothing came from the other machine since the last pass: an idle pass, which still offers it.
    const b = spies(storeB);
    await follower.sync();
    expect(b.applyMirror).not.toHaveBeenCalled();
    expect(parts(docA).results.get(net)).toMatchObject({ netString: net, trainedBy: 'tab-b' });
    await leader.sync();
    expect((await storeA.listReplay(id)).map((e) => [e.netString, e.trainedBy])).toEqual([[net, 'tab-b']]);
  });
});
