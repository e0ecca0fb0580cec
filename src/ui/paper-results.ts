/**
 * The paper's results (test error %, Baker et al. 2017, Tables 3 and 4; shared/spec/metaqnn.md
 * section 4) and an honest statement of whether a search here can be compared with them.
 */
import type { SearchConfig } from '../search/config';

export const PAPER_DATASETS = ['CIFAR-10', 'SVHN', 'MNIST', 'CIFAR-100'] as const;
export type PaperDataset = (typeof PAPER_DATASETS)[number];

export interface PaperRow {
  readonly method: string;
  /** Test error %, null where the paper gives none. */
  readonly error: Readonly<Record<PaperDataset, number | null>>;
  readonly metaqnn: boolean;
}

/** Spec section 4, paper Tables 3 and 4. */
export const PAPER_RESULTS: readonly PaperRow[] = [
  { method: 'Maxout', error: { 'CIFAR-10': 9.38, SVHN: 2.47, MNIST: 0.45, 'CIFAR-100': 38.57 }, metaqnn: false },
  { method: 'Network in Network', error: { 'CIFAR-10': 8.81, SVHN: 2.35, MNIST: 0.47, 'CIFAR-100': 35.68 }, metaqnn: false },
  { method: 'FitNets', error: { 'CIFAR-10': 8.39, SVHN: 2.42, MNIST: 0.51, 'CIFAR-100': 35.04 }, metaqnn: false },
  { method: 'DropConnect', error: { 'CIFAR-10': 9.32, SVHN: 1.94, MNIST: 0.57, 'CIFAR-100': null }, metaqnn: false },
  { method: 'Deeply supervised nets', error: { 'CIFAR-10': 8.22, SVHN: 1.92, MNIST: 0.39, 'CIFAR-100': 34.57 }, metaqnn: false },
  { method: 'Recurrent CNN', error: { 'CIFAR-10': 7.72, SVHN: 1.77, MNIST: 0.31, 'CIFAR-100': 31.75 }, metaqnn: false },
  { method: 'MetaQNN, ensemble of top 5', error: { 'CIFAR-10': 7.32, SVHN: 2.06, MNIST: 0.32, 'CIFAR-100': null }, metaqnn: true },
  { method: 'MetaQNN, best single net', error: { 'CIFAR-10': 6.92, SVHN: 2.28, MNIST: 0.44, 'CIFAR-100': 27.14 }, metaqnn: true },
];

/** Images in the standard train + test splits the paper used (SVHN without its "extra" set). */
const FULL_SIZE: Record<PaperDataset, number> = { 'CIFAR-10': 60_000, SVHN: 99_289, MNIST: 70_000, 'CIFAR-100': 60_000 };
/** Spec section 2: 2,700 unique nets per dataset. Spec section 3: 20 epochs (seed article). */
const PAPER_NETS = 2700;
const PAPER_EPOCHS = 20;

/** The paper's column for a dataset, from its id or name ("MNIST (10,000-digit subset)" → MNIST). */
export function paperColumnFor(dataset: { readonly id: string; readonly name: string }): PaperDataset | null {
  const text = `${dataset.id} ${dataset.name}`.toLowerCase();
  if (/fashion/.test(text)) return null;
  if (/cifar-?100/.test(text)) return 'CIFAR-100';
  if (/cifar-?10(?!\d)/.test(text)) return 'CIFAR-10';
  if (/svhn/.test(text)) return 'SVHN';
  if (/mnist/.test(text)) return 'MNIST';
  return null;
}

export interface Comparability {
  readonly column: PaperDataset | null;
  readonly comparable: boolean;
  /** One line for the results page, e.g. "MNIST 10,000-image subset, 10 nets, 1 epoch: not comparable". */
  readonly summary: string;
  readonly reasons: readonly string[];
}

const n = (x: number) => x.toLocaleString('en-US');

/** How a search's setup differs from the paper's, in words. */
export function comparability(
  dataset: { readonly id: string; readonly name: string; readonly counts: { readonly train: number; readonly test: number } },
  config: Pick<SearchConfig, 'schedule' | 'training' | 'data'>,
): Comparability {
  const column = paperColumnFor(dataset);
  const nets = config.schedule.reduce((sum, level) => sum + level.nets, 0);
  const images = dataset.counts.train + dataset.counts.test;
  const reasons: string[] = [];
  if (column === null) reasons.push(`the paper reports no results for ${dataset.name}`);
  else if (images < FULL_SIZE[column]) reasons.push(`${n(images)} images, the paper used all ${n(FULL_SIZE[column])}`);
  if (config.data.trainSize !== null) reasons.push(`each net trained on ${n(config.data.trainSize)} images`);
  if (nets < PAPER_NETS) reasons.push(`${n(nets)} nets searched, the paper ${n(PAPER_NETS)}`);
  if (config.training.epochs < PAPER_EPOCHS) reasons.push(`${config.training.epochs} epoch${config.training.epochs === 1 ? '' : 's'} per net, the paper ${PAPER_EPOCHS}`);
  const subset = column !== null && images < FULL_SIZE[column] ? `${column} ${n(images)}-image subset` : (column ?? dataset.name);
  const epochs = `${config.training.epochs} epoch${config.training.epochs === 1 ? '' : 's'}`;
  const comparable = reasons.length === 0;
  return {
    column,
    comparable,
    summary: `${subset}, ${n(nets)} nets, ${epochs}: ${comparable ? 'the paper\'s setup' : 'not comparable'}`,
    reasons,
  };
}
