/**
 * Text the runner prints: aligned tables for the terminal, markdown tables for
 * bench/results/latest.md, progress bars, durations and percentages. Pure functions.
 * Percentages are the app's own (src/ui/format.ts pct).
 */
import { pct } from '../../src/ui/format';
import type { NetSummary } from './browser';

export { pct };

type Num = number | null | undefined;

/**
 * Milliseconds as `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. Not the app's `duration`
 * (`4.1 min`) on purpose: benchmark reports and the README quote minutes and seconds.
 */
export function duration(ms: Num): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - m * 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m - h * 60).padStart(2, '0')} min`;
}

/** A ratio as `1.23×`; `–` when either side is missing or zero. */
export function ratio(a: Num, b: Num, digits = 2): string {
  if (!(typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b !== 0)) return '–';
  return `${(a / b).toFixed(digits)}×`;
}

/** Big counts with an SI suffix: 1234567 → `1.23 M`. */
export function si(x: Num, digits = 3): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  const units = ['', 'k', 'M', 'G', 'T'];
  let u = 0;
  let v = Math.abs(x);
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${x < 0 ? '-' : ''}${v.toPrecision(digits)}${units[u] ? ` ${units[u]}` : ''}`;
}

function cell(value: unknown): string {
  return value === null || value === undefined ? '–' : String(value);
}

/** Numbers and things that read like numbers are right-aligned. */
function numeric(text: string): boolean {
  return /^[-+]?[\d.,]+\s?(%|×|ms|s|[kMGT])?$/.test(text) || text === '–';
}

export type Row = readonly unknown[];

/** An aligned plain-text table: header, a rule, rows. Numeric-looking cells are right-aligned. */
export function textTable(headers: readonly string[], rows: readonly Row[]): string {
  const cells = rows.map((row) => headers.map((_, i) => cell(row[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[], isHeader: boolean): string =>
    row
      .map((text, i) => (!isHeader && numeric(text) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers, true), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map((row) => line(row, false))].join('\n');
}

/** A GitHub-flavoured markdown table; `|` inside cells is escaped. */
export function markdownTable(headers: readonly string[], rows: readonly Row[]): string {
  const esc = (text: string): string => text.replaceAll('|', '\\|');
  const cells = rows.map((row) => headers.map((_, i) => esc(cell(row[i]))));
  const align = headers.map((_, i) => (cells.length > 0 && cells.every((row) => numeric(row[i]!)) ? '---:' : '---'));
  return [`| ${headers.map(esc).join(' | ')} |`, `| ${align.join(' | ')} |`, ...cells.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** `[#####-----]` for done of total, `width` characters inside the brackets. */
export function bar(done: number, total: number, width = 24): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** A job in the progress display (the page's PageLiveJob fits). */
export interface ProgressJob {
  readonly netString: string;
  readonly epsilon?: number;
  readonly progress:
    | { readonly kind: 'batch'; readonly epoch: number; readonly batch: number; readonly batchesPerEpoch: number }
    | { readonly kind: 'epoch' | 'restart' }
    | null;
}

/** What the progress display reads of the page (browser.ts PageState fits). */
export interface ProgressState {
  readonly status: string | null;
  readonly trained: number;
  readonly scheduleTotal: number;
  readonly best: NetSummary | null;
  readonly last: NetSummary | null;
  readonly finalStep: string | null;
  readonly live: readonly ProgressJob[];
}

/**
 * The progress display of `npm run search`, from the page's state (scripts/lib/browser.ts
 * readState of the leading page): one line for the search, one per net in training.
 */
export function progressLines(
  state: ProgressState,
  { elapsedMs, width = 80, liveByTab }: { elapsedMs: number; width?: number; liveByTab?: readonly { tab: number; live: readonly ProgressJob[] }[] },
): string[] {
  const total = state.scheduleTotal || 0;
  const epsilon = state.live[0]?.epsilon ?? state.last?.epsilon;
  const head =
    `${bar(state.trained, total, 24)} ${state.trained}/${total} nets` +
    ` · ε ${epsilon ?? '–'} · best ${pct(state.best?.bestValAccuracy)} · ${state.status ?? 'starting'} · ${duration(elapsedMs)}`;
  const lines = [head];
  if (state.finalStep) lines.push(`  final phase: ${state.finalStep}`);
  const tabs = liveByTab ?? [{ tab: 1, live: state.live }];
  for (const { tab, live } of tabs) {
    for (const job of live) {
      const p = job.progress;
      const where =
        p && p.kind === 'batch' ? `${bar(p.batch, p.batchesPerEpoch, 10)} epoch ${p.epoch} batch ${p.batch}/${p.batchesPerEpoch}` : 'starting';
      lines.push(`  tab ${tab}: ${where} ${job.netString}`);
    }
  }
  return lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
}

/** The plain one-line form for logs (stdout not a TTY). */
export function progressLine(state: ProgressState, { elapsedMs }: { elapsedMs: number }): string {
  const total = state.scheduleTotal || 0;
  const last = state.last ? ` · last ${state.last.netString} ${pct(state.last.bestValAccuracy)}` : '';
  const final = state.finalStep ? ` · ${state.finalStep}` : '';
  return `[${duration(elapsedMs)}] ${state.status ?? 'starting'} · ${state.trained}/${total} nets · best ${pct(state.best?.bestValAccuracy)}${last}${final}`;
}
