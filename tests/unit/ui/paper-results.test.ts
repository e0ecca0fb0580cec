import { describe, expect, it } from 'vitest';
import { comparability, paperColumnFor, PAPER_RESULTS } from '../../../src/ui/paper-results';
import { estimateSearchSize, presetConfig } from '../../../src/search/config';

describe('PAPER_RESULTS', () => {
  it('holds the spec’s MetaQNN rows (section 4)', () => {
    const best = PAPER_RESULTS.find((r) => r.method === 'MetaQNN, best single net')!;
    const ensemble = PAPER_RESULTS.find((r) => r.method === 'MetaQNN, ensemble of top 5')!;
    expect(best.error).toEqual({ 'CIFAR-10': 6.92, SVHN: 2.28, MNIST: 0.44, 'CIFAR-100': 27.14 });
    expect(ensemble.error).toEqual({ 'CIFAR-10': 7.32, SVHN: 2.06, MNIST: 0.32, 'CIFAR-100': null });
  });
});

describe('paperColumnFor', () => {
  it.each([
    [{ id: 'mnist', name: 'MNIST (10,000-digit subset)' }, 'MNIST'],
    [{ id: 'fashion-mnist', name: 'Fashion-MNIST' }, null],
    [{ id: 'import-ab12', name: 'CIFAR-10' }, 'CIFAR-10'],
    [{ id: 'import-cd34', name: 'CIFAR-100' }, 'CIFAR-100'],
    [{ id: 'import-ef56', name: 'SVHN' }, 'SVHN'],
    [{ id: 'import-0000', name: 'pets' }, null],
  ])('%o → %s', (dataset, column) => {
    expect(paperColumnFor(dataset)).toBe(column);
  });
});

describe('comparability', () => {
  it('says plainly why a tiny search on the MNIST subset is not comparable', () => {
    const tiny = presetConfig('tiny', 'mnist', 1);
    const nets = estimateSearchSize(tiny).nets;
    const result = comparability({ id: 'mnist', name: 'MNIST (10,000-digit subset)', counts: { train: 8500, test: 1500 } }, tiny);
    expect(result.comparable).toBe(false);
    const epochs = tiny.training.epochs === 1 ? '1 epoch' : `${tiny.training.epochs} epochs`;
    expect(result.summary).toBe(`MNIST 10,000-image subset, ${nets} nets, ${epochs}: not comparable`);
    expect(result.reasons).toContain(`${nets} nets searched, the paper 2,700`);
  });
  it('finds the paper preset on a full CIFAR-10 import comparable', () => {
    const result = comparability({ id: 'import-x', name: 'CIFAR-10', counts: { train: 50_000, test: 10_000 } }, presetConfig('paper', 'import-x', 1));
    expect(result).toMatchObject({ column: 'CIFAR-10', comparable: true, reasons: [] });
  });
  it('names a dataset the paper never used', () => {
    const result = comparability({ id: 'fashion-mnist', name: 'Fashion-MNIST', counts: { train: 60_000, test: 10_000 } }, presetConfig('paper', 'fashion-mnist', 1));
    expect(result.comparable).toBe(false);
    expect(result.reasons).toEqual(['the paper reports no results for Fashion-MNIST']);
  });
});
