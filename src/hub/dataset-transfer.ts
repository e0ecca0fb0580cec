/**
 * An imported dataset's trip through the hub (issue 17): the sharing machine uploads it as one
 * package (src/search/dataset-package.ts) after its user agrees; a joining machine downloads it,
 * again after its user agrees, and keeps it only once it checks out whole. The hub's side is
 * scripts/lib/hub-datasets.ts.
 */
import { importedDatasetId, type ImageDataset } from '../data';
import { datasetPath } from './protocol';
import { decodeDatasetPackage, encodeDatasetPackage, MAX_PACKAGE_BYTES } from '../search/dataset-package';

/** What the shared document says of an imported dataset: enough to ask, and to check the copy. */
export interface SharedDataset {
  readonly name: string;
  readonly bytes: number;
  readonly checksum: string;
}

/** `<base>hub/<token>/dataset`. */
export function datasetUrl(base: string, token: string): string {
  return `${base}${datasetPath(token)}`;
}

/** The hub's reason, short and as text (never markup). */
async function reason(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  return `${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
}

/** Uploads `dataset`; returns what a joining machine is told of it. */
export async function uploadDataset(url: string, dataset: ImageDataset): Promise<SharedDataset> {
  const body = new Blob(encodeDatasetPackage(dataset) as BlobPart[]);
  if (body.size > MAX_PACKAGE_BYTES) throw new Error(`dataset "${dataset.meta.name}" is ${body.size} bytes, over the ${MAX_PACKAGE_BYTES} a hub takes`);
  const response = await fetch(url, { method: 'PUT', body, headers: { 'Content-Type': 'application/octet-stream' } });
  if (!response.ok) throw new Error(`the hub did not keep dataset "${dataset.meta.name}" (${await reason(response)})`);
  return { name: dataset.meta.name, bytes: body.size, checksum: dataset.meta.checksum };
}

/**
 * Downloads the dataset `expected` describes, reading no more than it says (and never more than
 * MAX_PACKAGE_BYTES), and checks it through: the package, the id the search names, the checksum
 * the document states. `onProgress` gets the bytes read so far.
 */
export async function downloadDataset(url: string, datasetId: string, expected: SharedDataset, onProgress?: (bytes: number) => void): Promise<ImageDataset> {
  const where = `dataset "${expected.name}" from the hub`;
  // An imported dataset's id is its checksum's prefix: a shipped dataset (or another import) can never be replaced.
  if (datasetId !== importedDatasetId(expected.checksum)) throw new Error(`${where}: the shared search names it ${datasetId}, not the id of an imported dataset with its checksum (${importedDatasetId(expected.checksum)})`);
  if (!Number.isInteger(expected.bytes) || expected.bytes <= 0 || expected.bytes > MAX_PACKAGE_BYTES) throw new Error(`${where}: the shared search says it is ${expected.bytes} bytes (at most ${MAX_PACKAGE_BYTES} are taken)`);
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok || !response.body) throw new Error(`${where}: the hub answered ${await reason(response)}`);
  const declared = Number(response.headers.get('content-length') ?? expected.bytes);
  if (declared !== expected.bytes) throw new Error(`${where}: the hub offers ${declared} bytes, the shared search says ${expected.bytes}`);
  const bytes = new Uint8Array(expected.bytes);
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.length > bytes.length) {
      await reader.cancel();
      throw new Error(`${where}: more than the ${expected.bytes} bytes the shared search says arrived`);
    }
    bytes.set(value, received);
    received += value.length;
    onProgress?.(received);
  }
  if (received !== bytes.length) throw new Error(`${where}: ${received} of ${bytes.length} bytes arrived`);
  const dataset = await decodeDatasetPackage(bytes, where);
  if (dataset.meta.id !== datasetId) throw new Error(`${where}: it is dataset ${dataset.meta.id}, the search trains on ${datasetId}`);
  if (dataset.meta.checksum !== expected.checksum) throw new Error(`${where}: its checksum ${dataset.meta.checksum} is not the one the shared search states (${expected.checksum})`);
  return dataset;
}
