// `npm run check:boundaries` (first step of `npm test`): enforces the import table in
// ../shared/design/architecture.md ("Folders"): each folder under src/ (and scripts/,
// workers/) may import only the folders and packages listed for it. Exits 1 and names
// every offending import (file:line) when one breaks the table.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Rule {
  /** Project folders (or files, without extension) whose values may be imported. */
  folders: readonly string[];
  /** Folders that may be imported with `import type` only. */
  typeFolders?: readonly string[];
  /** Package name prefixes allowed. */
  packages: readonly string[];
  /** Package prefixes refused outright, with their own message. */
  forbidPackages?: readonly string[];
  /** Every import must be `import type` / `export type`. */
  typeOnly?: boolean;
}

/** folder → allowed project folders and allowed package prefixes. */
const rules: Record<string, Rule> = {
  'src/core': { folders: ['src/core'], packages: [] },
  'src/data': { folders: ['src/data', 'src/core'], packages: ['fflate', 'nanotar', 'comlink', 'valibot'] },
  'src/train': {
    folders: ['src/train', 'src/core', 'src/data', 'workers'],
    packages: ['@tensorflow/', 'comlink'],
  },
  'src/store': { folders: ['src/store', 'src/core', 'src/data'], packages: ['idb', 'valibot'] },
  'src/swarm': { folders: ['src/swarm', 'src/core', 'src/store'], packages: ['valibot'] },
  // Searches shared across machines (issue 17): Yjs documents beside the store.
  // An imported dataset travels as src/search's package.
  'src/hub': { folders: ['src/hub', 'src/core', 'src/data', 'src/store', 'src/swarm', 'src/search/dataset-package'], packages: ['valibot', 'yjs', 'y-websocket', 'y-indexeddb', 'y-protocols', 'lib0'] },
  'src/search': {
    // src/train only by its types and its training defaults (no TF.js): the page imports src/search.
    folders: ['src/search', 'src/core', 'src/data', 'src/train/config', 'src/trainer-bridge', 'src/store', 'src/swarm'],
    typeFolders: ['src/train'],
    packages: ['comlink', 'valibot', 'papaparse', 'fflate'],
  },
  // The main thread's side of the trainer workers (squoosh keeps its worker bridges apart from
  // worker code): it creates the workers and speaks their protocol, whose types it imports.
  'src/trainer-bridge': { folders: ['src/trainer-bridge', 'workers'], typeFolders: ['src/train'], packages: ['comlink'] },
  // Components stay thin: no TF.js, no idb in the UI, and no value from src/train (TF.js code):
  // the UI reaches trainers through src/trainer-bridge and knows src/train only by its types.
  'src/ui': {
    // workers: the owner classes create them (`new Worker(new URL(...))`), as squoosh does.
    folders: ['src/ui', 'src/search', 'src/store', 'src/core', 'src/data', 'src/swarm', 'src/hub', 'src/trainer-bridge', 'workers', 'src/page-hook'],
    typeFolders: ['src/train'],
    packages: ['svelte', 'chart.js', 'workbox-window', 'virtual:pwa-register', 'comlink'],
    forbidPackages: ['@tensorflow/', 'idb'],
  },
  // The page's hook for the runner and the e2e tests: a declared shape, nothing that runs.
  'src/page-hook.ts': { folders: ['src'], packages: [], typeOnly: true },
  workers: { folders: ['workers', 'src/core', 'src/data', 'src/train'], packages: ['comlink', '@tensorflow/'] },
  // Node scripts: the pure parts of src (the algorithm, the search's logic, the datasets'
  // formats and splits, a few pure files of src/train, src/ui and src/store), types from
  // anywhere; never TF.js (the page runs it, not Node). The hub (issue 17) is Yjs's server.
  scripts: {
    folders: ['scripts', 'src/core', 'src/search', 'src/data', 'src/page-hook', 'src/train/config', 'src/ui/format', 'src/store/records', 'src/hub/protocol'],
    typeFolders: ['src'],
    packages: ['node:', '@playwright/test', 'vite', 'fflate', 'valibot', 'yjs', '@y/websocket-server', 'y-leveldb', 'ws'],
    forbidPackages: ['@tensorflow/'],
  },
  // The hub bridge's pass, timed in Node on fake-indexeddb (bench part hub-pass, issue 17).
  'scripts/bench/hub-pass.ts': {
    folders: ['scripts', 'src/core', 'src/search', 'src/hub', 'src/store'],
    packages: ['node:', 'fake-indexeddb', 'yjs'],
  },
  // The bench page runs in Chromium: it may use the trainer like the app does.
  'scripts/bench-train-page': {
    folders: ['scripts/bench-train-page', 'src/core', 'src/data', 'src/train', 'src/trainer-bridge'],
    typeFolders: ['scripts/lib'],
    packages: ['comlink', '@tensorflow/'],
  },
};

function* walk(dir: string): Generator<string> {
  if (!statSync(dir).isDirectory()) {
    yield dir;
    return;
  }
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.(ts|svelte|js|mjs)$/.test(name)) yield path;
  }
}

// import/export … from, dynamic import(), new URL(…) (workers), and bare side-effect imports.
const importRe =
  /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"]|(?:^|\s)import\s*['"]([^'"]+)['"]/g;
const problems: string[] = [];
for (const [folder, rule] of Object.entries(rules)) {
  const abs = join(root, folder);
  try { statSync(abs); } catch { continue; }
  for (const file of walk(abs)) {
    // A file under a folder with a rule of its own is checked by that rule.
    const relFile = relative(root, file).split(sep).join('/');
    if (Object.keys(rules).some((other) => other.length > folder.length && other.startsWith(folder + '/') && (relFile === other || relFile.startsWith(other + '/')))) continue;
    // Comments may show example imports; blank them out, keeping line numbers.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
      .replace(/^\s*\/\/.*$/gm, '');
    const rel = relative(root, file);
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (folder === 'src/core' && /\bMath\.random\b/.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*')) {
        problems.push(`${rel}:${i + 1}: Math.random in src/core (use the seeded RNG)`);
      }
    });
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (!spec) continue;
      const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
      if (rule.typeOnly && !/^\s*(import|export)\s+type\s/.test(m[0])) {
        problems.push(`${rel}:${line}: ${spec} is imported for its values; ${folder} may only import types`);
      }
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec)).split(sep).join('/');
        const within = (folders: readonly string[]) => folders.some((f) => target === f || target.startsWith(f + '/'));
        const typeOnly = /^\s*(import|export)\s+type\s/.test(m[0]);
        const ok = within(rule.folders) || (typeOnly && within(rule.typeFolders ?? []));
        if (!ok) problems.push(`${rel}:${line}: imports ${spec} (${target}); ${folder} may import only ${rule.folders.join(', ')}${rule.typeFolders ? ` (types also from ${rule.typeFolders.join(', ')})` : ''}`);
      } else {
        if (rule.forbidPackages?.some((p) => spec.startsWith(p))) {
          problems.push(`${rel}:${line}: imports package ${spec}, which ${folder} must not use`);
          continue;
        }
        const ok = rule.packages.some((p) => spec === p || spec.startsWith(p.endsWith('/') ? p : p + '/') || spec.startsWith(p));
        if (!ok) problems.push(`${rel}:${line}: imports package ${spec}; ${folder} may use only ${rule.packages.join(', ') || 'no packages'}`);
      }
    }
  }
}

if (problems.length) {
  console.error(`Import boundaries broken (see ../shared/design/architecture.md):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('import boundaries: ok');
