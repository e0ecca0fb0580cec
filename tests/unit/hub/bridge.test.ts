/**
 * The bridge between a machine's store and the shared document (issue 17), two machines on
 * separate stores with their documents relayed. Passes are incremental: a pass reads the whole
 * replay memory only when something it depends on changed (an update from another machine, the
 * agent's revision, the number of nets stored here) or once every FULL_PASS_MS; what a pass skips
 * is never lost. Grants: a machine holds only as many jobs as it asks for, a job is granted only
 * once held for it, and a granted job that fails there for good ends on the leader too.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { FULL_PASS_MS, HubBridge } from '../../../src/hub/bridge';
import { machineCapacity } from '../../../src/hub/grants';
import { parts } from '../../../src/hub/shared-doc';
import { openStore, type Store } from '../../../src/store';
import { trainedEntry } from '../replay-record';
import { config, newSearch } from '../search/session-fixture';

const A = 'm-aaaa0000';
const B = 'm-bbbb0000';

async function pair(capacityB: () => number = () => 1) {
  let clock = 1_000_000;
  const now = () => clock;
  const [storeA, storeB] = await Promise.all([openStore('inc-a', new IDBFactory()), openStore('inc-b', new IDBFactory())]);
  const docA = new Y.Doc();
  const docB = new Y.Doc();
  docA.on('update', (u: Uint8Array, origin: unknown) => origin !== 'relay' && Y.applyUpdate(docB, u, 'relay'));
  docB.on('update', (u: Uint8Array, origin: unknown) => origin !== 'relay' && Y.applyUpdate(docA, u, 'relay'));
  const present = () => new Set([A, B]);
  const leader = new HubBridge({ store: storeA, doc: docA, machine: A, present, capacity: () => 1, now });
  const follower = new HubBridge({ store: storeB, doc: docB, machine: B, present, capacity: capacityB, now });
  const id = await newSearch(storeA, config(5));
  leader.share((await storeA.getSearch(id))!);
  await follower.join();
  // Settle: each side's passes answer the other's updates.
  for (let i = 0; i < 4; i++) await Promise.all([leader.sync(), follower.sync()]);
  return { id, leader, follower, storeA, storeB, docA, docB, advance: (ms: number) => (clock += ms) };
}

function spies(store: Store) {
  const publishView = vi.spyOn(store, 'publishView');
  return {
    applyMirror: vi.spyOn(store, 'applyMirror'),
    publishView,
    /** Passes that read the agent and the replay to publish them (their mark had changed). */
    fullReads: async () => (await Promise.all(publishView.mock.results.map((r) => r.value))).filter((view) => view.changed !== undefined).length,
  };
}

describe('incremental bridge passes', () => {
  it('an idle pass reads no replay and mirrors nothing; an update from the other machine or FULL_PASS_MS makes the next one full', async () => {
    const { leader, follower, storeA, storeB, docA, advance } = await pair();
    const a = spies(storeA);
    const b = spies(storeB);
    for (let i = 0; i < 5; i++) await Promise.all([leader.sync(), follower.sync()]);
    expect(a.publishView).toHaveBeenCalledTimes(5);
    expect(await a.fullReads()).toBe(0);
    expect(b.publishView).toHaveBeenCalledTimes(5);
    expect(await b.fullReads()).toBe(0);
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
    expect(await a.fullReads()).toBe(1);
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

async function settle(leader: HubBridge, follower: HubBridge): Promise<void> {
  for (let i = 0; i < 3; i++) await Promise.all([leader.sync(), follower.sync()]);
}

describe('grants', () => {
  const net = '[C(8,3,1), SM(10)]';

  it('a machine keeps what it holds while it asks for fewer, and holds nothing once its trainers leave the search', async () => {
    let capacity = 2;
    const { id, leader, follower, storeA, docA } = await pair(() => capacity);
    await storeA.enqueueJob({ searchId: id, netString: net, iterations: [1], epsilon: 1 });
    await storeA.enqueueJob({ searchId: id, netString: '[C(16,3,1), SM(10)]', iterations: [2], epsilon: 1 });
    await settle(leader, follower);
    expect([...parts(docA).leases.values()]).toEqual([{ machine: B }, { machine: B }]);
    // One of its tabs closed: both jobs stay its own (either may be training).
    capacity = 1;
    await settle(leader, follower);
    expect((await storeA.listJobs(id, 'claimed')).map((j) => j.claimedBy)).toEqual([`hub:${B}`, `hub:${B}`]);
    capacity = 0;
    await settle(leader, follower);
    expect(parts(docA).leases.size).toBe(0);
    expect(await storeA.listJobs(id, 'claimed')).toEqual([]);
  });

  it('a job this machine\'s own trainer claims while the leader grants it is not granted to another', async () => {
    const { id, leader, follower, storeA, docA } = await pair();
    const job = await storeA.enqueueJob({ searchId: id, netString: net, iterations: [1], epsilon: 1 });
    await follower.sync(); // B asks for a job
    // A's own tab claims the job between the leader's read of the queue and its hold.
    const hold = storeA.holdJobs.bind(storeA);
    vi.spyOn(storeA, 'holdJobs').mockImplementationOnce(async (searchId, heldBy) => {
      expect(heldBy.get(net)).toBe(`hub:${B}`);
      await storeA.claimNextJob(id, 'tab-a');
      return hold(searchId, heldBy);
    });
    await leader.sync();
    expect(parts(docA).leases.size).toBe(0);
    expect((await storeA.getJob(job.id))!.claimedBy).toBe('tab-a');
  });

  it('a job the leader finishes during a following machine\'s pass stays held there until its result is mirrored, never queued for its trainers', async () => {
    // B asks for nothing: the leader's job is held on B by the leader's stand-in.
    const { id, leader, follower, storeA, storeB, advance } = await pair(() => 0);
    const job = await storeA.enqueueJob({ searchId: id, netString: net, iterations: [1], epsilon: 1 });
    await settle(leader, follower);
    expect((await storeB.listJobs(id, 'claimed')).map((j) => [j.netString, j.claimedBy])).toEqual([[net, `hub:${A}`]]);
    await storeA.claimNextJob(id, 'tab-a');
    await storeA.commitResult(id, job.id, trainedEntry(net, { trainedBy: 'tab-a' }));
    // The leader publishes the result while B's pass mirrors the document as it was before.
    const mirror = storeB.applyMirror.bind(storeB);
    vi.spyOn(storeB, 'applyMirror').mockImplementationOnce(async (searchId, write) => {
      await leader.sync();
      return mirror(searchId, write);
    });
    advance(FULL_PASS_MS); // a full pass: it mirrors
    await follower.sync();
    expect(storeB.applyMirror).toHaveBeenCalledTimes(1);
    expect(await storeB.listJobs(id, 'queued')).toEqual([]);
    expect(await storeB.claimNextJob(id, 'tab-b')).toBeUndefined();
    // The next pass mirrors the result: the job is done here, trained once.
    await follower.sync();
    expect((await storeB.listJobs(id)).map((j) => [j.netString, j.status])).toEqual([[net, 'done']]);
    expect((await storeB.getReplayEntry(id, net))?.trainedBy).toBe('tab-a');
  });

  it('a granted job that fails for good on the following machine fails on the leader, and is not trained there again', async () => {
    const { id, leader, follower, storeA, storeB, docA, advance } = await pair();
    const job = await storeA.enqueueJob({ searchId: id, netString: net, iterations: [1], epsilon: 1 });
    await settle(leader, follower);
    const mine = (await storeB.claimNextJob(id, 'tab-b'))!;
    expect(mine.netString).toBe(net);
    await storeB.failJob(mine.id, 'tab-b', 'the worker ran out of memory', 0);
    // A full mirror while the leader still lists the job does not queue B's copy again.
    advance(FULL_PASS_MS);
    await follower.sync();
    expect(await storeB.listJobs(id, 'queued')).toEqual([]);
    await settle(leader, follower);
    expect(await storeA.getJob(job.id)).toMatchObject({ status: 'failed', lastError: `on machine ${B}: the worker ran out of memory` });
    expect(parts(docA).leases.size).toBe(0);
    expect(await storeB.listJobs(id, 'queued')).toEqual([]);
  });
});

describe('a search deleted on the leading machine', () => {
  it('is not published empty: the other machines keep their records', async () => {
    const { id, leader, follower, storeA, storeB, docA, advance } = await pair();
    await storeA.importReplay(id, [trainedEntry('[C(8,3,1), SM(10)]')]);
    await settle(leader, follower);
    expect(parts(docA).replay.size).toBe(1);
    expect(await storeB.listReplay(id)).toHaveLength(1);
    await storeA.deleteSearch(id);
    advance(FULL_PASS_MS);
    await settle(leader, follower);
    expect(parts(docA).replay.size).toBe(1);
    expect(await storeB.listReplay(id)).toHaveLength(1);
  });
});

describe('machineCapacity', () => {
  it('counts the trainers of every tab of the browser on the search, leaving out tabs on another search or held back', () => {
    const tabs = [
      { searchId: 's', heldBack: null },
      { searchId: 's', heldBack: null },
      { searchId: 's', heldBack: 'one trainer is faster here' },
      { searchId: 'other', heldBack: null },
      { searchId: null, heldBack: null },
    ];
    expect(machineCapacity('s', tabs, 2)).toBe(4);
    expect(machineCapacity('other', tabs, 1)).toBe(1);
    expect(machineCapacity('none', tabs, 3)).toBe(0);
  });
});
