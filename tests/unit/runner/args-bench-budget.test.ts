import { describe, expect, it } from 'vitest';
import { BENCH_PARTS, BUDGET_METHODS, parseBenchArgs, type BenchArgs } from '../../../scripts/lib/args-bench';
import { plan } from '../../../scripts/bench/plan';

const words = (line: string): string[] => line.split(' ').filter(Boolean);
const parse = (line: string): BenchArgs => {
  const args = parseBenchArgs(words(line));
  if (args.help) throw new Error('not help');
  return args;
};

describe('npm run bench --parts budget', () => {
  it('is not in the standard run: it takes hours', () => {
    expect(parse('').parts).not.toContain('budget');
    expect(BENCH_PARTS).not.toContain('budget');
    expect(parse('--parts budget,train').parts).toEqual(['train', 'budget']);
  });

  it('plans the issue’s full grid, and --quick one 2-minute run per method', () => {
    expect(plan(parse('--parts budget')).budget).toEqual({
      minutes: [5, 15],
      datasets: ['mnist', 'fashion-mnist'],
      backends: ['cpu', 'webgpu'],
      seeds: [1, 2, 3],
      methods: [...BUDGET_METHODS],
    });
    expect(plan(parse('--quick --parts budget')).budget).toEqual({ minutes: [2], datasets: ['mnist'], backends: ['cpu'], seeds: [1], methods: ['q-es', 'q', 'random', 'reference'] });
  });

  it('takes a subset, in the order given, repeats dropped, options over --quick', () => {
    const args = parse('--quick --parts budget --minutes 15,5,1.5,5 --datasets fashion-mnist --backends webgpu,cpu --methods reference,q-es --seeds 1');
    expect(args.budget).toEqual({ minutes: [15, 5, 1.5], datasets: ['fashion-mnist'], backends: ['webgpu', 'cpu'], methods: ['reference', 'q-es'] });
    expect(plan(args).budget).toEqual({ minutes: [15, 5, 1.5], datasets: ['fashion-mnist'], backends: ['webgpu', 'cpu'], seeds: [1], methods: ['reference', 'q-es'] });
  });

  it('lets the budget part alone run one seed; the quality part still needs three', () => {
    expect(parse('--parts budget --seeds 1').seeds).toBe(1);
    expect(() => parse('--parts budget,quality --seeds 1')).toThrow('--seeds "1": expected an integer from 3 to 20');
  });

  it.each([
    ['--parts budget --minutes 0', '--minutes: "0" is not a budget; expected minutes above 0 and at most 10080'],
    ['--parts budget --minutes 5,ten', '--minutes: "ten" is not a budget'],
    ['--parts budget --minutes 5,', '--minutes: "" is not a budget'],
    ['--parts budget --minutes 20000', '--minutes: "20000" is not a budget; expected minutes above 0 and at most 10080'],
    ['--parts budget --datasets mnist,cifar-10', '--datasets: unknown value "cifar-10"; expected some of mnist, fashion-mnist'],
    ['--parts budget --backends auto', '--backends: unknown value "auto"; expected some of cpu, webgpu, webgl'],
    ['--parts budget --methods q,greedy', '--methods: unknown value "greedy"; expected some of q-es, q, random, reference'],
    ['--parts budget --seeds 21', '--seeds "21": expected an integer from 1 to 20'],
    ['--minutes 5', '--minutes applies to the budget part only; add --parts budget (the parts chosen: train, breakdown, tabs, quality, strategies)'],
    ['--parts quality --methods q', '--methods applies to the budget part only'],
    ['--parts budgets', '--parts: unknown part "budgets"; expected some of train, breakdown, tabs, quality, strategies, budget, hub'],
  ])('%s → %s', (line, message) => {
    expect(() => parseBenchArgs(words(line))).toThrow(message);
  });
});
