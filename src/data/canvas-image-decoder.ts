/**
 * The browser's image decoder for image-folder imports: createImageBitmap decodes PNG,
 * JPEG and WebP and resizes; an OffscreenCanvas hands back the pixels. Runs in a worker or
 * the page; not in Node (the unit tests inject a PNG decoder instead; e2e covers this file).
 */
import { DatasetImportError } from './errors';
import type { DecodeTarget, ImageDecodeInput, ImageDecoder } from './image-folder';

/** ITU-R BT.601 luma weights, the usual RGB → gray conversion. */
const LUMA = [0.299, 0.587, 0.114] as const;

export function createCanvasImageDecoder(): ImageDecoder {
  let canvas: OffscreenCanvas | undefined;
  let context: OffscreenCanvasRenderingContext2D | undefined;

  return async (input: ImageDecodeInput, target: DecodeTarget): Promise<Uint8Array> => {
    const { side, channels, fit } = target;
    let source: ImageBitmap;
    try {
      source = await createImageBitmap(input.blob);
    } catch (error) {
      throw new DatasetImportError(input.path, `could not be decoded as ${input.type.toUpperCase()} (${error instanceof Error ? error.message : String(error)})`);
    }
    let resized: ImageBitmap | undefined;
    try {
      let sx = 0;
      let sy = 0;
      let sw = source.width;
      let sh = source.height;
      if (fit === 'crop') {
        const square = Math.min(sw, sh);
        sx = Math.floor((sw - square) / 2);
        sy = Math.floor((sh - square) / 2);
        sw = sh = square;
      }
      // Resizing in createImageBitmap with 'high' quality filters properly when shrinking
      // large photos; drawImage alone would alias.
      resized = await createImageBitmap(source, sx, sy, sw, sh, { resizeWidth: side, resizeHeight: side, resizeQuality: 'high' });
      if (canvas === undefined || canvas.width !== side) {
        canvas = new OffscreenCanvas(side, side);
        context = canvas.getContext('2d', { willReadFrequently: true }) ?? undefined;
      }
      if (context === undefined) throw new DatasetImportError(input.path, 'this browser offers no 2D OffscreenCanvas to read pixels from');
      // Transparent pixels count as black: the canvas is cleared to opaque black first.
      context.globalCompositeOperation = 'source-over';
      context.fillStyle = '#000';
      context.fillRect(0, 0, side, side);
      // Scaling here too covers browsers that ignore resizeWidth/resizeHeight.
      context.drawImage(resized, 0, 0, side, side);
      const rgba = context.getImageData(0, 0, side, side).data;
      const out = new Uint8Array(side * side * channels);
      for (let p = 0; p < side * side; p++) {
        const r = rgba[4 * p] as number;
        const g = rgba[4 * p + 1] as number;
        const b = rgba[4 * p + 2] as number;
        if (channels === 1) {
          out[p] = Math.round(LUMA[0] * r + LUMA[1] * g + LUMA[2] * b);
        } else {
          out[3 * p] = r;
          out[3 * p + 1] = g;
          out[3 * p + 2] = b;
        }
      }
      return out;
    } finally {
      source.close();
      resized?.close();
    }
  };
}
