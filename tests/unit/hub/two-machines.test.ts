/**
 * A search shared by two machines through Yjs documents (issue 17), each machine with its own
 * IndexedDB (fake-indexeddb, separate factories), its own tab session and trainer, and the
 * real bridge between its store and its copy of the document. The two documents exchange
 * updates as the hub would relay them; "offline" stops the exchange, and reconnecting
 * exchanges what each missed, as y-websocket's sync step does.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { scheduleTotal } from '../../../src/core';
import { HubBridge } from '../../../src/hub/bridge';
import { LEADER_GONE_MS } from '../../../src/hub/leadership';
import { HubCoordination } from '../../../src/hub/coordination';
import { parts } from '../../../src/hub/shared-doc';
import { agentConsistency } from '../../../src/search/diagnostics';
import { preparePayload } from '../../../src/search/prepare-dataset';
import { SearchSession } from '../../../src/search/search-session';
import { openStore, type Store } from '../../../src/store';
import { LocalCoordination } from '../../../src/swarm/coordination';
import { FakeTrainer } from '../search/fake-trainer';
import { config, dataset, newSearch } from '../search/session-fixture';

const A = 'm-aaaa0000';
const B = 'm-bbbb0000';

/** Two documents relayed to each other while online. */
function link(a: Y.Doc, b: Y.Doc) {
  let online = true;
  const relay = (from: Y.Doc, to: Y.Doc) => from.on('update', (update: Uint8Array, origin: unknown) => online && origin !== 'relay' && Y.applyUpdate(to, update, 'relay'));
  relay(a, b);
  relay(b, a);
  return {
    get online() {
      return online;
    },
    set online(value: boolean) {
      online = value;
      if (value) {
        Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'relay');
        Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), 'relay');
      }
    },
  };
}

interface Machine {
  readonly id: string;
  readonly store: Store;
  readonly doc: Y.Doc;
  readonly bridge: HubBridge;
  readonly coordination: LocalCoordination;
  readonly trainer: FakeTrainer;
}

const timers: ReturnType<typeof setInterval>[] = [];
afterEach(() => {
  for (const t of timers.splice(0)) clearInterval(t);
});

async function machine(id: string, present: () => ReadonlySet<string>, delayMs: number, now: () => number = Date.now, connected: () => boolean = () => true): Promise<Machine> {
  const store = await openStore(`metaqnn-${id}`, new IDBFactory());
  const doc = new Y.Doc();
  const bridge = new HubBridge({ store, doc, machine: id, present, capacity: () => 1, now, connected });
  const coordination = new LocalCoordination(`tab-${id.slice(2, 6)}`);
  const trainer = new FakeTrainer();
  trainer.delayMs = delayMs;
  return { id, store, doc, bridge, coordination, trainer };
}

/** The bridge's pass every few ms, waking the machine's tabs when its store changed. */
function keepSyncing(m: Machine, searchId: () => string | null): void {
  let busy = false;
  timers.push(
    setInterval(() => {
      if (busy || m.bridge.searchId === null) return;
      busy = true;
      void m.bridge
        .sync()
        .then((changed) => {
          const id = searchId();
          if (changed && id) m.coordination.post({ type: 'job-queued', searchId: id });
        })
        .finally(() => (busy = false));
    }, 15),
  );
}

function sessionOf(m: Machine, searchId: string, cfg: ReturnType<typeof config>): SearchSession {
  return new SearchSession({
    store: m.store,
    searchId,
    coordination: new HubCoordination(m.coordination, () => [m.bridge]),
    trainer: m.trainer,
    dataset: preparePayload(dataset(), cfg),
  });
}

/** A starts a search and shares it, B joins it, both bridges keep syncing; the sessions are made, not started. */
async function sharedSearch(a: Machine, b: Machine, cfg: ReturnType<typeof config>) {
  const id = await newSearch(a.store, cfg);
  a.bridge.share((await a.store.getSearch(id))!);
  const joined = await b.bridge.join();
  keepSyncing(a, () => id);
  keepSyncing(b, () => id);
  return { id, joined, sa: sessionOf(a, id, cfg), sb: sessionOf(b, id, cfg) };
}

async function until(check: () => Promise<boolean> | boolean, what = 'the condition', ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a search shared by two machines', () => {
  it('runs to the end with both machines training, one result per net, the same records and Q-table on both', async () => {
    const both = new Set([A, B]);
    const a = await machine(A, () => both, 25);
    const b = await machine(B, () => both, 25);
    link(a.doc, b.doc);
    const cfg = config(31, { trainersPerTab: 1, training: { ...config(31).training, savings: false } });
    const { id, joined, sa, sb } = await sharedSearch(a, b, cfg);
    expect(joined).toBe(id);

    const runB = sb.start();
    await sa.start();
    await until(async () => (await b.store.getSearch(id))?.status === 'done');
    sb.close();
    await runB;

    const [ra, rb] = await Promise.all([a.store.listReplay(id), b.store.listReplay(id)]);
    expect(ra).toHaveLength(scheduleTotal(cfg.schedule));
    expect(new Set(ra.map((e) => e.netString)).size).toBe(ra.length);
    // Both machines trained; B's results entered A's replay once each.
    expect(a.trainer.trained.length).toBeGreaterThan(0);
    expect(b.trainer.trained.length).toBeGreaterThan(0);
    expect(ra.filter((e) => e.trainedBy === b.coordination.tabId).length).toBeGreaterThan(0);
    // B's records are the leader's: same entries (iterations included), same agent state.
    await until(async () => JSON.stringify((await b.store.listReplay(id)).map((e) => [e.netString, e.iterations, e.reward])) === JSON.stringify(ra.map((e) => [e.netString, e.iterations, e.reward])));
    expect(rb.length).toBeGreaterThan(0);
    expect((await b.store.getAgentState(id))!.revision).toBe((await a.store.getAgentState(id))!.revision);
    for (const m of [a, b]) expect(await agentConsistency(m.store, id)).toMatchObject({ qTableMatchesReplay: true, unique: true, problems: [] });
    expect(a.bridge.reader.rejected + b.bridge.reader.rejected).toBe(0);
  });

  it('delivers a result a machine finished while cut off from the hub when it reconnects', async () => {
    const both = new Set([A, B]);
    const a = await machine(A, () => both, 400);
    // B's job lasts long enough for the hub to go away while it trains, even on a loaded machine.
    const b = await machine(B, () => both, 800);
    const wire = link(a.doc, b.doc);
    const cfg = config(32, { trainersPerTab: 1, schedule: [{ epsilon: 1, nets: 4 }, { epsilon: 0.1, nets: 1 }], training: { ...config(32).training, savings: false } });
    const { id, sa, sb } = await sharedSearch(a, b, cfg);
    const runA = sa.start();
    const runB = sb.start();

    // B takes a job; the hub goes away while B trains it, and B finishes it alone.
    await until(async () => (await b.store.listJobs(id, 'claimed')).some((j) => j.claimedBy === b.coordination.tabId), 'B to claim a job');
    const net = (await b.store.listJobs(id, 'claimed')).find((j) => j.claimedBy === b.coordination.tabId)!.netString;
    wire.online = false;
    await until(async () => (await b.store.getReplayEntry(id, net)) !== undefined, 'B to finish its job offline');
    expect(parts(a.doc).results.has(net)).toBe(false);
    expect((await a.store.getReplayEntry(id, net))).toBeUndefined();

    wire.online = true;
    await until(async () => (await a.store.getReplayEntry(id, net))?.trainedBy === b.coordination.tabId, 'A to accept B’s result');
    await runA;
    await until(async () => (await b.store.getSearch(id))?.status === 'done', 'B to mirror the end');
    sb.close();
    await runB;
    // Trained once in the search, by B: A never trained the net granted to B in the search (its
    // final phase may retrain it from scratch, counted apart: the weights stayed on B).
    expect(a.trainer.trained.filter((n) => n === net)).toEqual([]);
    for (const m of [a, b]) expect(await agentConsistency(m.store, id)).toMatchObject({ qTableMatchesReplay: true, unique: true });
  });

  it('goes on when the leading machine is gone: another takes over after the stated time and finishes it', async () => {
    let present = new Set([A, B]);
    let skew = 0;
    const a = await machine(A, () => present, 30);
    const b = await machine(B, () => present, 30, () => Date.now() + skew);
    const wire = link(a.doc, b.doc);
    const cfg = config(33, { trainersPerTab: 1, training: { ...config(33).training, savings: false } });
    const { id, sa, sb } = await sharedSearch(a, b, cfg);
    void sa.start();
    const runB = sb.start();

    // A leads until a few results are in, then its machine goes away mid-search.
    await until(async () => (await b.store.listReplay(id)).length >= 5, 'five results mirrored on B');
    await sa.close({ requeue: false });
    wire.online = false;
    present = new Set([B]);
    expect(b.bridge.isLeader).toBe(false);
    // Not before the stated time...
    await new Promise((r) => setTimeout(r, 200));
    expect(b.bridge.isLeader).toBe(false);
    // ...and once it has passed, B leads (term 2) and its own tab runs the agent to the end.
    skew = LEADER_GONE_MS + 1000;
    await until(() => b.bridge.isLeader, 'B to lead');
    expect(b.bridge.leader).toEqual({ machine: B, term: 2 });
    await runB;
    expect((await b.store.getSearch(id))!.status).toBe('done');
    const replay = await b.store.listReplay(id);
    expect(replay).toHaveLength(scheduleTotal(cfg.schedule));
    expect(await agentConsistency(b.store, id)).toMatchObject({ qTableMatchesReplay: true, unique: true, problems: [] });
  });

  it('a leader cut off by a partition steps down when it is back, and its records become the new leader’s', async () => {
    let partitioned = false;
    let skew = 0;
    // A is the side cut off from the hub; B still reaches it.
    const a = await machine(A, () => (partitioned ? new Set([A]) : new Set([A, B])), 40, Date.now, () => !partitioned);
    const b = await machine(B, () => (partitioned ? new Set([B]) : new Set([A, B])), 40, () => Date.now() + skew);
    const wire = link(a.doc, b.doc);
    const cfg = config(34, { trainersPerTab: 1, schedule: [{ epsilon: 1, nets: 10 }, { epsilon: 0.5, nets: 5 }, { epsilon: 0.1, nets: 5 }], training: { ...config(34).training, savings: false } });
    const { id, sa, sb } = await sharedSearch(a, b, cfg);
    const runA = sa.start();
    const runB = sb.start();
    await until(async () => (await b.store.listReplay(id)).length >= 4, 'four results mirrored on B');

    // A loses the hub: each sees only itself. B takes the lead after the stated time; A, alone, goes on leading.
    wire.online = false;
    partitioned = true;
    skew = LEADER_GONE_MS + 1000;
    await until(() => b.bridge.isLeader, 'B to lead');
    const atSplit = (await b.store.listReplay(id)).length;
    await until(async () => (await b.store.listReplay(id)).length >= atSplit + 2 && (await a.store.listReplay(id)).length >= atSplit + 2, 'both sides to train on');

    // Back together: the document names B (term 2); A steps down and mirrors B.
    partitioned = false;
    wire.online = true;
    await until(() => !a.bridge.isLeader, 'A to see B lead');
    expect(a.bridge.leader).toEqual({ machine: B, term: 2 });
    await runB.then(() => undefined, () => undefined);
    await until(async () => (await b.store.getSearch(id))?.status === 'done', 'B to finish', 60_000);
    await until(async () => (await a.store.getSearch(id))?.status === 'done', 'A to mirror the end');
    await sa.close();
    await runA;
    const rb = await b.store.listReplay(id);
    expect(rb).toHaveLength(scheduleTotal(cfg.schedule));
    await until(async () => JSON.stringify((await a.store.listReplay(id)).map((e) => [e.netString, e.iterations, e.reward])) === JSON.stringify(rb.map((e) => [e.netString, e.iterations, e.reward])), 'A’s replay to equal B’s');
    for (const m of [a, b]) expect(await agentConsistency(m.store, id)).toMatchObject({ qTableMatchesReplay: true, unique: true, problems: [] });
  });
});
