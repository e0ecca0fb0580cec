/**
 * The runner's side of the browser: serve the built app with `vite preview`, launch
 * Chromium with WebGPU the way playwright.config.ts does, and read the page's state
 * (`globalThis.__metaqnn`, the app's AppState). Not unit-tested (it needs a browser);
 * `npm run search` and `npm run bench` exercise it.
 */
import { access, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

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

export class RunnerError extends Error {
  /** @param {string} message @param {number} exitCode */
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'RunnerError';
    this.exitCode = exitCode;
  }
}

export function chromiumPath() {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** Fails with a message naming the path and the way out when the browser is missing. */
export async function checkChromium(path = chromiumPath()) {
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
export async function freePort(from = FIRST_PORT, tries = 100) {
  for (let port = from; port < from + tries; port++) {
    const free = await new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new RunnerError(`no free port from ${from} to ${from + tries - 1}`);
}

/** Runs `npm run build` when dist/ is missing (or `force`), streaming its output to stderr. */
export async function ensureBuilt(root, { force = false, log = (line) => process.stderr.write(line) } = {}) {
  const built = await stat(join(root, 'dist', 'index.html')).then(
    () => true,
    () => false,
  );
  if (built && !force) return false;
  log(`${built ? 'Rebuilding' : 'dist/ is missing: building'} the app (npm run build)...\n`);
  await new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => log(String(d)));
    child.stderr.on('data', (d) => log(String(d)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new RunnerError(`npm run build failed (exit status ${code})`))));
  });
  return true;
}

/** `vite preview` of dist/ on 127.0.0.1 at the first free port from FIRST_PORT. */
export async function servePreview(root, { port } = {}) {
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
    close: () => new Promise((resolve) => server.httpServer.close(() => resolve())),
  };
}

export async function launchBrowser() {
  const executablePath = await checkChromium();
  const { chromium } = await import('@playwright/test');
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (error) {
    throw new RunnerError(`Chromium at ${executablePath} did not start: ${error.message.split('\n')[0]}`, 3);
  }
}

/** Waits for the app to mount and expose its state; fails with the page's own error if it does not. */
export async function waitForApp(page, timeoutMs = 60_000) {
  try {
    await page.waitForFunction(() => globalThis.__metaqnn !== undefined && globalThis.__metaqnn.store !== undefined, null, {
      timeout: timeoutMs,
    });
  } catch {
    throw new RunnerError(`the app did not start within ${timeoutMs / 1000} s (no globalThis.__metaqnn at ${page.url()})`);
  }
}

/** Waits until the page has a backend (or says why it has none). */
export async function waitForBackend(page, timeoutMs = 120_000) {
  try {
    await page.waitForFunction(() => globalThis.__metaqnn.backend !== null || globalThis.__metaqnn.backendError !== null, null, {
      timeout: timeoutMs,
    });
  } catch {
    throw new RunnerError(`no trainer backend reported within ${timeoutMs / 1000} s`);
  }
  return page.evaluate(() => {
    const app = globalThis.__metaqnn;
    return JSON.parse(JSON.stringify({ backend: app.backend, backendError: app.backendError }));
  });
}

/**
 * What the runner reads of the page, as plain JSON. `full` adds the replay memory and the
 * search config (everything results.json needs); the progress display reads the short form.
 */
export async function readState(page, { full = false } = {}) {
  return page.evaluate(async (full) => {
    const app = globalThis.__metaqnn;
    if (!app) return null;
    // The final read comes straight from IndexedDB, not from the page's last refresh.
    if (full) await app.refresh();
    const entries = app.replay ?? [];
    let best = null;
    for (const e of entries) if (best === null || e.bestValAccuracy > best.bestValAccuracy) best = e;
    const lastTrained = [...entries].sort((a, b) => b.finishedAt - a.finishedAt)[0] ?? null;
    const state = {
      now: Date.now(),
      backend: app.backend,
      backendError: app.backendError,
      searchId: app.searchId,
      status: app.search?.status ?? null,
      error: app.search?.error ?? null,
      final: app.search?.final ?? null,
      scheduleTotal: (app.search?.config?.schedule ?? app.config?.schedule ?? []).reduce((s, l) => s + l.nets, 0),
      trained: entries.length,
      best: best && { netString: best.netString, bestValAccuracy: best.bestValAccuracy, epsilon: best.epsilon },
      last: lastTrained && { netString: lastTrained.netString, bestValAccuracy: lastTrained.bestValAccuracy, epsilon: lastTrained.epsilon },
      live: (app.live ?? []).map((j) => ({
        slot: j.slot,
        jobId: j.jobId,
        netString: j.netString,
        epsilon: j.epsilon,
        startedAt: j.startedAt,
        progress: j.progress,
      })),
      finalStep: app.finalStep ?? null,
      tabs: (app.tabs ?? []).length,
      leading: app.leading ?? false,
      notices: (app.notices ?? []).map((n) => ({ kind: n.kind, text: n.text })),
    };
    if (full) {
      state.search = app.search;
      state.replay = entries;
      state.datasets = app.datasets;
      state.dataset = app.dataset ? { meta: app.dataset.meta } : null;
      state.tabIds = (app.tabs ?? []).map((t) => t.tabId);
      // Iterations and per-ε means (paper Figure 3) from the app's own code, as its charts show them.
      state.accuracyByEpsilon = app.accuracyByEpsilon();
    }
    return JSON.parse(JSON.stringify(state));
  }, full);
}

/** A net as TF.js Layers files (`model.json`, `model.weights.bin`), read through the page (app.exportModel), weights as bytes. */
export async function exportModelFiles(page, netString) {
  const exported = await page.evaluate(async (netString) => {
    const { modelJson, modelFileName, weightsBin, weightsFileName } = await globalThis.__metaqnn.exportModel(netString, 'model');
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

/** Chromium's version as the browser reports it. */
export function browserVersion(browser) {
  return browser.version();
}
