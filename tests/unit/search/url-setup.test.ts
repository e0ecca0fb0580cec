import { describe, expect, it } from 'vitest';
import { PRESET_IDS } from '../../../src/search/config';
import { formatUrlSetup, parseUrlSetup, UrlSetupError } from '../../../src/search/url-setup';

describe('URL setup: parseUrlSetup', () => {
  it('reads an empty query as no setup, autostart off', () => {
    expect(parseUrlSetup('')).toEqual({ autostart: false });
    expect(parseUrlSetup('?')).toEqual({ autostart: false });
  });

  it('reads every parameter exactly', () => {
    expect(parseUrlSetup('?dataset=fashion-mnist&preset=quick&seed=4294967295&autostart=1&backend=webgpu&strategy=random')).toEqual({
      dataset: 'fashion-mnist',
      preset: 'quick',
      seed: 4294967295,
      autostart: true,
      backend: 'webgpu',
      strategy: 'random',
    });
    expect(parseUrlSetup('dataset=my.set_2&seed=0&autostart=0&backend=auto&strategy=q-learning')).toEqual({
      dataset: 'my.set_2',
      seed: 0,
      autostart: false,
      backend: 'auto',
      strategy: 'q-learning',
    });
    expect(parseUrlSetup('?strategy=evolution').strategy).toBe('evolution');
  });

  it.each(PRESET_IDS.map((id) => [id]))('knows the preset %s', (id) => {
    expect(parseUrlSetup(`?preset=${id}`).preset).toBe(id);
  });

  it.each(['webgpu', 'webgl', 'cpu', 'auto'])('knows the backend %s', (backend) => {
    expect(parseUrlSetup(`?backend=${backend}`).backend).toBe(backend);
  });

  it.each([
    ['?seed=-1', 'seed="-1"'],
    ['?seed=1.5', 'seed="1.5"'],
    ['?seed=4294967296', 'seed="4294967296"'],
    ['?seed=1e3', 'seed="1e3"'],
    ['?seed=', 'seed=""'],
    ['?seed=abc', 'seed="abc"'],
    ['?preset=huge', 'preset="huge"'],
    ['?preset=TINY', 'preset="TINY"'],
    ['?autostart=yes', 'autostart="yes"'],
    ['?autostart=true', 'autostart="true"'],
    ['?backend=wasm', 'backend="wasm"'],
    ['?strategy=greedy', 'strategy="greedy"'],
    ['?budget=0', 'budget="0": expected a number of minutes above 0'],
    ['?budget=-5', 'budget="-5"'],
    ['?budget=ten', 'budget="ten"'],
    ['?budget=1e3', 'budget="1e3"'],
    ['?budget=20000', 'budget="20000": expected a number of minutes above 0 and at most 10080'],
  ])('refuses %s, naming the parameter and value', (query, named) => {
    expect(() => parseUrlSetup(query)).toThrow(UrlSetupError);
    expect(() => parseUrlSetup(query)).toThrow(named);
  });

  it.each(['../etc', '', '-x', 'a/b', 'a b', 'x'.repeat(65), 'é'])('refuses the dataset id %j', (id) => {
    expect(() => parseUrlSetup(`?dataset=${encodeURIComponent(id)}`)).toThrow(UrlSetupError);
  });

  it('accepts dataset ids up to 64 characters of letters, digits, . _ -', () => {
    const id = `A${'b'.repeat(63)}`;
    expect(parseUrlSetup(`?dataset=${id}`).dataset).toBe(id);
    expect(parseUrlSetup('?dataset=9x.y_z-w').dataset).toBe('9x.y_z-w');
  });
});

describe('URL setup: formatUrlSetup', () => {
  it('writes what parseUrlSetup reads back, leaving out defaults and autostart', () => {
    const query = formatUrlSetup({ dataset: 'mnist', preset: 'bench', seed: 42, backend: 'cpu', strategy: 'random' });
    expect(query).toBe('?dataset=mnist&preset=bench&seed=42&backend=cpu&strategy=random');
    expect(parseUrlSetup(query)).toEqual({ dataset: 'mnist', preset: 'bench', seed: 42, backend: 'cpu', strategy: 'random', autostart: false });
    expect(formatUrlSetup({ dataset: 'mnist', preset: 'tiny', seed: 1, backend: 'auto', strategy: 'q-learning' })).toBe('?dataset=mnist&preset=tiny&seed=1');
  });

  it('writes and reads a time budget in minutes', () => {
    const query = formatUrlSetup({ dataset: 'mnist', preset: 'quick', seed: 1, budget: 2.5 });
    expect(query).toBe('?dataset=mnist&preset=quick&seed=1&budget=2.5');
    expect(parseUrlSetup(query).budget).toBe(2.5);
    expect(parseUrlSetup('?budget=15').budget).toBe(15);
  });
});
