import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/search/config';
import { SEARCH_ARCHIVE_FORMAT } from '../../../src/search/export';
import { ConfigFileError, parseConfigFile } from '../../../scripts/lib/config-file';

const custom = {
  ...presetConfig('tiny', 'fashion-mnist', 9),
  presetId: 'custom' as const,
  schedule: [
    { epsilon: 1, nets: 3 },
    { epsilon: 0.5, nets: 1 },
  ],
};
const json = (value: unknown): Uint8Array => strToU8(JSON.stringify(value));

describe('--config files', () => {
  it('reads a bare config exactly', () => {
    expect(parseConfigFile('s.json', json(custom))).toEqual(custom);
  });

  it('reads the app’s search archive, zipped or its search.json, and a results.json', () => {
    const manifest = { format: SEARCH_ARCHIVE_FORMAT, version: 1, search: { name: 'x', config: custom } };
    expect(parseConfigFile('search.json', json(manifest))).toEqual(custom);
    expect(parseConfigFile('a.zip', zipSync({ 'search.json': json(manifest), 'weights/0.bin': new Uint8Array(4) }))).toEqual(custom);
    expect(parseConfigFile('results.json', json({ tool: 'metaqnn-web npm run search', config: custom }))).toEqual(custom);
  });

  it('names the file and the field of a bad value', () => {
    const bad = { ...custom, training: { ...custom.training, epochs: 0 } };
    expect(() => parseConfigFile('s.json', json(bad))).toThrow(ConfigFileError);
    expect(() => parseConfigFile('s.json', json(bad))).toThrow(/s\.json is invalid:\n {2}training\.epochs: /);
    const archived = { format: SEARCH_ARCHIVE_FORMAT, version: 1, search: { config: { ...custom, schedule: [] } } };
    expect(() => parseConfigFile('a.zip', zipSync({ 'search.json': json(archived) }))).toThrow(/a\.zip:search\.json: search\.config is invalid:\n {2}schedule: /);
  });

  it.each([
    ['not JSON', strToU8('{ nope'), 'bad.json: not JSON'],
    ['an array', json([custom]), 'bad.json: expected a JSON object'],
    ['an archive without its search', json({ format: SEARCH_ARCHIVE_FORMAT, version: 1 }), 'bad.json: search: expected the archived search'],
    ['a zip without search.json', zipSync({ 'other.json': json(custom) }), 'bad.json: a zip without search.json'],
  ])('refuses %s', (_, bytes, message) => {
    expect(() => parseConfigFile('bad.json', bytes)).toThrow(ConfigFileError);
    expect(() => parseConfigFile('bad.json', bytes)).toThrow(message);
  });
});
