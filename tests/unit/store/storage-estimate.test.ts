import { describe, expect, it } from 'vitest';
import { estimateStorage, requestPersistence } from '../../../src/store/index.js';

describe('estimateStorage', () => {
  it('returns usage and quota from the StorageManager', async () => {
    const storage = { estimate: async () => ({ usage: 1_000, quota: 5_000_000 }) };
    expect(await estimateStorage(storage)).toEqual({ usage: 1_000, quota: 5_000_000 });
  });

  it('returns undefined where the browser has no StorageManager or gives no numbers', async () => {
    expect(await estimateStorage(undefined)).toBeUndefined();
    expect(await estimateStorage({})).toBeUndefined();
    expect(await estimateStorage({ estimate: async () => ({}) })).toBeUndefined();
    // Node has no navigator.storage: the default must not throw.
    expect(await estimateStorage()).toBeUndefined();
  });
});

describe('requestPersistence', () => {
  it('does not ask again when already persisted', async () => {
    let asked = 0;
    const storage = { persisted: async () => true, persist: async () => (asked++, true) };
    expect(await requestPersistence(storage)).toBe('granted');
    expect(asked).toBe(0);
  });

  it('reports what the browser answers', async () => {
    expect(await requestPersistence({ persisted: async () => false, persist: async () => true })).toBe('granted');
    expect(await requestPersistence({ persisted: async () => false, persist: async () => false })).toBe('denied');
    expect(await requestPersistence({})).toBe('unsupported');
    expect(await requestPersistence()).toBe('unsupported');
  });
});
