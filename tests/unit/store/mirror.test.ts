/**
 * The two writes a machine following a shared search makes (issue 17, src/store/mirror.ts),
 * each in one transaction: applyMirror (the leader's agent, replay, jobs and status) and holdJobs
 * (the jobs other machines hold, claimed here by their stand-in tabs).
 */
import { describe, expect, it } from 'vitest';
import { NET_A, NET_B, NET_C, replayEntry, storeWithSearch } from './helpers.js';

const EMPTY = { agent: null, replay: [], jobs: [], status: null } as const;
const job = (netString: string, iterations = [1]) => ({ netString, iterations, epsilon: 1 });

describe('applyMirror', () => {
  it('takes the leader\'s agent whenever its revision differs (a lower one too), and its status', async () => {
    const { store } = await storeWithSearch();
    await store.putAgentState('s1', { state: { mine: true }, expectedRevision: 0 });
    await store.putAgentState('s1', { state: { mine: 2 }, expectedRevision: 1 });
    const outcome = await store.applyMirror('s1', { ...EMPTY, agent: { revision: 1, state: { leader: true } }, status: 'running' });
    expect(outcome).toMatchObject({ agentWritten: true, statusWritten: true });
    expect(await store.getAgentState('s1')).toMatchObject({ revision: 1, state: { leader: true } });
    expect((await store.getSearch('s1'))!.status).toBe('running');
    expect((await store.applyMirror('s1', { ...EMPTY, agent: { revision: 1, state: { other: true } } })).agentWritten).toBe(false);
  });

  it('replaces the replay with the leader\'s, keeping a local result only for a job the leader still has', async () => {
    const { store } = await storeWithSearch();
    await store.importReplay('s1', [replayEntry(NET_A, { reward: 0.2 }), replayEntry(NET_B), replayEntry(NET_C)]);
    const outcome = await store.applyMirror('s1', { ...EMPTY, replay: [replayEntry(NET_A, { reward: 0.9, iterations: [4] })], jobs: [job(NET_B)] });
    expect(outcome).toMatchObject({ replayWritten: 1, replayRemoved: 1 });
    const replay = await store.listReplay('s1');
    // In sampling order: B's iteration 1, then the leader's A at iteration 4.
    expect(replay.map((e) => [e.netString, e.reward])).toEqual([[NET_B, 0.61], [NET_A, 0.9]]);
    expect(replay.find((e) => e.netString === NET_C)).toBeUndefined();
  });

  it('adds the leader\'s jobs (claimed by a stand-in where another machine holds them), ends the ones it dropped, and never queues again one that failed here', async () => {
    const { store } = await storeWithSearch();
    const gone = await store.enqueueJob({ searchId: 's1', netString: NET_C, iterations: [1], epsilon: 1 });
    const failed = await store.enqueueJob({ searchId: 's1', netString: NET_B, iterations: [2], epsilon: 1 });
    await store.claimNextJob('s1', 'tab-1');
    await store.claimNextJob('s1', 'tab-1');
    await store.failJob(failed.id, 'tab-1', 'out of memory', 0);
    const outcome = await store.applyMirror('s1', { ...EMPTY, jobs: [job(NET_A, [3]), job(NET_B, [2]), job('[FC(128), SM(10)]', [5])], heldBy: new Map([['[FC(128), SM(10)]', 'hub:m-cccc0000']]) });
    expect(outcome).toMatchObject({ jobsAdded: 2, jobsRemoved: 1 });
    expect(await store.getJob(gone.id)).toBeUndefined();
    expect((await store.listJobs('s1', 'queued')).map((j) => j.netString)).toEqual([NET_A]);
    expect((await store.listJobs('s1', 'claimed')).map((j) => [j.netString, j.claimedBy])).toEqual([['[FC(128), SM(10)]', 'hub:m-cccc0000']]);
    expect((await store.listJobs('s1', 'failed')).map((j) => j.netString)).toEqual([NET_B]);
  });
});

describe('applyMirror of a leader\'s records from before it took a result', () => {
  it('ends a job here whose net has the leader\'s result, even where the leader still lists the job', async () => {
    const { store } = await storeWithSearch();
    const queued = await store.enqueueJob({ searchId: 's1', netString: NET_A, iterations: [1], epsilon: 1 });
    const outcome = await store.applyMirror('s1', { ...EMPTY, replay: [replayEntry(NET_A)], jobs: [job(NET_A), job(NET_B, [2])] });
    expect(outcome).toMatchObject({ jobsDone: 1, jobsAdded: 1, jobsRemoved: 0 });
    expect((await store.getJob(queued.id))!.status).toBe('done');
    expect((await store.listJobs('s1', 'queued')).map((j) => j.netString)).toEqual([NET_B]);
  });
});

describe('publishView', () => {
  it('reads status, jobs and mark every time, and the agent and replay only when the mark is not the one given', async () => {
    const { store } = await storeWithSearch();
    await store.importReplay('s1', [replayEntry(NET_C)]);
    await store.enqueueJob({ searchId: 's1', netString: NET_A, iterations: [2], epsilon: 1 }, { state: { step: 1 }, expectedRevision: 0 });
    await store.enqueueJob({ searchId: 's1', netString: NET_B, iterations: [3], epsilon: 1 }, { state: { step: 2 }, expectedRevision: 1 });
    await store.claimNextJob('s1', 'tab-1');
    const first = await store.publishView('s1', null);
    expect(first.mark).toBe('2:1');
    expect(first.changed?.agent).toMatchObject({ revision: 2, state: { step: 2 } });
    expect(first.changed?.replay.map((e) => e.netString)).toEqual([NET_C]);
    expect(first.jobs.map((j) => [j.netString, j.status])).toEqual([[NET_A, 'claimed'], [NET_B, 'queued']]);
    const idle = await store.publishView('s1', first.mark);
    expect(idle.changed).toBeUndefined();
    expect(idle.jobs).toHaveLength(2);
    // A job leaves the active ones: the jobs say so at once; the result changes the mark.
    await store.commitResult('s1', first.jobs[0]!.id, replayEntry(NET_A, { iterations: [2] }));
    const after = await store.publishView('s1', first.mark);
    expect(after.mark).toBe('2:2');
    expect(after.changed?.replay).toHaveLength(2);
    expect(after.jobs.map((j) => j.netString)).toEqual([NET_B]);
  });
});

describe('holdJobs', () => {
  it('claims queued jobs for stand-ins, queues again the ones no longer held, leaves this browser\'s own claims, and says what stand-ins hold', async () => {
    const { store } = await storeWithSearch();
    for (const [n, net] of [NET_A, NET_B, NET_C].entries()) await store.enqueueJob({ searchId: 's1', netString: net, iterations: [n + 1], epsilon: 1 });
    const own = (await store.claimNextJob('s1', 'tab-1'))!;
    const first = await store.holdJobs('s1', new Map([[own.netString, 'hub:m-bbbb0000'], [NET_B, 'hub:m-bbbb0000'], [NET_C, 'hub:m-cccc0000']]));
    expect(first.changed).toBe(2);
    expect([...first.held].sort()).toEqual([[NET_B, 'hub:m-bbbb0000'], [NET_C, 'hub:m-cccc0000']].sort());
    expect((await store.getJob(own.id))!.claimedBy).toBe('tab-1');
    const second = await store.holdJobs('s1', new Map([[NET_C, 'hub:m-cccc0000']]));
    expect(second).toEqual({ changed: 1, held: new Map([[NET_C, 'hub:m-cccc0000']]) });
    expect((await store.listJobs('s1', 'queued')).map((j) => j.netString)).toEqual([NET_B]);
  });
});
