/**
 * Who may elect a new leader (issue 17, docs/hub.md invariant 4): only a machine connected to
 * the hub and synced, counting the leader's absence from no earlier than that connection. A
 * machine cut off (or waking from sleep) sees only itself and must never take over from that
 * view; and without a leader record (only sharing writes the first) nobody is elected.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { HubBridge } from '../../../src/hub/bridge';
import { LEADER_GONE_MS } from '../../../src/hub/leadership';
import { openStore } from '../../../src/store';
import { config, newSearch } from '../search/session-fixture';

const A = 'm-aaaa0000';
const B = 'm-bbbb0000';

async function sharedPair() {
  let clock = 1_000_000;
  const now = () => clock;
  const state = { bConnected: true, present: new Set([A, B]) };
  const [storeA, storeB] = await Promise.all([openStore('el-a', new IDBFactory()), openStore('el-b', new IDBFactory())]);
  const docA = new Y.Doc();
  const docB = new Y.Doc();
  docA.on('update', (u: Uint8Array, origin: unknown) => origin !== 'relay' && Y.applyUpdate(docB, u, 'relay'));
  const leader = new HubBridge({ store: storeA, doc: docA, machine: A, present: () => new Set([A, B]), capacity: () => 1, now });
  const follower = new HubBridge({ store: storeB, doc: docB, machine: B, present: () => state.present, capacity: () => 1, now, connected: () => state.bConnected });
  const id = await newSearch(storeA, config(6));
  leader.share((await storeA.getSearch(id))!);
  await follower.join();
  await follower.sync();
  return { follower, state, advance: (ms: number) => (clock += ms) };
}

describe('electing a new leader', () => {
  it('a machine cut off from the hub never takes over, however long it waits', async () => {
    const { follower, state, advance } = await sharedPair();
    state.bConnected = false;
    state.present = new Set([B]);
    for (let i = 0; i < 5; i++) {
      advance(LEADER_GONE_MS);
      await follower.sync();
    }
    expect(follower.isLeader).toBe(false);
    expect(follower.leader).toEqual({ machine: A, term: 1 });
  });

  it('back on the hub (a laptop waking up), it waits the stated time of being connected before it takes over', async () => {
    const { follower, state, advance } = await sharedPair();
    state.bConnected = false;
    state.present = new Set([B]);
    advance(10 * LEADER_GONE_MS);
    await follower.sync();
    // Connected again, and A really is gone: not at once...
    state.bConnected = true;
    await follower.sync();
    advance(LEADER_GONE_MS - 1);
    await follower.sync();
    expect(follower.isLeader).toBe(false);
    // ...but once it has been connected for LEADER_GONE_MS without seeing A.
    advance(1);
    await follower.sync();
    expect(follower.leader).toEqual({ machine: B, term: 2 });
  });

  it('after a long gap between passes (a laptop asleep, its socket not yet known dead) it counts as newly connected', async () => {
    const { follower, state, advance } = await sharedPair();
    // The socket still reads "connected", but A has left the awareness: the pass after waking must not elect.
    state.present = new Set([B]);
    advance(10 * LEADER_GONE_MS);
    await follower.sync();
    expect(follower.isLeader).toBe(false);
    for (let t = 0; t < LEADER_GONE_MS - 2000; t += 2000) {
      advance(2000);
      await follower.sync();
    }
    expect(follower.isLeader).toBe(false);
    advance(2000);
    await follower.sync();
    expect(follower.leader).toEqual({ machine: B, term: 2 });
  });

  it('nobody is elected where the document names no leader yet', async () => {
    let clock = 0;
    const store = await openStore('el-c', new IDBFactory());
    const id = await newSearch(store, config(7));
    const bridge = new HubBridge({ store, doc: new Y.Doc(), machine: B, present: () => new Set([B]), capacity: () => 1, now: () => clock });
    bridge.resume(id);
    clock += 10 * LEADER_GONE_MS;
    await bridge.sync().catch(() => undefined);
    expect(bridge.leader).toBeNull();
  });
});
