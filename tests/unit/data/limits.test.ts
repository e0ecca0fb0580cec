/** Every dataset import limit of src/data/limits.ts: each refusal names the file, the limit and the value found. */
import { deflateSync, gzipSync, zipSync } from 'fflate';
import { createTar } from 'nanotar';
import { describe, expect, it } from 'vitest';
import { expandArchives } from '../../../src/data/archives';
import { gunzipFile } from '../../../src/data/compression';
import { importImageFolder, planImageFolder, type ImageDecoder } from '../../../src/data/image-folder';
import { imageSize } from '../../../src/data/image-size';
import { importDatasetFromFiles } from '../../../src/data/import-dataset';
import {
  ARCHIVE_MAX_ENTRIES,
  ARCHIVE_MAX_NAME_CHARS,
  DATASET_FILE_MAX_BYTES,
  DATASET_MAX_UNPACKED_BYTES,
  DatasetLimitError,
  IMAGE_FOLDER_MAX_FILES,
  IMAGE_MAX_PIXELS,
  IMAGE_MAX_SIDE,
} from '../../../src/data/limits';
import { DatasetImportError } from '../../../src/data/errors';
import { craftZip } from './crafted-zip';
import { encodePng, fileOf, matFile, matMatrix, MI, MX, patternBytes, pngTestDecoder } from './fixtures';
import { readMatV5 } from '../../../src/data/mat-v5';

async function refusal(run: () => Promise<unknown>): Promise<DatasetLimitError> {
  const error = await run().then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetLimitError);
  return error as DatasetLimitError;
}

/** A Blob that says it is `size` bytes and fails the test if anything reads it. */
function unreadable(size: number): Blob {
  const fail = () => {
    throw new Error('the file was read');
  };
  return { size, arrayBuffer: fail, slice: fail, stream: fail, text: fail } as unknown as Blob;
}

/** A PNG header (signature + IHDR) stating width × height; no pixel data. */
function pngHeader(width: number, height: number): Uint8Array {
  const png = encodePng(1, 1, 1, new Uint8Array(1));
  const out = png.slice();
  new DataView(out.buffer).setUint32(16, width);
  new DataView(out.buffer).setUint32(20, height);
  return out;
}

const neverDecode: ImageDecoder = async () => {
  throw new Error('the decoder was called');
};

describe('dataset import limits', () => {
  it('refuses a file over the size limit before reading any of it', async () => {
    const error = await refusal(() =>
      importDatasetFromFiles([{ name: 'train_32x32.mat', path: 'train_32x32.mat', file: unreadable(DATASET_FILE_MAX_BYTES + 1) }]),
    );
    expect(error).toMatchObject({ file: 'train_32x32.mat', what: 'the file', limit: DATASET_FILE_MAX_BYTES, found: DATASET_FILE_MAX_BYTES + 1 });
    expect(error.message).toBe(
      `train_32x32.mat: the file is ${(DATASET_FILE_MAX_BYTES + 1).toLocaleString('en-US')} bytes, over the limit of ${DATASET_FILE_MAX_BYTES.toLocaleString('en-US')} bytes`,
    );
  });

  it('stops inflating gzip data at the unpacked limit, counting what really comes out', async () => {
    const bomb = gzipSync(new Uint8Array(64 << 20)); // 64 MiB of zeros in ~64 KB
    // The real limit, with the budget already nearly spent by earlier archives of the import.
    const error = await refusal(() => expandArchives([fileOf('zeros.gz', bomb)], {}, 0, { bytes: DATASET_MAX_UNPACKED_BYTES - (1 << 20) }));
    expect(error).toMatchObject({ file: 'zeros.gz', what: 'what it unpacks to', limit: 1 << 20 });
    expect(error.found).toBeGreaterThan(1 << 20);
    // Checked as output comes, in pieces of at most 16 KiB of input (~16.5 MB of output).
    expect(error.found).toBeLessThanOrEqual((1 << 20) + (16 << 10) * 1032);
    // A lying gzip trailer (ISIZE says 10 bytes) changes nothing: the count is of real output.
    const lying = bomb.slice();
    new DataView(lying.buffer).setUint32(lying.length - 4, 10, true);
    await refusal(() => gunzipFile('lying.gz', lying, {}, 1 << 20));
    // Within the limit it inflates as before.
    expect((await gunzipFile('zeros.gz', bomb, {}, 64 << 20)).length).toBe(64 << 20);
  });

  it('refuses a zip whose declared sizes pass the unpacked limit before inflating', async () => {
    const zip = zipSync({ 'a/1.png': new Uint8Array(100), 'b/1.png': new Uint8Array(100) });
    const error = await refusal(() => expandArchives([fileOf('pets.zip', zip)], {}, 0, { bytes: DATASET_MAX_UNPACKED_BYTES - 150 }));
    expect(error).toMatchObject({ file: 'pets.zip', limit: DATASET_MAX_UNPACKED_BYTES, found: DATASET_MAX_UNPACKED_BYTES + 50 });
  });

  it('refuses a stored zip entry whose data is larger than its declared unpacked size, copying nothing', async () => {
    // fflate copies a stored entry's compressed size; 200 records declaring 1 byte each once
    // made a 1 MiB zip hold 200 MiB while the budget counted 200 bytes.
    const data = patternBytes(1 << 20, 7);
    const records = Array.from({ length: 200 }, (_, i) => ({ name: `a/${i}.png`, entry: 0, originalSize: 1 }));
    const zip = craftZip([{ name: 'a/0.png', data }], records);
    const error = await expandArchives([fileOf('bomb.zip', zip)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetImportError);
    expect((error as Error).message).toBe(
      'bomb.zip: entry a/0.png is stored uncompressed as 1,048,576 bytes but declares 1 byte unpacked; a stored entry\'s two sizes must be equal',
    );
  });

  it('refuses zip entries whose data overlap (their sizes add up to more than the file)', async () => {
    const data = patternBytes(1 << 20, 8);
    const records = Array.from({ length: 200 }, (_, i) => ({ name: `a/${i}.png`, entry: 0 }));
    const zip = craftZip([{ name: 'a/0.png', data }], records);
    const error = await expandArchives([fileOf('bomb.zip', zip)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetImportError);
    expect((error as Error).message).toBe(
      `bomb.zip: entry a/1.png shares its data with another entry: the entries' compressed sizes add up to 2,097,152 bytes in a ${zip.length.toLocaleString('en-US')}-byte file`,
    );
  });

  it('counts the larger of an entry\'s compressed and unpacked sizes against the unpacked limit', async () => {
    const data = deflateSync(patternBytes(1000, 9));
    expect(data.length).toBeGreaterThan(1000);
    const zip = craftZip([{ name: 'a/0.png', data, method: 8, originalSize: 1 }]);
    const error = await refusal(() => expandArchives([fileOf('odd.zip', zip)], {}, 0, { bytes: DATASET_MAX_UNPACKED_BYTES - 500 }));
    expect(error).toMatchObject({ file: 'odd.zip', limit: DATASET_MAX_UNPACKED_BYTES, found: DATASET_MAX_UNPACKED_BYTES - 500 + data.length });
  });

  it('reads a zip written by the crafting helper when it is honest (the refusals above are not the helper\'s doing)', async () => {
    const stored = patternBytes(300, 10);
    const zip = craftZip([
      { name: 'a/0.png', data: stored },
      { name: 'b/0.png', data: deflateSync(stored), method: 8, originalSize: 300 },
    ]);
    const out = await expandArchives([fileOf('ok.zip', zip)]);
    expect(out.map((f) => [f.path, f.bytes])).toEqual([
      ['a/0.png', stored],
      ['b/0.png', stored],
    ]);
  });

  it('counts every compressed element of a .mat file against one unpacked budget', async () => {
    const MiB = 1 << 20;
    const variable = (name: string) => ({ name, mxClass: MX.UINT8, dims: [MiB, 1], storage: MI.UINT8, values: new Uint8Array(MiB) });
    const mat = matFile([variable('a'), variable('b')], { compress: true });
    expect(mat.length).toBeLessThan(MiB / 100); // two 1 MiB variables of zeros in a few KB
    // 1.5 MiB left: the first element (1 MiB and its headers) fits, the second does not.
    const unpacked = { bytes: DATASET_MAX_UNPACKED_BYTES - 1.5 * MiB };
    const error = await refusal(() => readMatV5('bomb.mat', mat, {}, unpacked));
    const element = matMatrix(variable('a')).length;
    // The second element may use what the first left of the 1.5 MiB.
    expect(error).toMatchObject({ file: 'bomb.mat', what: 'what it unpacks to', limit: 1.5 * MiB - element });
    expect(error.found).toBeGreaterThan(1.5 * MiB - element);
    // Within the budget both are read, and the budget counts what they unpacked to.
    const enough = { bytes: DATASET_MAX_UNPACKED_BYTES - 3 * MiB };
    expect([...(await readMatV5('ok.mat', mat, {}, enough)).variables.keys()]).toEqual(['a', 'b']);
    expect(enough.bytes).toBe(DATASET_MAX_UNPACKED_BYTES - 3 * MiB + 2 * element);
  });

  it('refuses a tar with more entries than the limit', async () => {
    // (A zip without zip64 holds at most 65,535 entries; the same filter counts them.)
    const tar = createTar(Array.from({ length: ARCHIVE_MAX_ENTRIES + 1 }, (_, i) => ({ name: `c/${i}` })));
    const error = await refusal(() => expandArchives([fileOf('many.tar', tar)]));
    expect(error).toMatchObject({ file: 'many.tar', what: 'its number of entries', limit: ARCHIVE_MAX_ENTRIES, found: ARCHIVE_MAX_ENTRIES + 1 });
  }, 60_000);

  it('refuses an entry name over the limit and quotes only its ends', async () => {
    const name = `cat/${'n'.repeat(60_000)}.png`;
    const error = await refusal(() => expandArchives([fileOf('long.zip', zipSync({ [name]: new Uint8Array(1) }))]));
    expect(error).toMatchObject({ file: 'long.zip', limit: ARCHIVE_MAX_NAME_CHARS, found: name.length });
    expect(error.message.length).toBeLessThan(400);
  });

  it('refuses an image folder with more images than the limit, reading none', () => {
    const inputs = Array.from({ length: IMAGE_FOLDER_MAX_FILES + 1 }, (_, i) => ({ name: `${i}.png`, path: `pets/${i % 2 ? 'cat' : 'dog'}/${i}.png`, file: unreadable(10) }));
    let error: unknown;
    try {
      planImageFolder(inputs);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetLimitError);
    expect(error).toMatchObject({ file: 'pets', what: 'its number of images', limit: IMAGE_FOLDER_MAX_FILES, found: IMAGE_FOLDER_MAX_FILES + 1 });
  });

  it('refuses an image whose header states too many pixels before decoding it', async () => {
    const good = encodePng(2, 2, 3, patternBytes(12, 1));
    const files = (big: Uint8Array) => [fileOf('pets/cat/1.png', good), fileOf('pets/dog/1.png', good), fileOf('pets/dog/huge.png', big)];
    const side = Math.ceil(Math.sqrt(IMAGE_MAX_PIXELS)) + 1;
    const pixels = await refusal(() => importImageFolder(files(pngHeader(side, side)), { decodeImage: neverDecode }));
    expect(pixels).toMatchObject({ file: 'pets/dog/huge.png', what: 'its size', limit: IMAGE_MAX_PIXELS, found: side * side });
    const wide = await refusal(() => importImageFolder(files(pngHeader(IMAGE_MAX_SIDE + 1, 1)), { decodeImage: neverDecode }));
    expect(wide).toMatchObject({ what: 'its width', limit: IMAGE_MAX_SIDE, found: IMAGE_MAX_SIDE + 1 });
  });
});

describe('an image whose size cannot be read from its header is refused before decoding', () => {
  const good = encodePng(2, 2, 3, patternBytes(12, 1));
  const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
  /** A JPEG start, `count` APP1 segments of 65,535 bytes (EXIF-sized), then a SOF0 of 600×300 and padding. */
  const jpeg = (count: number) => {
    const app1 = new Uint8Array(2 + 65_535);
    app1.set([0xff, 0xe1, 0xff, 0xff]);
    const sof0 = [0xff, 0xc0, 0x00, 0x11, 8, 0x01, 0x2c, 0x02, 0x58, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const out = new Uint8Array(2 + count * app1.length + sof0.length + 16);
    out.set([0xff, 0xd8]);
    for (let i = 0; i < count; i++) out.set(app1, 2 + i * app1.length);
    out.set(sof0, 2 + count * app1.length);
    return out;
  };
  const cases: [string, string, Uint8Array, string][] = [
    ['a JPEG whose frame marker lies past the first 512 KiB', 'big.jpg', jpeg(9), 'no frame (SOF) marker in its first 524,288 bytes'],
    ['a JPEG with a malformed marker', 'bad.jpg', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0x12, 0x34, ...new Array(40).fill(0)]), 'a malformed JPEG marker at byte 8'],
    ['a WebP whose first chunk is not an image chunk', 'odd.webp', Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBPALPH'), ...new Array(30).fill(0)]), 'its first chunk is "ALPH", not VP8, VP8L or VP8X'],
    ['a WebP with an unprintable chunk name', 'odd2.webp', Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBP'), 0, 1, 0x7f, 0x41, ...new Array(30).fill(0)]), 'its first chunk is "???A", not VP8, VP8L or VP8X'],
    ['a PNG cut before its IHDR chunk', 'cut.png', good.slice(0, 20), 'the file ends before its IHDR chunk'],
    ['a PNG whose first chunk is not IHDR', 'noihdr.png', Uint8Array.from([...good.slice(0, 12), ...ascii('IDAT'), ...good.slice(16, 40)]), 'its first chunk is "IDAT", not IHDR'],
  ];
  it.each(cases)('%s', async (_, name, bytes, problem) => {
    const files = [fileOf('pets/cat/1.png', good), fileOf('pets/dog/1.png', good), fileOf(`pets/dog/${name}`, bytes)];
    // The good images decode; the bad one must never reach the decoder.
    const decodeImage: ImageDecoder = async (image, target) => {
      if (image.path.endsWith(name)) throw new Error('the decoder was called');
      return pngTestDecoder(image, target);
    };
    const error = await importImageFolder(files, { decodeImage }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetImportError);
    expect((error as Error).message).toBe(
      `pets/dog/${name}: its size could not be read from its header (${problem}), so it cannot be checked against the limits of ` +
        `${IMAGE_MAX_SIDE.toLocaleString('en-US')} pixels a side and ${IMAGE_MAX_PIXELS.toLocaleString('en-US')} pixels before decoding`,
    );
  });

  it('still reads a JPEG whose frame marker lies inside the first 512 KiB (after 7 EXIF-sized segments)', async () => {
    expect(imageSize(jpeg(7), 'jpeg')).toEqual({ width: 600, height: 300 });
  });
});

describe('imageSize reads the size from each format\'s header', () => {
  it('PNG (IHDR)', () => {
    expect(imageSize(encodePng(7, 5, 3, new Uint8Array(105)), 'png')).toEqual({ width: 7, height: 5 });
  });

  it('JPEG (the first SOF after other segments)', () => {
    const app0 = [0xff, 0xe0, 0x00, 0x06, 1, 2, 3, 4];
    const sof0 = [0xff, 0xc0, 0x00, 0x11, 8, 0x01, 0x2c, 0x02, 0x58, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(imageSize(Uint8Array.from([0xff, 0xd8, ...app0, ...sof0]), 'jpeg')).toEqual({ width: 600, height: 300 });
    // Cut before the SOF: not known (the caller reads more).
    expect(imageSize(Uint8Array.from([0xff, 0xd8, ...app0]), 'jpeg')).toBeUndefined();
  });

  it('WebP (VP8X, VP8L and VP8)', () => {
    const riff = (chunk: string, body: number[]) =>
      Uint8Array.from([...'RIFF'].map((c) => c.charCodeAt(0)).concat([0, 0, 0, 0], [...`WEBP${chunk}`].map((c) => c.charCodeAt(0)), [0, 0, 0, 0], body, new Array(16).fill(0)));
    // VP8X: flags(4) then width-1 and height-1, 24 bits each.
    expect(imageSize(riff('VP8X', [0, 0, 0, 0, 0x1f, 0x4e, 0x00, 0x0f, 0x27, 0x00]), 'webp')).toEqual({ width: 20000, height: 10000 });
    // VP8L: signature 0x2f, then 14 bits width-1, 14 bits height-1.
    const bits = 99 + (49 << 14);
    expect(imageSize(riff('VP8L', [0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff]), 'webp')).toEqual({ width: 100, height: 50 });
    // VP8: frame tag (3), start code (3), then 14-bit width and height.
    expect(imageSize(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]), 'webp')).toEqual({ width: 320, height: 240 });
  });
});
