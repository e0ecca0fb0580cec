import { describe, expect, it } from 'vitest';
import { PRESET_IDS as APP_PRESETS } from '../../../src/search/config';
import { ArgError, BENCH_PARTS, PRESET_IDS, parseBenchArgs, parseSearchArgs, splitFlags } from '../../../scripts/lib/args.mjs';

const words = (line: string): string[] => line.split(' ').filter(Boolean);

describe('npm run search arguments', () => {
  it('fills the documented defaults', () => {
    expect(parseSearchArgs(words('--dataset mnist --out /tmp/r'))).toEqual({
      help: false,
      dataset: 'mnist',
      importPath: null,
      preset: 'tiny',
      seed: 1,
      out: '/tmp/r',
      tabs: 1,
      backend: 'auto',
      strategy: 'q-learning',
      timeoutMinutes: null,
      rebuild: false,
    });
  });

  it('reads every option, in both --flag value and --flag=value forms', () => {
    const args = parseSearchArgs(
      words('--import ./cifar --preset=quick --seed 4294967295 --out=o --tabs 2 --backend webgpu --strategy random --timeout 1.5 --rebuild'),
    );
    expect(args).toMatchObject({
      dataset: null,
      importPath: './cifar',
      preset: 'quick',
      seed: 4294967295,
      out: 'o',
      tabs: 2,
      backend: 'webgpu',
      strategy: 'random',
      timeoutMinutes: 1.5,
      rebuild: true,
    });
  });

  it('answers --help and -h without checking anything else', () => {
    expect(parseSearchArgs(['--help'])).toEqual({ help: true });
    expect(parseSearchArgs(['-h'])).toEqual({ help: true });
  });

  it.each([
    ['--dataset mnist --out o --sed 3', 'unknown option --sed (did you mean --seed?)'],
    ['--dataset mnist --out o --verbose', 'unknown option --verbose; known options: --dataset, --import'],
    ['--dataset mnist --out', 'option --out needs a value'],
    ['--dataset --out o', 'option --dataset needs a value'],
    ['--dataset mnist --out o --seed -1', '--seed "-1": expected an integer from 0 to 4294967295'],
    ['--dataset mnist --out o --seed 1.5', '--seed "1.5": expected an integer from 0 to 4294967295'],
    ['--dataset mnist --out o --seed 4294967296', '--seed "4294967296": expected an integer'],
    ['--dataset mnist --out o --seed abc', '--seed "abc"'],
    ['--dataset mnist --out o --preset huge', '--preset "huge": expected one of tiny, quick, paper, bench'],
    ['--dataset mnist --out o --backend wasm', '--backend "wasm": expected one of webgpu, webgl, cpu, auto'],
    ['--dataset mnist --out o --strategy greedy', '--strategy "greedy": expected one of q-learning, random'],
    ['--dataset mnist --out o --tabs 0', '--tabs "0": expected an integer from 1 to 8'],
    ['--dataset mnist --out o --tabs 9', '--tabs "9": expected an integer from 1 to 8'],
    ['--dataset mnist --out o --timeout 0', '--timeout "0": expected a positive number of minutes'],
    ['--dataset mnist --out o --seed 1 --seed 2', 'option --seed is given twice'],
    ['--dataset mnist --out o --rebuild=yes', 'option --rebuild takes no value'],
    ['--dataset mnist --out=', 'option --out needs a value (found an empty string)'],
    ['--dataset mnist --out o extra', 'unexpected argument "extra" (position 5)'],
    ['--out o', 'missing --dataset <id> (or --import <path>)'],
    ['--dataset mnist', 'missing --out <dir>'],
    ['--dataset mnist --import x --out o', '--dataset and --import both name the dataset'],
    ['--dataset ../etc --out o', '--dataset "../etc": expected a dataset id'],
  ])('%s → %s', (line, message) => {
    expect(() => parseSearchArgs(words(line))).toThrow(ArgError);
    expect(() => parseSearchArgs(words(line))).toThrow(message);
  });

  it('knows the same presets as the app', () => {
    expect(PRESET_IDS).toEqual([...APP_PRESETS]);
  });
});

describe('npm run bench arguments', () => {
  it('runs every part, the plan’s seeds, into bench/results by default', () => {
    expect(parseBenchArgs([])).toEqual({ help: false, quick: false, parts: BENCH_PARTS, seeds: null, out: 'bench/results' });
  });

  it('keeps the chosen parts in the fixed order', () => {
    const args = parseBenchArgs(words('--quick --parts quality,train --seeds 5'));
    expect(args.parts).toEqual(['train', 'quality']);
    expect(args.seeds).toBe(5);
  });

  it.each([
    ['--parts speed', '--parts: unknown part "speed"; expected some of train, breakdown, tabs, quality'],
    ['--seeds 2', '--seeds "2": expected an integer from 3 to 20'],
    ['--quick=1', 'option --quick takes no value'],
    ['--fast', 'unknown option --fast'],
  ])('%s → %s', (line, message) => {
    expect(() => parseBenchArgs(words(line))).toThrow(message);
  });
});

describe('splitFlags', () => {
  it('takes a value that looks like a negative number but not one that looks like a flag', () => {
    expect(splitFlags(['--n', '-3'], { n: 'string' })).toEqual({ n: '-3' });
    expect(() => splitFlags(['--n', '--m'], { n: 'string', m: 'boolean' })).toThrow('option --n needs a value');
  });
});
