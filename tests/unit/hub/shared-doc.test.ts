/** What arrives over the network is checked (issue 17): malformed values are dropped and counted. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { nextLeader, LEADER_GONE_MS } from '../../../src/hub/leadership';
import { parts, SharedReader } from '../../../src/hub/shared-doc';
import { trainedEntry } from '../export/helpers';

describe('SharedReader', () => {
  it('drops and counts malformed values, keeping the good ones', () => {
    const doc = new Y.Doc();
    const p = parts(doc);
    const good = trainedEntry('[C(8,3,1), SM(10)]');
    p.results.set(good.netString, good);
    p.results.set('[C(4,3,1), SM(10)]', { ...good }); // keyed under another net
    p.results.set('[SM(10)]', { netString: '[SM(10)]', reward: 'high' });
    p.jobs.set('x'.repeat(5000), { netString: 'x'.repeat(5000), iterations: [1], epsilon: 1 });
    p.jobs.set('[C(8,3,1), SM(10)]', { netString: '[C(8,3,1), SM(10)]', iterations: [1], epsilon: 1 });
    p.leases.set('[C(8,3,1), SM(10)]', { machine: 'not a machine id' });
    p.requests.set('m-0123abcd', { count: 1e9 });
    p.search.set('leader', { machine: 'm-0123abcd', term: 0 });
    p.search.set('agent', { revision: 3, state: '{not json' });
    p.search.set('status', 'exploded');
    const reader = new SharedReader(doc);
    expect(reader.results()).toEqual([good]);
    expect(reader.jobs().map((j) => j.netString)).toEqual(['[C(8,3,1), SM(10)]']);
    expect(reader.leases().size).toBe(0);
    expect(reader.requests().size).toBe(0);
    expect(reader.leader()).toBeNull();
    expect(reader.agent()).toBeNull();
    expect(reader.status()).toBeNull();
    // Two results, a job, a lease, a request, the leader, the agent and the status.
    expect(reader.rejected).toBe(8);
  });
});

describe('nextLeader', () => {
  const now = 1_000_000;
  it('keeps a present leader, waits the stated time for an absent one, then takes the smallest present id', () => {
    const current = { machine: 'm-bbbb0000', term: 4 };
    expect(nextLeader(current, new Set(['m-bbbb0000', 'm-aaaa0000']), null, now)).toBe(current);
    expect(nextLeader(current, new Set(['m-cccc0000', 'm-aaaa0000']), now - LEADER_GONE_MS + 1, now)).toBe(current);
    expect(nextLeader(current, new Set(['m-cccc0000', 'm-aaaa0000']), now - LEADER_GONE_MS, now)).toEqual({ machine: 'm-aaaa0000', term: 5 });
    // No record yet (only sharing writes the first): nobody is elected.
    expect(nextLeader(null, new Set(['m-cccc0000']), null, now)).toBeNull();
  });
});
