/**
 * A leader taking over from records that lag its agent state: what a machine holds when it
 * takes over a shared search (src/hub), a mirror of the old leader that may have dropped a job
 * the agent waits on, or hold a result whose job failed here or never was. Without these the
 * new leader waits forever on a net, or fails the search on a result it refuses.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/core';
import { SearchLeader, type DatasetShape } from '../../../src/search/leader';
import { openStore, type Store } from '../../../src/store';
import { trainedEntry } from '../replay-record';
import { config, newSearch } from './session-fixture';

const SHAPE: DatasetShape = { inputShape: { height: 12, width: 12, channels: 1 }, classes: 10 };

/** A search whose leader has queued two nets, and those nets in the order queued. */
async function twoInFlight(): Promise<{ store: Store; id: string; nets: string[] }> {
  const store = await openStore('takeover', new IDBFactory());
  const id = await newSearch(store, config(41));
  const leader = await SearchLeader.open(store, id, SHAPE);
  expect(await leader.step(2)).toBe('busy');
  const nets = (await store.listJobs(id)).map((j) => j.netString);
  expect(nets).toHaveLength(2);
  return { store, id, nets };
}

const inFlight = async (store: Store, id: string) => Agent.fromJSON((await store.getAgentState(id))!.state, 'agent').inFlight;

describe('a leader taking over from records that lag its agent', () => {
  it('queues again a net the agent waits on that has neither a job nor a result here', async () => {
    const { store, id, nets } = await twoInFlight();
    const [lost, kept] = nets as [string, string];
    const before = (await store.listJobs(id)).find((j) => j.netString === lost)!;
    // A mirror of a leader that no longer listed the job (it had just failed there) removes it here.
    await store.applyMirror(id, { agent: null, replay: [], jobs: [{ netString: kept, iterations: [2], epsilon: 1 }], status: null });
    expect((await store.listJobs(id)).map((j) => j.netString)).toEqual([kept]);

    const leader = await SearchLeader.open(store, id, SHAPE);
    expect(leader.jobsQueued).toBe(1);
    const again = (await store.listJobs(id, 'queued')).find((j) => j.netString === lost)!;
    expect(again).toMatchObject({ iterations: before.iterations, epsilon: before.epsilon });
    // It is trained and reported like any job: the agent stops waiting on it.
    await store.claimNextJob(id, 'tab-1');
    await store.commitResult(id, again.id, trainedEntry(lost, { iterations: [...again.iterations] }));
    expect(await leader.incorporateResults()).toBe(1);
    expect(await inFlight(store, id)).toEqual([kept]);
  });

  it('takes the result the replay holds for a net whose job failed here, and ends that job with it', async () => {
    const { store, id, nets } = await twoInFlight();
    const [net, other] = nets as [string, string];
    const job = (await store.claimNextJob(id, 'tab-1'))!;
    expect(job.netString).toBe(net);
    await store.failJob(job.id, 'tab-1', 'out of memory', 0);
    // The old leader's result for the net arrives in the mirror.
    await store.applyMirror(id, { agent: null, replay: [trainedEntry(net, { reward: 0.73, iterations: [...job.iterations] })], jobs: [{ netString: other, iterations: [2], epsilon: 1 }], status: null });

    const leader = await SearchLeader.open(store, id, SHAPE);
    expect(leader.jobsQueued).toBe(0);
    expect(await leader.incorporateResults()).toBe(1);
    expect((await store.getJob(job.id))!.status).toBe('done');
    expect((await store.getReplayEntry(id, net))!.reward).toBe(0.73);
    const agent = Agent.fromJSON((await store.getAgentState(id))!.state, 'agent');
    expect(agent.inFlight).toEqual([other]);
    expect(agent.rewardOf(net)).toBe(0.73);
  });

  it('takes the result the replay holds for a net that has no job here', async () => {
    const { store, id, nets } = await twoInFlight();
    const [net, other] = nets as [string, string];
    const keepOther = [{ netString: other, iterations: [2], epsilon: 1 }];
    await store.applyMirror(id, { agent: null, replay: [], jobs: keepOther, status: null });
    await store.applyMirror(id, { agent: null, replay: [trainedEntry(net, { reward: 0.44 })], jobs: keepOther, status: null });
    expect((await store.listJobs(id)).map((j) => j.netString)).toEqual([other]);

    const leader = await SearchLeader.open(store, id, SHAPE);
    expect(leader.jobsQueued).toBe(0);
    expect(await leader.incorporateResults()).toBe(1);
    expect(Agent.fromJSON((await store.getAgentState(id))!.state, 'agent').rewardOf(net)).toBe(0.44);
  });
});
