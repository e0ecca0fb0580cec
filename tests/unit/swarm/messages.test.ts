import { describe, expect, it } from 'vitest';
import { parseSwarmMessage } from '../../../src/swarm/coordination';

/** Messages from other tabs: the valid ones come through field for field, anything else is dropped. */
describe('channel messages: parseSwarmMessage', () => {
  const tabStatus = { type: 'tab-status', from: 'tab-1', searchId: 's1', leading: true, training: ['[SM(10)]'], netsDone: 3, since: 1_700_000_000_000 };

  it.each([
    [{ type: 'job-queued', searchId: 's1', from: 'tab-1' }],
    [{ type: 'job-done', searchId: 's1', from: 'tab-2' }],
    [{ type: 'search-changed', searchId: 's1', from: 'tab-3' }],
    [tabStatus],
    [{ ...tabStatus, searchId: null, leading: false, training: [], netsDone: 0 }],
  ])('passes %j exactly', (message) => {
    expect(parseSwarmMessage(message)).toEqual(message);
  });

  it('drops fields that are not part of the message', () => {
    expect(parseSwarmMessage({ type: 'job-done', searchId: 's1', from: 't', extra: { a: 1 } })).toEqual({ type: 'job-done', searchId: 's1', from: 't' });
  });

  it.each([
    ['a string', 'garbage'],
    ['null', null],
    ['a number', 42],
    ['an array', [{ type: 'job-done', searchId: 's1', from: 't' }]],
    ['no type', { searchId: 's1', from: 't' }],
    ['an unknown type', { type: 'job-stolen', searchId: 's1', from: 't' }],
    ['no sender', { type: 'job-done', searchId: 's1' }],
    ['no search id', { type: 'job-queued', from: 't' }],
    ['a numeric search id', { type: 'search-changed', searchId: 42, from: 'x' }],
    ['a negative count', { ...tabStatus, netsDone: -1 }],
    ['a fractional count', { ...tabStatus, netsDone: 1.5 }],
    ['a string for leading', { ...tabStatus, leading: 'yes' }],
    ['a net that is not a string', { ...tabStatus, training: [1] }],
    ['no since', { ...tabStatus, since: undefined }],
    ['an undefined search id in tab-status', { ...tabStatus, searchId: undefined }],
  ])('drops %s', (_, message) => {
    expect(parseSwarmMessage(message)).toBeUndefined();
  });
});
