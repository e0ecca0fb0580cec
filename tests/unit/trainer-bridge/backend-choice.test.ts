import { describe, expect, it } from 'vitest';
import { CHOICE_STORAGE_KEY, chooseBackend, choiceKey, pickBackend, readCachedChoice } from '../../../src/trainer-bridge/backend-choice';
import type { BackendSpeed } from '../../../src/train/types';

const speed = (backend: BackendSpeed['backend'], imagesPerSecond: number | null): BackendSpeed => ({ backend, imagesPerSecond, adapter: null });

function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
}

describe('pickBackend', () => {
  it('takes the fastest, but WebGPU when it is within 10% of it', () => {
    expect(pickBackend([speed('webgpu', 40), speed('webgl', 520), speed('cpu', 250)])).toBe('webgl');
    expect(pickBackend([speed('webgpu', 91), speed('webgl', 100), speed('cpu', 20)])).toBe('webgpu');
    expect(pickBackend([speed('webgpu', 89), speed('webgl', 100)])).toBe('webgl');
    expect(pickBackend([speed('webgpu', null), speed('webgl', null), speed('cpu', 3)])).toBe('cpu');
    expect(pickBackend([speed('webgpu', null), speed('cpu', 0)])).toBeNull();
  });
});

describe('chooseBackend', () => {
  const key = choiceKey({ vendor: 'google', architecture: 'swiftshader', description: '' }, 'Chrome/156');

  it('measures once, caches per adapter and browser, and measures again for another', async () => {
    const storage = memoryStorage();
    let runs = 0;
    const measure = async () => {
      runs++;
      return [speed('webgpu', 40), speed('webgl', 520), speed('cpu', 250)];
    };
    const first = await chooseBackend({ key, storage, measure, now: () => 1000 });
    expect(first).toMatchObject({ backend: 'webgl', cached: false, measuredAt: 1000 });
    const second = await chooseBackend({ key, storage, measure });
    expect(second).toMatchObject({ backend: 'webgl', cached: true, measuredAt: 1000 });
    expect(second.speeds.map((s) => s.imagesPerSecond)).toEqual([40, 520, 250]);
    expect(runs).toBe(1);
    await chooseBackend({ key: choiceKey(null, 'Chrome/157'), storage, measure });
    expect(runs).toBe(2);
  });

  it('says which backend failed how when none could train', async () => {
    const measure = async () => [{ ...speed('webgpu', null), error: 'navigator.gpu is not available' }, { ...speed('cpu', null), error: 'boom' }];
    await expect(chooseBackend({ key, storage: null, measure })).rejects.toThrow(/webgpu: navigator.gpu is not available; cpu: boom/);
  });

  it('ignores a cache that is malformed, oversized, inconsistent or for another key', () => {
    const good = { key, backend: 'webgl', measuredAt: 5, speeds: [speed('webgpu', 40), speed('webgl', 520)] };
    const read = (value: unknown) => readCachedChoice(memoryStorage({ [CHOICE_STORAGE_KEY]: typeof value === 'string' ? value : JSON.stringify(value) }), key);
    expect(read(good)?.backend).toBe('webgl');
    expect(read('{not json')).toBeNull();
    expect(read({ ...good, key: 'other' })).toBeNull();
    expect(read({ ...good, backend: 'tpu' })).toBeNull();
    expect(read({ ...good, backend: 'webgpu' })).toBeNull(); // not what the speeds pick
    expect(read({ ...good, speeds: [{ backend: 'webgl', imagesPerSecond: 'fast' }] })).toBeNull();
    expect(read({ ...good, measuredAt: -1 })).toBeNull();
    expect(read({ ...good, padding: 'x'.repeat(10_000) })).toBeNull();
    const throwing = { getItem: () => { throw new Error('SecurityError'); } };
    expect(readCachedChoice(throwing, key)).toBeNull();
  });
});
