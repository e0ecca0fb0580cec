/**
 * Part 5 of `npm run bench` (issue 14's evidence): what a time budget buys. For each budget ×
 * dataset × backend × seed, in browsers of their own, one after the other (they share the
 * machine's cores): the `budget` preset's search with early stopping (as it ships), the same
 * without early stopping (set through the page hook: the URL cannot say it), random search, and
 * the TF.js tutorial's CNN trained by the app's trainer for the same minutes (reference-cnn.ts).
 * Figures are test accuracies after the final phase (budget-summary.ts).
 */
import { firstLine } from '../lib/browser';
import { runPageSearch } from '../lib/page-search';
import { goalLines, METHOD_NAMES, runsTable, searchRun, summaryTable, type BudgetRun } from './budget-summary';
import type { PartContext, PartReport, Plan } from './plan';
import { REFERENCE_NET, referenceTrainer } from './reference-cnn';

/** A search that overruns its budget this much is stopped: the report says so rather than hanging. */
const overrunCapMs = (minutes: number): number => minutes * 2 * 60_000 + 5 * 60_000;

export async function benchBudget(ctx: PartContext, p: Plan['budget']): Promise<PartReport> {
  const runs: BudgetRun[] = [];
  const reference = p.methods.includes('reference') ? await referenceTrainer(ctx.baseUrl, ctx.log) : null;
  const total = p.minutes.length * p.datasets.length * p.backends.length * p.seeds.length * p.methods.length;
  try {
    for (const minutes of p.minutes) {
      for (const dataset of p.datasets) {
        for (const backend of p.backends) {
          for (const seed of p.seeds) {
            for (const method of p.methods) {
              const key = { minutes, dataset, backend, seed, method };
              ctx.log(`budget ${runs.length + 1}/${total}: ${minutes} min, ${dataset}, ${backend}, seed ${seed}, ${METHOD_NAMES[method]}`);
              try {
                if (method === 'reference') {
                  const r = await reference!.train({ dataset, backend, seed, minutes });
                  ctx.sawAdapter(r.backend?.adapter ?? null);
                  runs.push(
                    r.status === 'done'
                      ? { ...key, status: 'done', bestTest: r.testAccuracy, bestNet: REFERENCE_NET, ensembleTest: null, nets: 1, earlyStopped: 0, epochs: r.curve.length, epochsSaved: 0, finalEpochs: 0, wallMs: r.wallMs, clockMs: null }
                      : { ...key, status: 'failed', bestTest: null, bestNet: REFERENCE_NET, ensembleTest: null, nets: 0, earlyStopped: 0, epochs: 0, epochsSaved: 0, finalEpochs: 0, wallMs: r.wallMs, clockMs: null, error: r.error },
                  );
                } else {
                  const result = await runPageSearch({
                    baseUrl: ctx.baseUrl,
                    dataset,
                    preset: 'budget',
                    budget: minutes,
                    seed,
                    backend,
                    strategy: method === 'random' ? 'random' : 'q-learning',
                    // Early stopping off, the rest of the preset as it is; 'custom' as the advanced panel marks an edited preset.
                    configure: method === 'q' ? (config) => ({ ...config, presetId: 'custom', earlyStopping: { ...config.earlyStopping, enabled: false } }) : undefined,
                    capMs: overrunCapMs(minutes),
                    // Reading the page costs the cpu backend's cores: once every 2 s is enough.
                    pollMs: 2000,
                    log: ctx.log,
                  });
                  ctx.sawAdapter(result.backend.adapter);
                  const run = searchRun(key, result.state.search, result.state.replay);
                  const problem = result.stoppedBy ? `stopped by the runner (${result.stoppedBy})` : result.state.error ?? (run.status !== 'done' ? `ended as ${run.status}` : undefined);
                  runs.push(problem ? { ...run, error: problem } : run);
                }
              } catch (error) {
                // One failed run must not lose the others.
                runs.push({ ...key, status: null, bestTest: null, bestNet: null, ensembleTest: null, nets: 0, earlyStopped: 0, epochs: 0, epochsSaved: 0, finalEpochs: 0, wallMs: null, clockMs: null, error: firstLine(error) });
              }
              const last = runs[runs.length - 1]!;
              ctx.log(`  → ${last.error ? `error: ${last.error}` : `best net test ${((last.bestTest ?? NaN) * 100).toFixed(2)}%, ensemble ${last.ensembleTest === null ? '–' : `${(last.ensembleTest * 100).toFixed(2)}%`}, ${last.nets} nets, ${last.epochs} epochs`}`);
            }
          }
        }
      }
    }
  } finally {
    await reference?.close();
  }
  const goals = goalLines(runs);
  return {
    note:
      `The budget preset (${p.minutes.join(', ')} min; ${p.datasets.join(', ')}; ${p.backends.join(', ')}; seeds ${p.seeds.join(', ')}), each run in a browser of its own, one at a time. ` +
      'Test accuracy after the final phase of the best net and of the ensemble, mean ± stdev over seeds. Q-learning without early stopping: the preset with early stopping off; ' +
      `random search: the preset with strategy random; reference CNN: ${REFERENCE_NET} (the TF.js MNIST tutorial's net) trained by the app's trainer on the search's split and training setup ` +
      'for as many epochs as fit the budget (it stops only between epochs, so when one epoch takes longer than the budget it trains one and its wall time says so). Epochs: the main phase\'s, with those early stopping saved in brackets.',
    runs,
    goals,
    table: summaryTable(runs),
    tables: [{ title: 'Every run', ...runsTable(runs) }],
    footnotes: goals.map((g) => `Goal: ${g.goal}: ${g.met === null ? g.detail : g.met ? 'met' : 'NOT met'}${g.met === null ? '' : ` (${g.detail})`}.`),
  };
}
