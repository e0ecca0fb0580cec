/**
 * `npm run bench`: the benchmarks, each figure a ratio against a baseline measured in the
 * same run, on a described machine. Writes bench/results/bench-<time>.json and
 * bench/results/latest.md, and prints the tables. Parts (issue 8):
 *   train      the trainer against plain model.fit, per backend (scripts/bench-train.ts)
 *   breakdown  where a candidate's time goes on the tiny and quick presets (a real search)
 *   tabs       nets per hour with one tab and with two (tiny preset, cpu backend)
 *   quality    Q-learning against random search and evolution, several seeds (cpu backend)
 *   strategies the strategy lab (issue 16): Q-learning, random search and evolution on an accuracy
 *              oracle from the authors' replay file, the paper's 2,700 nets and 300; Node only
 *   hub        one search through a hub by one and two machines (browser contexts): nets per
 *              hour and traffic per net (issue 17); only when named
 *   hub-pass   the hub bridge's pass with the authors' 1,843 nets, idle against reading
 *              everything (issue 17); Node only, only when named
 *   budget     what a time budget buys (issue 14): test accuracy of budgeted searches against
 *              random search and a fixed CNN; hours, so only when named in --parts
 * `--quick` sizes everything to about 10 minutes on a 2-core machine without a GPU.
 * Each part is a module of scripts/bench/ (sizes in plan.ts, files in report.ts); this composes them.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterInfo } from '../src/train/types';
import { benchBreakdown } from './bench/breakdown';
import { benchBudget } from './bench/budget';
import { plan, type PartContext, type PartReport } from './bench/plan';
import { benchQuality } from './bench/quality';
import { adapterName, printPart, writeReport, type BenchResults } from './bench/report';
import { benchTabs } from './bench/tabs';
import { benchHub } from './bench/hub';
import { benchHubPass } from './bench/hub-pass';
import { benchStrategies } from './bench/strategies';
import { benchTrain } from './bench/train';
import { ArgError } from './lib/args';
import { BENCH_PARTS, BENCH_USAGE, NODE_PARTS, parseBenchArgs, type BenchPart } from './lib/args-bench';
import { ensureBuilt, firstLine, launchBrowser, RunnerError, servePreview } from './lib/browser';
import { describeMachine } from './lib/machine';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => void process.stderr.write(`  ${line}\n`);

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const p = plan(args);
  const began = Date.now();
  const machine = await describeMachine();
  const browser = args.parts.some((part) => !NODE_PARTS.includes(part));
  let server: { url: string; close: () => Promise<void> } = { url: '', close: async () => {} };
  let browserVersion = 'no browser (Node-only parts)';
  if (browser) {
    // Always from the sources at hand: a dist/ left from an earlier commit measured the old code.
    await ensureBuilt(root, { force: true });
    server = await servePreview(root);
    // Each part starts browsers of its own; this one only names the version (and fails early if there is none).
    const probe = await launchBrowser();
    browserVersion = `Chromium ${probe.version()}`;
    await probe.close();
  }
  const adapters: (AdapterInfo | null)[] = [];
  const ctx: PartContext = { baseUrl: server.url, log, sawAdapter: (adapter) => void adapters.push(adapter) };
  const parts: Record<BenchPart, () => Promise<PartReport>> = {
    train: () => benchTrain(ctx, p.train),
    breakdown: () => benchBreakdown(ctx, p.breakdown),
    tabs: () => benchTabs(ctx, p.tabs),
    quality: () => benchQuality(ctx, p.quality),
    strategies: () => benchStrategies(ctx, p.strategies, root),
    hub: () => benchHub(ctx, p.hub, root),
    'hub-pass': () => benchHubPass(ctx, root),
    budget: () => benchBudget(ctx, p.budget),
  };
  const failed: BenchPart[] = [];
  const results: BenchResults = { date: new Date().toISOString(), quick: args.quick, partial: !BENCH_PARTS.every((part) => args.parts.includes(part)), machine, browser: browserVersion, adapter: null, plan: p, parts: {}, timings: {} };
  try {
    for (const part of args.parts) {
      process.stderr.write(`\n== ${part}\n`);
      const t0 = Date.now();
      try {
        results.parts[part] = await parts[part]();
      } catch (error) {
        // One failed part must not lose the others' figures: record it, go on, exit non-zero.
        const message = firstLine(error);
        results.parts[part] = { error: message, note: 'This part failed.', table: { headers: ['error'], rows: [[message]] } };
        failed.push(part);
      }
      results.timings[part] = Date.now() - t0;
      printPart(part, results.parts[part]!, results.timings[part]);
    }
  } finally {
    await server.close().catch(() => {});
  }
  results.adapter = adapterName(adapters);
  results.timings.total = Date.now() - began;
  await writeReport(results, args);
  if (failed.length > 0) {
    process.stderr.write(`npm run bench: part${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed (see above and the JSON)\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ArgError) {
      process.stderr.write(`npm run bench: ${error.message}\nRun with --help for the options.\n`);
      process.exit(2);
    }
    if (error instanceof RunnerError) {
      process.stderr.write(`npm run bench: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`npm run bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
