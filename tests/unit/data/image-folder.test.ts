import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importImageFolder, naturalCompare, planImageFolder, sniffImageType, type ImageDecoder } from '../../../src/data/image-folder';
import { importDatasetFromFiles } from '../../../src/data/import-dataset';
import type { ImportProgress } from '../../../src/data/progress';
import { blobFileOf, encodePng, fileOf, patternBytes, pngTestDecoder } from './fixtures';

/** A solid-colour RGB PNG whose red value identifies it. */
function solidPng(red: number, side = 6): Uint8Array {
  const pixels = new Uint8Array(side * side * 3);
  for (let p = 0; p < side * side; p++) pixels.set([red, 100, 200], 3 * p);
  return encodePng(side, side, 3, pixels);
}

/** pets/{cat,dog,bird}: red = 10·class + index. */
function petFiles() {
  const classes = ['cat', 'dog', 'bird'];
  return classes.flatMap((name, c) => Array.from({ length: 5 }, (_, i) => blobFileOf(`pets/${name}/${i}.png`, solidPng(10 * c + i))));
}

describe('planImageFolder', () => {
  const f = (path: string) => fileOf(path, new Uint8Array(0));

  it('strips the chosen folder, sorts classes naturally, labels by folder', () => {
    const plan = planImageFolder([f('data/c10/a.png'), f('data/c2/b.jpg'), f('data/c1/c.webp'), f('data/c2/d.JPEG')]);
    expect(plan.root).toBe('data');
    expect(plan.classNames).toEqual(['c1', 'c2', 'c10']);
    expect(plan.train.map((p) => [p.input.path, p.label])).toEqual([
      ['data/c1/c.webp', 0],
      ['data/c2/b.jpg', 1],
      ['data/c2/d.JPEG', 1],
      ['data/c10/a.png', 2],
    ]);
    expect(plan.test).toBeUndefined();
  });

  it('keeps a given train/test split', () => {
    const plan = planImageFolder([f('x/train/a/1.png'), f('x/train/b/1.png'), f('x/test/a/2.png'), f('x/TEST/b/2.png')]);
    expect(plan.classNames).toEqual(['a', 'b']);
    expect(plan.train).toHaveLength(2);
    expect(new Map(plan.test?.map((p) => [p.input.path, p.label]))).toEqual(new Map([['x/test/a/2.png', 0], ['x/TEST/b/2.png', 1]]));
  });

  it('ignores OS junk files', () => {
    const plan = planImageFolder([f('x/a/1.png'), f('x/b/1.png'), f('x/b/.DS_Store'), f('__MACOSX/x/a/._1.png'), f('x/Thumbs.db')]);
    expect(plan.classNames).toEqual(['a', 'b']);
  });

  it.each([
    ['an empty class folder (directory entry)', [f('x/a/1.png'), f('x/b/1.png'), f('x/c/')], 'x/c/: class folder "c" has no images'],
    ['a class folder holding only junk', [f('x/a/1.png'), f('x/b/1.png'), f('x/c/.DS_Store')], 'x/c/: class folder "c" has no images'],
    ['a single class', [f('x/a/1.png'), f('x/a/2.png')], 'x: only one class folder ("a"); a classifier needs at least two'],
    ['an unsupported extension', [f('x/a/1.png'), f('x/b/notes.txt')], 'x/b/notes.txt: unsupported file: expected PNG, JPEG or WebP images (.png, .jpg, .jpeg, .webp) inside class folders'],
    ['an image outside any class folder', [f('a/1.png'), f('2.png')], '2.png: image is not inside a class folder (expected <class>/<image>)'],
    ['images at mixed depths', [f('x/a/1.png'), f('x/b/c/2.png')], /x\/b\/c\/2.png: image is 2 folders deep/],
    ['test images of a class without training images', [f('x/train/a/1.png'), f('x/train/b/1.png'), f('x/test/c/1.png')], 'x/test/c/: class "c" has test images but no training images'],
    ['no images at all', [f('x/a/'), f('x/.DS_Store')], /no images found/],
  ])('rejects %s', (_, files, message) => {
    expect(() => planImageFolder(files)).toThrow(message);
  });

  it('sorts numbers by value', () => {
    expect(['b10', 'b9', 'a', 'b09x'].sort(naturalCompare)).toEqual(['a', 'b9', 'b09x', 'b10']);
  });
});

describe('image-folder import', () => {
  it('decodes every image into its class, RGB, with a seeded stratified test split', async () => {
    const dataset = await importImageFolder(petFiles(), { decodeImage: pngTestDecoder, side: 3, testFraction: 0.2, seed: 11 });
    expect(dataset.meta.name).toBe('pets');
    expect(dataset.meta.classNames).toEqual(['bird', 'cat', 'dog']);
    expect(dataset.meta.shape).toEqual({ height: 3, width: 3, channels: 3 });
    expect(dataset.meta.counts).toEqual({ train: 12, test: 3 });
    expect(dataset.meta.perClass).toEqual({ train: [4, 4, 4], test: [1, 1, 1] });
    expect(dataset.meta.split).toMatchObject({ method: 'stratified-random', seed: 11 });
    // Each image is solid: every pixel says which file it came from, and the label must match the folder.
    const folderOfRed = (red: number) => ['cat', 'dog', 'bird'][Math.floor(red / 10)];
    const seen = new Set<number>();
    for (const set of [dataset.train, dataset.test]) {
      for (let i = 0; i < set.count; i++) {
        const image = set.images.subarray(i * 27, (i + 1) * 27);
        expect([image[0], image[1], image[2], image[26]]).toEqual([image[0], 100, 200, 200]);
        expect(dataset.meta.classNames[set.labels[i]!]).toBe(folderOfRed(image[0]!));
        seen.add(image[0]!);
      }
    }
    expect(seen.size).toBe(15);
    // Same seed, same dataset; images are not left in class order.
    const again = await importImageFolder(petFiles(), { decodeImage: pngTestDecoder, side: 3, testFraction: 0.2, seed: 11 });
    expect(again.meta.checksum).toBe(dataset.meta.checksum);
    expect([...dataset.train.labels]).not.toEqual([...dataset.train.labels].sort());
  });

  it('converts to grayscale with the BT.601 weights and resizes', async () => {
    const solid = (rgb: [number, number, number]) => encodePng(5, 7, 3, Uint8Array.from({ length: 35 * 3 }, (_, i) => rgb[i % 3]!));
    const files = [
      blobFileOf('c/red/1.png', solid([255, 0, 0])),
      blobFileOf('c/red/2.png', solid([255, 0, 0])),
      blobFileOf('c/blue/1.png', solid([0, 0, 255])),
      blobFileOf('c/blue/2.png', solid([0, 0, 255])),
    ];
    const gray = await importImageFolder(files, { decodeImage: pngTestDecoder, side: 2, channels: 1, testFraction: 0.5 });
    expect(gray.meta.shape).toEqual({ height: 2, width: 2, channels: 1 });
    expect(gray.meta.classNames).toEqual(['blue', 'red']);
    const expected = [Math.round(0.114 * 255), Math.round(0.299 * 255)]; // blue 29, red 76
    for (const set of [gray.train, gray.test]) {
      for (let i = 0; i < set.count; i++) expect([...set.images.subarray(4 * i, 4 * i + 4)]).toEqual(new Array(4).fill(expected[set.labels[i]!]));
    }
  });

  it('rejects an image that fails to decode, naming the file', async () => {
    const files = petFiles();
    const broken = solidPng(3).slice();
    broken[40]! ^= 0xff; // inside IHDR/IDAT: the CRC no longer matches
    files[3] = blobFileOf('pets/cat/3.png', broken);
    await expect(importImageFolder(files, { decodeImage: pngTestDecoder })).rejects.toThrow(/^pets\/cat\/3.png: could not be decoded as PNG \(bad CRC in/);
  });

  it('rejects a file that is not the image its name says', async () => {
    const files = petFiles();
    files[7] = blobFileOf('pets/dog/2.png', new TextEncoder().encode('<html>not an image</html>'));
    await expect(importImageFolder(files, { decodeImage: pngTestDecoder })).rejects.toThrow('pets/dog/2.png (byte offset 0): not a PNG, JPEG or WebP image (starts with bytes 3c 68 74 6d 6c 3e 6e 6f)');
    files[7] = blobFileOf('pets/dog/2.png', new Uint8Array(0));
    await expect(importImageFolder(files, { decodeImage: pngTestDecoder })).rejects.toThrow(/pets\/dog\/2.png \(byte offset 0\): not a PNG, JPEG or WebP image \(empty file\)/);
  });

  it('rejects a decoder that returns the wrong number of bytes', async () => {
    const short: ImageDecoder = async () => new Uint8Array(5);
    await expect(importImageFolder(petFiles(), { decodeImage: short, side: 2 })).rejects.toThrow(/decoder returned 5 bytes, expected 2×2×3 = 12/);
  });

  it('reports decoding progress and stops when aborted', async () => {
    const progress: ImportProgress[] = [];
    const controller = new AbortController();
    let decoded = 0;
    const slow: ImageDecoder = async (input, target) => {
      decoded++;
      if (decoded === 20) controller.abort();
      return pngTestDecoder(input, target);
    };
    const many = Array.from({ length: 60 }, (_, i) => blobFileOf(`x/${i % 2 ? 'odd' : 'even'}/${i}.png`, solidPng(i)));
    await expect(importImageFolder(many, { decodeImage: slow, concurrency: 2 }, { signal: controller.signal, onProgress: (p) => progress.push(p) })).rejects.toThrow(/abort/i);
    expect(decoded).toBeLessThan(60);
    expect(progress.some((p) => p.phase === 'decoding' && p.total === 60)).toBe(true);
  });

  it('imports a .zip of class folders through the single entry point', async () => {
    const zip = zipSync({ 'shapes/': new Uint8Array(0), 'shapes/round/a.png': solidPng(1), 'shapes/round/b.png': solidPng(2), 'shapes/square/c.png': solidPng(3), 'shapes/square/d.png': solidPng(4) });
    const dataset = await importDatasetFromFiles([fileOf('shapes.zip', zip)], { decodeImage: pngTestDecoder, side: 2, testFraction: 0.5 });
    expect(dataset.meta.classNames).toEqual(['round', 'square']);
    expect(dataset.meta.counts).toEqual({ train: 2, test: 2 });
  });

  it('sniffs image types by signature', () => {
    expect(sniffImageType(solidPng(1))).toBe('png');
    expect(sniffImageType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImageType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffImageType(patternBytes(16, 3))).toBeUndefined();
  });
});
