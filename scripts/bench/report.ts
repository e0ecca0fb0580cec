/** `npm run bench`'s report: the tables on stdout as each part ends, the JSON and the markdown file. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AdapterInfo } from '../../src/train/types';
import { BENCH_PARTS, type BenchArgs, type BenchPart } from '../lib/args-bench';
import { duration, markdownTable, textTable } from '../lib/format';
import type { Machine } from '../lib/machine';
import type { PartReport, Plan } from './plan';

export interface BenchResults {
  date: string;
  quick: boolean;
  partial: boolean;
  machine: Machine;
  browser: string;
  adapter: string | null;
  plan: Plan;
  parts: Partial<Record<BenchPart, PartReport>>;
  timings: Partial<Record<BenchPart | 'total', number>>;
}

function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `# Benchmarks (npm run bench${results.quick ? ' -- --quick' : ''}${results.partial ? `${results.quick ? '' : ' --'} --parts ${Object.keys(results.parts).join(',')}` : ''})`,
    '',
    `${results.date}. Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${results.browser}; GPU adapter: ${results.adapter ?? 'none'}; Node ${m.node}.`,
    '',
  ];
  const titles: Record<BenchPart, string> = {
    train: '1. Training throughput: trainer vs plain model.fit',
    breakdown: '2. Where a candidate\'s time goes',
    tabs: '3. Tabs: nets per hour',
    quality: '4. Search quality: Q-learning vs random search and evolution',
    strategies: '6. Strategy lab: the strategies at the paper\'s scale on the authors\' results (simulated)',
    budget: '5. Time budget: what the minutes buy',
    hub: '7. Several machines through the hub',
    'hub-pass': '8. The hub bridge\'s pass at the paper\'s scale',
  };
  for (const [part, value] of Object.entries(results.parts) as [BenchPart, PartReport][]) {
    lines.push(`## ${titles[part]}`, '', value.note, '', markdownTable(value.table.headers, value.table.rows), '');
    for (const line of value.footnotes ?? []) lines.push(`- ${line}`);
    if (value.footnotes?.length) lines.push('');
    if (value.epsilonTable) lines.push('Mean validation accuracy of the nets sampled at each ε (paper Figure 3):', '', markdownTable(value.epsilonTable.headers, value.epsilonTable.rows), '');
    for (const t of value.tables ?? []) lines.push(`${t.title}:`, '', markdownTable(t.headers, t.rows), '');
    lines.push(`Took ${duration(results.timings[part])}.`, '');
  }
  return `${lines.join('\n')}\n`;
}

/** A part's tables on stdout, as soon as it ends. */
export function printPart(part: BenchPart, value: PartReport, ms: number | undefined): void {
  process.stdout.write(`\n${textTable(value.table.headers, value.table.rows)}\n`);
  for (const line of value.footnotes ?? []) process.stdout.write(`${line}\n`);
  if (value.epsilonTable) process.stdout.write(`\n${textTable(value.epsilonTable.headers, value.epsilonTable.rows)}\n`);
  for (const t of value.tables ?? []) process.stdout.write(`\n${t.title}:\n${textTable(t.headers, t.rows)}\n`);
  process.stdout.write(`(${part}: ${duration(ms)})\n`);
}

/** The first GPU adapter the parts ran on, as one line; null when none did. */
export function adapterName(adapters: readonly (AdapterInfo | null)[]): string | null {
  const adapter = adapters.find((a) => a !== null) ?? null;
  return adapter ? [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ') : null;
}

/** Writes bench-<time>.json and the markdown under args.out, then says where on stdout. */
export async function writeReport(results: BenchResults, args: Pick<BenchArgs, 'out' | 'quick' | 'parts'>): Promise<void> {
  const out = resolve(args.out);
  await mkdir(out, { recursive: true });
  const stamp = results.date.replace(/[:.]/g, '-');
  // latest.md is the whole benchmark; a run of some parts writes latest-<parts>.md beside it.
  const all = BENCH_PARTS.every((part) => args.parts.includes(part));
  const suffix = `${args.quick ? '-quick' : ''}${all ? '' : `-${args.parts.join('-')}`}`;
  const jsonPath = join(out, `bench-${stamp}${suffix}.json`);
  await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  const markdownPath = join(out, all ? 'latest.md' : `latest-${args.parts.join('-')}.md`);
  await writeFile(markdownPath, renderMarkdown(results));
  const machine = results.machine;
  process.stdout.write(
    `\nMachine: ${machine.cpu}, ${machine.cores} cores; ${results.browser}; adapter ${results.adapter ?? 'none'}.\n` +
      `Parts: ${args.parts.map((part) => `${part} ${duration(results.timings[part])}`).join(', ')}; total ${duration(results.timings.total)}.\n` +
      `Wrote ${jsonPath} and ${markdownPath}\n`,
  );
}
