import { describe, expect, it } from 'vitest';
import { readMatV5 } from '../../../src/data/mat-v5';
import { importDatasetFromFiles } from '../../../src/data/import-dataset';
import { importSvhn } from '../../../src/data/svhn';
import { columnMajorFromNhwc, fileOf, MI, MX, matFile, patternBytes, type MatVarSpec } from './fixtures';

const H = 4;
const W = 5;

/** An SVHN-format pair of variables for `labels` (1..10), with NHWC pixels to compare against. */
function svhnVars(labels: readonly number[], seed: number, yStorage: number = MI.DOUBLE) {
  const n = labels.length;
  const nhwc = patternBytes(n * H * W * 3, seed);
  const vars: MatVarSpec[] = [
    { name: 'X', mxClass: MX.UINT8, dims: [H, W, 3, n], storage: MI.UINT8, values: columnMajorFromNhwc(nhwc, n, H, W, 3) },
    { name: 'y', mxClass: MX.DOUBLE, dims: [n, 1], storage: yStorage, values: labels },
  ];
  return { nhwc, vars };
}

const trainLabels = [1, 2, 10, 3, 10, 5, 9, 1];
const testLabels = [10, 4, 4];

describe('MAT v5 reader', () => {
  it.each([
    ['plain, little-endian', { compress: false }],
    ['miCOMPRESSED', { compress: true }],
    ['big-endian', { compress: false, bigEndian: true }],
  ])('reads numeric arrays (%s), including y stored as uint8 and a small-element name', async (_, options) => {
    const { vars } = svhnVars(trainLabels, 1, MI.UINT8);
    const mat = await readMatV5('train_32x32.mat', matFile(vars, options));
    const y = mat.variables.get('y')!;
    expect(y.matlabClass).toBe('double');
    expect(y.dims).toEqual([trainLabels.length, 1]);
    expect([...y.data]).toEqual(trainLabels);
    expect(mat.variables.get('X')!.dims).toEqual([H, W, 3, trainLabels.length]);
    expect(mat.description).toMatch(/^MATLAB 5.0 MAT-file/);
  });

  it('lists unsupported variables as skipped instead of failing', async () => {
    const { vars } = svhnVars([1], 1);
    vars.push({ name: 'names', mxClass: MX.CHAR, dims: [1, 2], storage: MI.UINT8, values: [65, 66] });
    vars.push({ name: 'z', mxClass: MX.DOUBLE, dims: [1, 1], storage: MI.DOUBLE, values: [1], complex: true });
    const mat = await readMatV5('a.mat', matFile(vars, { compress: true }));
    expect(mat.skipped).toEqual([
      { name: 'names', reason: 'char arrays are not supported' },
      { name: 'z', reason: 'complex arrays are not supported' },
    ]);
  });

  it('rejects a v7.3 (HDF5) file, a non-MAT file, and a truncated element', async () => {
    const { vars } = svhnVars([1, 2], 1);
    await expect(readMatV5('t.mat', matFile(vars, { headerText: 'MATLAB 7.3 MAT-file, Platform: GLNXA64' }))).rejects.toThrow(/t.mat \(byte offset 0\): MAT-file version 7.3 \(HDF5\) is not supported/);
    await expect(readMatV5('t.mat', new Uint8Array(200).fill(0x41))).rejects.toThrow(/not a MATLAB 5.0 MAT-file: the header text starts "AAAA/);
    const whole = matFile(vars);
    await expect(readMatV5('t.mat', whole.subarray(0, whole.length - 20))).rejects.toThrow(/t.mat: truncated: a data element of type 14 needs \d+ bytes, only \d+ left \(byte offset \d+\)/);
  });

  it('rejects a compressed element that is cut short or corrupt, naming its offset', async () => {
    const { vars } = svhnVars(trainLabels, 1);
    const whole = matFile(vars.slice(0, 1), { compress: true });
    // Claim fewer compressed bytes than there are: the zlib stream ends early.
    const cut = whole.slice(0, whole.length - 10);
    new DataView(cut.buffer).setUint32(132, new DataView(whole.buffer).getUint32(132, true) - 10, true);
    await expect(readMatV5('train_32x32.mat', cut)).rejects.toThrow(/train_32x32.mat \(byte offset \d+\): (truncated zlib data|corrupt or truncated zlib data)/);
    const corrupt = whole.slice();
    corrupt[corrupt.length - 2]! ^= 0xff; // the Adler-32 trailer
    await expect(readMatV5('train_32x32.mat', corrupt)).rejects.toThrow(/train_32x32.mat \(byte offset \d+\): corrupt zlib data: Adler-32/);
  });
});

describe('SVHN import', () => {
  it.each([false, true])('turns column-major X into NHWC and label 10 into digit 0 (compressed: %s)', async (compress) => {
    const train = svhnVars(trainLabels, 1);
    const test = svhnVars(testLabels, 2);
    const dataset = await importDatasetFromFiles([
      fileOf('svhn/train_32x32.mat', matFile(train.vars, { compress })),
      fileOf('svhn/test_32x32.mat', matFile(test.vars, { compress })),
    ]);
    expect(dataset.meta.name).toBe('SVHN');
    expect(dataset.meta.shape).toEqual({ height: H, width: W, channels: 3 });
    expect(dataset.train.images).toEqual(train.nhwc);
    expect(dataset.test.images).toEqual(test.nhwc);
    expect([...dataset.train.labels]).toEqual([1, 2, 0, 3, 0, 5, 9, 1]);
    expect([...dataset.test.labels]).toEqual([0, 4, 4]);
    expect(dataset.meta.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('rejects labels outside 1..10 naming the MATLAB index', async () => {
    const { vars } = svhnVars([1, 0, 3], 1);
    await expect(importSvhn([fileOf('train_32x32.mat', matFile(vars))])).rejects.toThrow('train_32x32.mat: y(2) = 0 is out of range: SVHN labels are 1..10 (10 means the digit 0)');
  });

  it('rejects X and y that disagree, and files without X', async () => {
    const { vars } = svhnVars([1, 2, 3], 1);
    vars[1] = { name: 'y', mxClass: MX.DOUBLE, dims: [2, 1], storage: MI.DOUBLE, values: [1, 2] };
    await expect(importSvhn([fileOf('train_32x32.mat', matFile(vars))])).rejects.toThrow('train_32x32.mat: y is 2×1 but X holds 3 images; expected 3×1');
    await expect(importSvhn([fileOf('train_32x32.mat', matFile(vars.slice(1)))])).rejects.toThrow(/expected variables X and y \(SVHN format 2\); found y \(double 2×1\)/);
  });

  it('refuses the extra set and files it cannot place', async () => {
    const { vars } = svhnVars([1, 2], 1);
    await expect(importSvhn([fileOf('extra_32x32.mat', matFile(vars))])).rejects.toThrow(/extra_32x32.mat: SVHN's extra set/);
    await expect(importSvhn([fileOf('digits.mat', matFile(vars))])).rejects.toThrow(/digits.mat: cannot tell whether this is the train or the test split/);
  });
});
