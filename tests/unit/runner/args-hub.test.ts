import { describe, expect, it } from 'vitest';
import { parseHubArgs } from '../../../scripts/lib/args-hub';

describe('npm run hub arguments', () => {
  it('binds this machine only unless told otherwise', () => {
    expect(parseHubArgs([])).toEqual({ help: false, host: '127.0.0.1', port: 4180, data: '.hub-data' });
    expect(parseHubArgs(['--host', '0.0.0.0', '--port', '9000', '--data', '/tmp/h'])).toEqual({ help: false, host: '0.0.0.0', port: 9000, data: '/tmp/h' });
    expect(parseHubArgs(['--help'])).toEqual({ help: true });
  });

  it.each([
    ['--port 0', '--port "0": expected an integer from 1 to 65535'],
    ['--port 70000', '--port "70000": expected an integer from 1 to 65535'],
    ['--host a;b', '--host "a;b": expected an address'],
    ['--hots 1', 'unknown option --hots (did you mean --host?)'],
  ])('%s → %s', (line, message) => {
    expect(() => parseHubArgs(line.split(' '))).toThrow(message);
  });
});
