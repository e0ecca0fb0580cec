import { describe, expect, it } from 'vitest';
import { ArgError, splitFlags } from '../../../scripts/lib/args';
import { BENCH_PARTS, parseBenchArgs } from '../../../scripts/lib/args-bench';
import { DEFAULT_NETS, parseTrainArgs } from '../../../scripts/lib/args-bench-train';
import { parseSearchArgs } from '../../../scripts/lib/args-search';

const words = (line: string): string[] => line.split(' ').filter(Boolean);

describe('npm run search arguments', () => {
  it('fills the documented defaults', () => {
    expect(parseSearchArgs(words('--dataset mnist --out /tmp/r'))).toEqual({
      help: false,
      dataset: 'mnist',
      importPath: null,
      preset: 'tiny',
      configPath: null,
      seed: 1,
      out: '/tmp/r',
      tabs: 1,
      backend: 'auto',
      strategy: 'q-learning',
      timeoutMinutes: null,
      budgetMinutes: null,
      rebuild: false,
    });
  });

  it('reads every option, in both --flag value and --flag=value forms', () => {
    const args = parseSearchArgs(
      words('--import ./cifar --preset=quick --seed 4294967295 --out=o --tabs 2 --backend webgpu --strategy random --timeout 1.5 --budget 2.5 --rebuild'),
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
      budgetMinutes: 2.5,
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
    ['--dataset mnist --out o --preset huge', '--preset "huge": expected one of budget, tiny, quick, paper, bench'],
    ['--dataset mnist --out o --backend wasm', '--backend "wasm": expected one of webgpu, webgl, cpu, auto'],
    ['--dataset mnist --out o --strategy greedy', '--strategy "greedy": expected one of q-learning, random'],
    ['--dataset mnist --out o --tabs 0', '--tabs "0": expected an integer from 1 to 8'],
    ['--dataset mnist --out o --tabs 9', '--tabs "9": expected an integer from 1 to 8'],
    ['--dataset mnist --out o --timeout 0', '--timeout "0": expected a positive number of minutes'],
    ['--dataset mnist --out o --budget 0', '--budget "0": expected minutes above 0 and at most 10080'],
    ['--dataset mnist --out o --budget ten', '--budget "ten": expected minutes above 0'],
    ['--dataset mnist --out o --budget 20000', '--budget "20000": expected minutes above 0 and at most 10080'],
    ['--dataset mnist --out o --seed 1 --seed 2', 'option --seed is given twice'],
    ['--dataset mnist --out o --rebuild=yes', 'option --rebuild takes no value'],
    ['--dataset mnist --out=', 'option --out needs a value (found an empty string)'],
    ['--dataset mnist --out o extra', 'unexpected argument "extra" (position 5)'],
    ['--out o', 'missing --dataset <id> (or --import <path>, or --config <file> naming its dataset)'],
    ['--config s.json --preset quick --out o', '--config and --preset both describe the search'],
    ['--dataset mnist', 'missing --out <dir>'],
    ['--dataset mnist --import x --out o', '--dataset and --import both name the dataset'],
    ['--dataset ../etc --out o', '--dataset "../etc": expected a dataset id'],
  ])('%s → %s', (line, message) => {
    expect(() => parseSearchArgs(words(line))).toThrow(ArgError);
    expect(() => parseSearchArgs(words(line))).toThrow(message);
  });

  it('takes the search from a file, leaving seed and strategy to it unless given', () => {
    expect(parseSearchArgs(words('--config s.json --out o'))).toMatchObject({ configPath: 's.json', preset: null, seed: null, strategy: null, dataset: null });
    expect(parseSearchArgs(words('--config s.json --dataset fashion-mnist --seed 3 --strategy random --out o'))).toMatchObject({
      configPath: 's.json',
      dataset: 'fashion-mnist',
      seed: 3,
      strategy: 'random',
    });
  });
});

describe('npm run bench arguments', () => {
  it('runs every part, the plan’s seeds, into bench/results by default', () => {
    expect(parseBenchArgs([])).toEqual({
      help: false,
      quick: false,
      parts: BENCH_PARTS,
      seeds: null,
      out: 'bench/results',
      budget: { minutes: null, datasets: null, backends: null, methods: null },
    });
  });

  it('keeps the chosen parts in the fixed order', () => {
    const args = parseBenchArgs(words('--quick --parts quality,train --seeds 5'));
    if (args.help) throw new Error('not help');
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

describe('npm run bench:train-one arguments', () => {
  it('fills the defaults and reads every option', () => {
    expect(parseTrainArgs([])).toEqual({
      help: false,
      backend: 'webgpu',
      side: 28,
      images: 256,
      epochs: 1,
      batch: 64,
      nets: DEFAULT_NETS,
      baseline: true,
      order: 'alternate',
      out: null,
      timeoutS: 540,
    });
    expect(parseTrainArgs(words('--backend cpu --images 64 --epochs 2 --batch 16 --side 8 --no-baseline --order fit-first --out r.json --timeout 60'))).toMatchObject({
      backend: 'cpu',
      images: 64,
      epochs: 2,
      batch: 16,
      side: 8,
      baseline: false,
      order: 'fit-first',
      out: 'r.json',
      timeoutS: 60,
    });
    expect(parseTrainArgs(['--nets', '[SM(4)]; [C(4,3,1), SM(4)] ;'])).toMatchObject({ nets: ['[SM(4)]', '[C(4,3,1), SM(4)]'] });
  });

  it.each([
    ['--backend wasm', '--backend "wasm": expected one of webgpu, webgl, cpu, auto'],
    ['--order random', '--order "random": expected one of trainer-first, fit-first, alternate'],
    ['--images 0', '--images "0": expected an integer from 1 to'],
    ['--epochs 1.5', '--epochs "1.5": expected an integer'],
    ['--nets ;', '--nets ";": expected net strings separated by ;'],
    ['--parts train', 'unknown option --parts'],
  ])('%s → %s', (line, message) => {
    expect(() => parseTrainArgs(words(line))).toThrow(message);
  });
});

describe('splitFlags', () => {
  it('takes a value that looks like a negative number but not one that looks like a flag', () => {
    expect(splitFlags(['--n', '-3'], { n: 'string' })).toEqual({ n: '-3' });
    expect(() => splitFlags(['--n', '--m'], { n: 'string', m: 'boolean' })).toThrow('option --n needs a value');
  });
});
