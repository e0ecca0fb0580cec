/**
 * `npm run search`: a MetaQNN search run headless. Serves the built app (vite preview of
 * dist/, building it first if missing), opens it in Chromium with WebGPU through
 * Playwright, starts the search through the page's URL setup, shows progress, and writes
 * results.json, replay_database.csv and the best model (TF.js Layers) to --out.
 * `npm run search -- --help` for the options; `--config <file>` runs a setup from a file. Everything runs in the page; this
 * script only drives it and reads its state (globalThis.__metaqnn).
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { SearchConfig } from '../src/search/config';
import { ArgError } from './lib/args';
import { parseSearchArgs, SEARCH_USAGE, type SearchArgs } from './lib/args-search';
import {
  ensureBuilt,
  exportModelFiles,
  firstLine,
  launchBrowser,
  newContext,
  readFullState,
  readState,
  RunnerError,
  servePreview,
  startWithConfig,
  waitForApp,
  waitForBackend,
  type PageState,
} from './lib/browser';
import { ConfigFileError, readConfigFile } from './lib/config-file';
import { progressLine, progressLines, pct, type ProgressJob } from './lib/format';
import { describeMachine } from './lib/machine';
import { isSearchEnded as searchEnded } from '../src/store/records';
import { buildResults } from './lib/results';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const POLL_MS = 500;

/** The setup a search runs: a preset, or a config from a file (then the page takes it through setConfig). */
interface Setup {
  readonly dataset: string;
  readonly preset: string;
  readonly seed: number;
  readonly strategy: SearchConfig['strategy'];
  readonly config: SearchConfig | null;
}

function searchQuery(args: SearchArgs, setup: Setup, autostart: boolean): string {
  const params = new URLSearchParams({ dataset: setup.dataset, seed: String(setup.seed) });
  // A config from a file replaces the preset's; the URL then names no preset.
  if (!setup.config) params.set('preset', setup.preset);
  if (args.backend !== 'auto') params.set('backend', args.backend);
  if (setup.strategy !== 'q-learning') params.set('strategy', setup.strategy);
  if (args.budgetMinutes !== null && !setup.config) params.set('budget', String(args.budgetMinutes));
  if (autostart) params.set('autostart', '1');
  return `?${params}`;
}

/** Imports a file or folder through the page's file inputs; returns the new dataset's id. */
async function importDataset(page: Page, path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new RunnerError(`--import ${path}: no such file or folder`, 4);
  const testId = info.isDirectory() ? 'import-folder' : 'import-files';
  await page.waitForFunction(() => globalThis.__metaqnn!.datasets.length > 0, null, { timeout: 60_000 }).catch(() => {
    throw new RunnerError('the page listed no datasets within 60 s', 4);
  });
  const before = await page.evaluate(() => globalThis.__metaqnn!.datasets.map((d) => d.id));
  const input = page.getByTestId(testId);
  if ((await input.count()) === 0) {
    throw new RunnerError(`--import: the page has no ${info.isDirectory() ? 'folder' : 'file'} import input (data-testid="${testId}")`, 4);
  }
  const errorsBefore = await page.evaluate(() => globalThis.__metaqnn!.notices.filter((n) => n.kind === 'error').length);
  await input.setInputFiles(path);
  process.stderr.write(`Importing ${path}...\n`);
  const outcome = await page
    .waitForFunction(
      ({ before, errorsBefore }): { id?: string; error?: string } | false => {
        const app = globalThis.__metaqnn!;
        const added = app.datasets.find((d) => !before.includes(d.id));
        if (added) return { id: added.id };
        // The import panel shows its own outcome; the notices carry errors from elsewhere.
        const shown = document.querySelector('[data-testid="import-error"]')?.textContent?.trim();
        if (shown) return { error: shown };
        const errors = app.notices.filter((n) => n.kind === 'error');
        if (errors.length > errorsBefore) return { error: errors.at(-1)!.text };
        return false;
      },
      { before, errorsBefore },
      { timeout: 15 * 60_000, polling: 250 },
    )
    .then((handle) => handle.jsonValue())
    .catch((error: unknown): { id?: string; error?: string } => ({ error: `no dataset appeared within 15 minutes (${firstLine(error)})` }));
  if (!outcome || outcome.error || !outcome.id) throw new RunnerError(`--import ${path} failed: ${(outcome && outcome.error) || 'no dataset id'}`, 4);
  return outcome.id;
}

/** Draws the progress: redrawn in place on a TTY, a plain line per change otherwise. */
function createProgress(stream: NodeJS.WriteStream): { update(state: PageState, pages: readonly { tab: number; live: readonly ProgressJob[] }[], elapsedMs: number): void } {
  const tty = stream.isTTY === true;
  let drawn = 0;
  let lastPlain = '';
  return {
    update(state, pages, elapsedMs) {
      if (tty) {
        // One column short of the width: a full-width line wraps on some terminals and breaks the redraw.
        const lines = progressLines(state, { elapsedMs, width: (stream.columns ?? 100) - 1, liveByTab: pages });
        if (drawn > 0) stream.write(`\x1b[${drawn}F\x1b[J`);
        stream.write(`${lines.join('\n')}\n`);
        drawn = lines.length;
      } else {
        const key = `${state.status}|${state.trained}|${state.finalStep}`;
        if (key !== lastPlain) {
          lastPlain = key;
          stream.write(`${progressLine(state, { elapsedMs })}\n`);
        }
      }
    },
  };
}

async function main(): Promise<number> {
  const args = parseSearchArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${SEARCH_USAGE}\n`);
    return 0;
  }
  // A config file is read (and refused) before anything starts.
  const fileConfig = args.configPath === null ? null : await readConfigFile(args.configPath);
  const out = resolve(args.out);
  const startedAt = Date.now();
  const machine = await describeMachine();
  await ensureBuilt(root, { force: args.rebuild });
  const server = await servePreview(root);
  const cleanup: (() => Promise<unknown>)[] = [() => server.close()];
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: closing the browser.\n`);
    void Promise.allSettled(cleanup.reverse().map((f) => f())).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const browser = await launchBrowser();
    cleanup.push(() => browser.close());
    const context = await newContext(browser);
    const pageErrors: string[] = [];
    const openPage = async (tab: number): Promise<Page> => {
      const page = await context.newPage();
      page.on('pageerror', (error) => {
        pageErrors.push(`tab ${tab}: ${error.message}`);
        process.stderr.write(`[tab ${tab} page error] ${error.message}\n`);
      });
      page.on('crash', () => process.stderr.write(`[tab ${tab}] the page crashed\n`));
      return page;
    };
    const first = await openPage(1);

    let dataset = args.dataset ?? fileConfig?.datasetId ?? 'mnist';
    if (args.importPath) {
      await first.goto(server.url);
      await waitForApp(first);
      dataset = await importDataset(first, resolve(args.importPath));
      process.stderr.write(`Imported as dataset "${dataset}".\n`);
    }
    const seed = args.seed ?? fileConfig?.seed ?? 1;
    const strategy = args.strategy ?? fileConfig?.strategy ?? 'q-learning';
    const setup: Setup = {
      dataset,
      seed,
      strategy,
      preset: args.preset ?? fileConfig?.presetId ?? 'custom',
      config: fileConfig && {
        ...fileConfig,
        datasetId: dataset,
        seed,
        strategy,
        budget: args.budgetMinutes !== null ? { minutes: args.budgetMinutes } : fileConfig.budget,
      },
    };

    // With a config file the page starts nothing by itself: the config goes in first.
    const url = `${server.url}${searchQuery(args, setup, setup.config === null)}`;
    await first.goto(url);
    await waitForApp(first);
    const { backend, backendError } = await waitForBackend(first);
    if (!backend) throw new RunnerError(`no trainer backend could start: ${backendError}`, 3);
    if (args.backend !== 'auto' && backend.backend !== args.backend) {
      const why = backend.fallbackReason ? ` (${backend.fallbackReason})` : '';
      throw new RunnerError(`--backend ${args.backend} was demanded but the trainer runs on ${backend.backend}${why}`, 3);
    }
    const adapter = backend.adapter ? ` (${[backend.adapter.vendor, backend.adapter.architecture, backend.adapter.description].filter(Boolean).join(' ')})` : '';
    process.stderr.write(`Backend: ${backend.backend}${adapter}\n`);
    if (setup.config) await startFromConfig(first, setup.config, args.configPath!);

    // The search exists once the page has started it; a dataset it cannot load never gets there.
    const started = await first
      .waitForFunction(
        (dataset): { ok?: true; unknown?: string[]; error?: string } | false => {
          const app = globalThis.__metaqnn!;
          if (app.searchId && app.search) return { ok: true };
          if (app.datasets.length > 0 && !app.datasets.some((d) => d.id === dataset)) {
            return { unknown: app.datasets.map((d) => d.id) };
          }
          if (app.datasetError) return { error: app.datasetError };
          const error = app.notices.find((n) => n.kind === 'error');
          return error ? { error: error.text } : false;
        },
        dataset,
        { timeout: 10 * 60_000, polling: 250 },
      )
      .then((handle) => handle.jsonValue())
      .catch((error: unknown): { unknown?: string[]; error?: string } => ({ error: `the search did not start (${firstLine(error)})` }));
    if (!started) throw new RunnerError('the search did not start', 1);
    if (started.unknown) throw new RunnerError(`--dataset ${dataset}: no such dataset; the app lists ${started.unknown.join(', ')}`, 2);
    if (started.error) throw new RunnerError(started.error, 1);

    const pages = [first];
    for (let tab = 2; tab <= args.tabs; tab++) {
      const page = await openPage(tab);
      // No autostart: a page that finds a running search joins it.
      await page.goto(`${server.url}${searchQuery(args, setup, false)}`);
      await waitForApp(page);
      pages.push(page);
    }

    const progress = createProgress(process.stdout);
    const deadline = args.timeoutMinutes === null ? Infinity : startedAt + args.timeoutMinutes * 60_000;
    for (;;) {
      let state: PageState;
      try {
        state = await readState(first);
      } catch (error) {
        throw new RunnerError(`lost the page (closed or crashed?): ${firstLine(error)}`, 1);
      }
      const liveByTab = await Promise.all(
        pages.map(async (page, i) => ({ tab: i + 1, live: i === 0 ? state.live : ((await readState(page).catch(() => null))?.live ?? []) })),
      );
      progress.update(state, liveByTab, Date.now() - startedAt);
      if (searchEnded(state.status)) break;
      if (Date.now() > deadline) {
        await first.evaluate(() => globalThis.__metaqnn!.stop()).catch(() => {});
        throw new RunnerError(`--timeout: the search was still ${state.status} after ${args.timeoutMinutes} min; stopped it`, 1);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }

    const full = await readFullState(first);
    await mkdir(out, { recursive: true });
    const csvPath = join(out, 'replay_database.csv');
    // The app's own export (src/search/export/replay-csv.ts), the same file its button downloads.
    const csv = await first.evaluate(async () => {
      await globalThis.__metaqnn!.refresh();
      return globalThis.__metaqnn!.replayCsv();
    });
    await writeFile(csvPath, csv);

    let model = null;
    const bestNet = full.search?.final?.bestNetString;
    if (bestNet) {
      try {
        const files = await exportModelFiles(first, bestNet);
        const dir = join(out, 'best-model');
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, files.modelFileName), files.modelJson);
        await writeFile(join(dir, files.weightsFileName), files.weightsBin);
        model = {
          net: bestNet,
          files: [`best-model/${files.modelFileName}`, `best-model/${files.weightsFileName}`],
          weightsBytes: files.weightsBin.length,
        };
      } catch (error) {
        process.stderr.write(`Could not export the best model ${bestNet}: ${firstLine(error)}\n`);
      }
    }
    const tabIds = await Promise.all(pages.map((p) => p.evaluate(() => globalThis.__metaqnn!.coordination.tabId).catch(() => null)));
    const results: ReturnType<typeof buildResults> & { pageErrors?: string[] } = buildResults({
      state: full,
      args: { ...args, dataset, seed, strategy },
      run: { startedAt, finishedAt: Date.now(), browser: `Chromium ${browser.version()}`, url, machine, tabIds },
      model,
    });
    results.pageErrors = pageErrors;
    await writeFile(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

    const final = full.search?.final;
    process.stdout.write(
      `\nSearch ${full.status}: ${full.replay.length} nets on ${backend.backend}.` +
        (final
          ? ` Best ${final.bestNetString}: ${pct(final.bestTestAccuracy, 2)} test; ensemble of ${final.ensembleNetStrings.length}: ${pct(final.ensembleTestAccuracy, 2)} test.`
          : '') +
        `\nWrote ${join(out, 'results.json')}, ${csvPath}${model ? `, ${join(out, 'best-model')}/` : ''}\n`,
    );
    if (full.status !== 'done') {
      throw new RunnerError(`the search ended as "${full.status}"${full.error ? `: ${full.error}` : ''}`, 1);
    }
    if (!model) throw new RunnerError('the search finished but its best model could not be exported', 1);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const f of cleanup.reverse()) await f().catch(() => {});
  }
}

/** Puts the file's config into the page's setup (the app validates it again) and starts it. */
async function startFromConfig(page: Page, config: SearchConfig, file: string): Promise<void> {
  // The dataset must be loaded first: startSearch loads it, but an unknown id is reported below.
  const error = await startWithConfig(page, config);
  if (error) throw new ConfigFileError(`${file}: the app refused it: ${error}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ArgError || error instanceof ConfigFileError) {
      process.stderr.write(`npm run search: ${error.message}\nRun with --help for the options.\n`);
      process.exit(2);
    }
    if (error instanceof RunnerError) {
      process.stderr.write(`npm run search: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`npm run search: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
