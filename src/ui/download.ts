/** Saving files the app makes (exports, models) through the browser's download. */

/** Starts a download of `data` as `fileName`. */
export function downloadFile(fileName: string, data: string | ArrayBuffer | Uint8Array<ArrayBuffer>, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL by now; revoking later frees the Blob.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** "MNIST (10,000-digit subset) · tiny · seed 1" → "mnist-10000-digit-subset-tiny-seed-1". */
export function fileStem(text: string): string {
  const stem = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return stem || 'metaqnn';
}
