/**
 * The runner's side of the browser: serve the built app with `vite preview`, launch
 * Chromium with WebGPU the way playwright.config.ts does, and read the page's state
 * (`globalThis.__metaqnn`, declared by src/page-hook.ts). Not unit-tested (it needs a
 * browser); `npm run search` and `npm run bench` exercise it.
 */
import { access, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { PageHook, PageLiveJob } from '../../src/page-hook';
import type { SearchConfig } from '../../src/search/config';
import type { EpsilonAccuracy } from '../../src/search/export';
import type { DatasetSummary } from '../../src/search/catalog';
import type { ReplayRecord, SearchRecord } from '../../src/store';
import type { BackendInfo } from '../../src/train/types';
import type { DatasetMeta } from '../../src/data';

/** Same flags as playwright.config.ts (shared/design/testing.md: the first is the one that matters). */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The e2e tests own 4173; the runner and the benchmarks start here and take the next free port. */
export const FIRST_PORT = 4300;

/** A failure the command reports in one line, with its exit status (see SEARCH_USAGE). */
export class RunnerError extends Error {
  override name = 'RunnerError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The first line of an error's message, for one-line reports. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** Fails with a message naming the path and the way out when the browser is missing. */
export async function checkChromium(path = chromiumPath()): Promise<string> {
  try {
    await access(path);
  } catch {
    throw new RunnerError(
      `Chromium not found at ${path}. Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
      3,
    );
  }
  return path;
}

/** The first port from `from` that nothing listens on (127.0.0.1). */
export async function freePort(from = FIRST_PORT, tries = 100): Promise<number> {
  for (let port = from; port < from + tries; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new RunnerError(`no free port from ${from} to ${from + tries - 1}`);
}

/** Runs `npm run build` when dist/ is missing (or `force`), streaming its output to stderr. */
export async function ensureBuilt(
  root: string,
  { force = false, log = (line: string) => void process.stderr.write(line) }: { force?: boolean; log?: (line: string) => void } = {},
): Promise<boolean> {
  const built = await stat(join(root, 'dist', 'index.html')).then(
    () => true,
    () => false,
  );
  if (built && !force) return false;
  log(`${built ? 'Rebuilding' : 'dist/ is missing: building'} the app (npm run build)...\n`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => log(String(d)));
    child.stderr.on('data', (d) => log(String(d)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new RunnerError(`npm run build failed (exit status ${code})`))));
  });
  return true;
}

/** `vite preview` of dist/ on 127.0.0.1 at the first free port from FIRST_PORT. */
export async function servePreview(root: string, { port }: { port?: number } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const { preview } = await import('vite');
  const chosen = port ?? (await freePort());
  const server = await preview({
    root,
    logLevel: 'silent',
    preview: { host: '127.0.0.1', port: chosen, strictPort: true, open: false },
  });
  const url = server.resolvedUrls?.local?.[0] ?? `http://127.0.0.1:${chosen}/`;
  return {
    url: url.endsWith('/') ? url : `${url}/`,
    close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())),
  };
}

/**
 * tsx compiles the scripts with esbuild's keepNames, which wraps named functions in
 * `__name(fn, "name")`; Playwright sends page.evaluate callbacks to the page as source text,
 * where no `__name` exists. Every page the scripts open defines it as the identity first.
 */
const KEEP_NAMES_SHIM = 'globalThis.__name ??= (fn) => fn;';

/** A browser context whose pages can run the scripts' callbacks (see KEEP_NAMES_SHIM). */
export async function newContext(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.addInitScript(KEEP_NAMES_SHIM);
  return context;
}

/** A page in a context of its own (newContext). */
export async function newPage(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  return (await newContext(browser, options)).newPage();
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = await checkChromium();
  const { chromium } = await import('@playwright/test');
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (error) {
    throw new RunnerError(`Chromium at ${executablePath} did not start: ${firstLine(error)}`, 3);
  }
}

/** Waits for the app to mount and expose its state; fails with the page's own error if it does not. */
export async function waitForApp(page: Page, timeoutMs = 60_000): Promise<void> {
  try {
    await page.waitForFunction(() => globalThis.__metaqnn !== undefined && globalThis.__metaqnn.store !== undefined, null, {
      timeout: timeoutMs,
    });
  } catch {
    throw new RunnerError(`the app did not start within ${timeoutMs / 1000} s (no globalThis.__metaqnn at ${page.url()})`);
  }
}

/** Waits until the page has a backend (or says why it has none). */
export async function waitForBackend(page: Page, timeoutMs = 120_000): Promise<{ backend: BackendInfo | null; backendError: string | null }> {
  try {
    await page.waitForFunction(() => globalThis.__metaqnn!.backend !== null || globalThis.__metaqnn!.backendError !== null, null, {
      timeout: timeoutMs,
    });
  } catch {
    throw new RunnerError(`no trainer backend reported within ${timeoutMs / 1000} s`);
  }
  return page.evaluate(() => {
    const app = globalThis.__metaqnn!;
    return JSON.parse(JSON.stringify({ backend: app.backend, backendError: app.backendError })) as { backend: BackendInfo | null; backendError: string | null };
  });
}

/** A net in the progress display: its string, accuracy and ε. */
export interface NetSummary {
  readonly netString: string;
  readonly bestValAccuracy: number;
  readonly epsilon: number;
}

/** What the runner reads of the page, as plain JSON (readState). */
export interface PageState {
  readonly now: number;
  readonly backend: BackendInfo | null;
  readonly backendError: string | null;
  readonly searchId: string | null;
  readonly status: SearchRecord['status'] | null;
  readonly error: string | null;
  readonly final: SearchRecord['final'] | null;
  readonly scheduleTotal: number;
  readonly trained: number;
  readonly best: NetSummary | null;
  readonly last: NetSummary | null;
  readonly live: readonly PageLiveJob[];
  readonly finalStep: string | null;
  readonly tabs: number;
  readonly leading: boolean;
  readonly notices: readonly { kind: string; text: string }[];
}

/** The full read after a search: everything results.json needs. */
export interface FullPageState extends PageState {
  readonly search: SearchRecord | null;
  readonly replay: readonly ReplayRecord[];
  readonly datasets: readonly DatasetSummary[];
  readonly dataset: { readonly meta: DatasetMeta } | null;
  readonly tabIds: readonly string[];
  /** Iterations and per-ε means (paper Figure 3) from the app's own code, as its charts show them. */
  readonly accuracyByEpsilon: { iterations: number; byEpsilon: EpsilonAccuracy[] };
}

/** The short form the progress display polls. */
export function readState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const app: PageHook = globalThis.__metaqnn!;
    const entries = app.replay;
    let best: ReplayRecord | null = null;
    for (const e of entries) if (best === null || e.bestValAccuracy > best.bestValAccuracy) best = e;
    const lastTrained = [...entries].sort((a, b) => b.finishedAt - a.finishedAt)[0] ?? null;
    const summary = (e: ReplayRecord | null) => e && { netString: e.netString, bestValAccuracy: e.bestValAccuracy, epsilon: e.epsilon };
    const state = {
      now: Date.now(),
      backend: app.backend,
      backendError: app.backendError,
      searchId: app.searchId,
      status: app.search?.status ?? null,
      error: app.search?.error ?? null,
      final: app.search?.final ?? null,
      // The stored config is opaque JSON to the store; the open search's, else the setup's.
      scheduleTotal: ((app.search?.config as SearchConfig | undefined) ?? app.config).schedule.reduce((s, l) => s + l.nets, 0),
      trained: entries.length,
      best: summary(best),
      last: summary(lastTrained),
      live: app.live.map((j) => ({ slot: j.slot, jobId: j.jobId, netString: j.netString, epsilon: j.epsilon, startedAt: j.startedAt, progress: j.progress })),
      finalStep: app.finalStep,
      tabs: app.tabs.length,
      leading: app.leading,
      notices: app.notices.map((n) => ({ kind: n.kind, text: n.text })),
    };
    return JSON.parse(JSON.stringify(state)) as PageState;
  });
}

/** The whole state after a search, read straight from IndexedDB (not from the page's last refresh). */
export async function readFullState(page: Page): Promise<FullPageState> {
  await page.evaluate(() => globalThis.__metaqnn!.refresh());
  const short = await readState(page);
  const rest = await page.evaluate(() => {
    const app = globalThis.__metaqnn!;
    return JSON.parse(
      JSON.stringify({
        search: app.search,
        replay: app.replay,
        datasets: app.datasets,
        dataset: app.dataset ? { meta: app.dataset.meta } : null,
        tabIds: app.tabs.map((t) => t.tabId),
        accuracyByEpsilon: app.accuracyByEpsilon(),
      }),
    ) as Omit<FullPageState, keyof PageState>;
  });
  return { ...short, ...rest };
}

/** Puts a config into the page's setup (the app validates it again) and starts it; the app's refusal, or null. */
export function startWithConfig(page: Page, config: SearchConfig): Promise<string | null> {
  return page.evaluate(async (config) => {
    const app = globalThis.__metaqnn!;
    const invalid = app.setConfig(config);
    if (invalid) return invalid;
    await app.startSearch();
    return null;
  }, config);
}

/** A net as TF.js Layers files (`model.json`, `model.weights.bin`), read through the page (app.exportModel), weights as bytes. */
export async function exportModelFiles(
  page: Page,
  netString: string,
): Promise<{ modelJson: string; modelFileName: string; weightsBin: Buffer; weightsFileName: string }> {
  const exported = await page.evaluate(async (netString) => {
    const { modelJson, modelFileName, weightsBin, weightsFileName } = await globalThis.__metaqnn!.exportModel(netString, 'model');
    const bytes = new Uint8Array(weightsBin);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { modelJson, modelFileName, weightsBase64: btoa(binary), weightsFileName };
  }, netString);
  return {
    modelJson: exported.modelJson,
    modelFileName: exported.modelFileName,
    weightsBin: Buffer.from(exported.weightsBase64, 'base64'),
    weightsFileName: exported.weightsFileName,
  };
}
