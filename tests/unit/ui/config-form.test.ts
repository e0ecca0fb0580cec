import { describe, expect, it } from 'vitest';
import { configFromForm, formFromConfig, FormError, readNumber, readNumberList, readPools } from '../../../src/ui/config-form';
import { parseSearchConfig, presetConfig } from '../../../src/search/config';

describe('reading fields', () => {
  it('reads numbers people type', () => {
    expect(readNumber(' 0.001 ', 'x')).toBe(0.001);
    expect(readNumber('1e-3', 'x')).toBe(0.001);
    expect(readNumber('5,000', 'x')).toBe(5000);
    expect(() => readNumber('', 'Epochs')).toThrow('Epochs: "" is not a number');
    expect(() => readNumber('ten', 'Epochs')).toThrow(FormError);
  });
  it('reads lists and pools, naming the bad item', () => {
    expect(readNumberList('64, 128 256;512', 'f')).toEqual([64, 128, 256, 512]);
    expect(() => readNumberList('64, x', 'Conv filters')).toThrow('Conv filters (item 2): "x" is not a number');
    expect(readPools('5/3, 3x2 2:2', 'p')).toEqual([
      { size: 5, stride: 3 },
      { size: 3, stride: 2 },
      { size: 2, stride: 2 },
    ]);
    expect(() => readPools('5/3, 3', 'Pooling')).toThrow('Pooling (item 2): "3" is not size/stride, e.g. 3/2');
  });
});

describe('configFromForm', () => {
  it('gives back the same config when nothing was edited', () => {
    for (const id of ['tiny', 'quick', 'paper', 'bench'] as const) {
      const config = presetConfig(id, 'mnist', 7);
      expect(configFromForm(formFromConfig(config), config)).toEqual(config);
    }
  });
  it('applies edits, marks the setup custom, and the result passes the config schema', () => {
    const base = presetConfig('tiny', 'mnist', 1);
    const form = formFromConfig(base);
    form.epochs = '3';
    form.trainSize = '';
    form.paramCap = '20000';
    form.schedule.push({ epsilon: '0.05', nets: '2' });
    const config = parseSearchConfig(configFromForm(form, base));
    expect(config.presetId).toBe('custom');
    expect(config.training.epochs).toBe(3);
    expect(config.data.trainSize).toBeNull();
    expect(config.constraints.paramCap).toBe(20000);
    expect(config.schedule.at(-1)).toEqual({ epsilon: 0.05, nets: 2 });
  });
  it('leaves range checks to the schema, which names the field', () => {
    const base = presetConfig('tiny', 'mnist', 1);
    const form = formFromConfig(base);
    form.schedule[0]!.epsilon = '1.5';
    expect(() => parseSearchConfig(configFromForm(form, base), 'setup')).toThrow(/schedule\.0\.epsilon/);
  });
});
