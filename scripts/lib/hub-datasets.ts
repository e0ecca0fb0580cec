/**
 * The hub's copies of imported datasets (issue 17): the machine that shares a search on a
 * dataset it imported uploads it once (after its user agrees), and machines that join fetch it.
 *
 *   PUT  /hub/<token>/dataset   the package (src/search/dataset-package.ts), at most MAX_PACKAGE_BYTES
 *   GET  /hub/<token>/dataset   the package as stored (HEAD: its size)
 *
 * An upload is streamed to a temporary file, counted as it arrives (over the limit: 413 and
 * the file is gone), then checked: its structure, and its content checksum against the one its
 * description states. Only then is it renamed into place, so a reader never sees half a file.
 * The first dataset kept for a token stays: the same one again is accepted, another is refused
 * (409). All datasets together stay under `maxTotalBytes` (507 past it).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MAX_HEADER_BYTES, MAX_PACKAGE_BYTES, PACKAGE_PARTS, PREFIX_BYTES, headerLength, packageChecksum, readPackageHeader, type PackageHeader } from '../../src/search/dataset-package';

/** All packages on one hub: a few large imports, not a store for everything. */
export const MAX_TOTAL_DATASET_BYTES = 8 * 1024 * 1024 * 1024;

export interface HubDatasets {
  /** Handles `PUT|GET|HEAD /hub/<token>/dataset`. */
  handle(token: string, request: IncomingMessage, response: ServerResponse): Promise<void>;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function hubDatasets(dataDir: string, maxTotalBytes = MAX_TOTAL_DATASET_BYTES, maxBytes = MAX_PACKAGE_BYTES): HubDatasets {
  const dir = join(dataDir, 'datasets');
  const pathOf = (token: string) => join(dir, `${token}.bin`);
  // One upload per token at a time (a second waits its turn and then finds the first kept).
  const busy = new Map<string, Promise<unknown>>();

  async function totalBytes(): Promise<number> {
    let total = 0;
    for (const name of await readdir(dir).catch(() => [] as string[])) total += (await stat(join(dir, name)).catch(() => null))?.size ?? 0;
    return total;
  }

  async function upload(token: string, request: IncomingMessage): Promise<{ status: number; body: string }> {
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (declared > maxBytes) throw new Refused(413, `the dataset is ${declared} bytes, over the hub's limit of ${maxBytes}`);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${token}.${process.pid}.${Date.now()}.part`);
    try {
      let received = 0;
      const counted = async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          received += chunk.length;
          if (received > maxBytes) throw new Refused(413, `the dataset is over the hub's limit of ${maxBytes} bytes`);
          yield chunk;
        }
      };
      await pipeline(request, counted, createWriteStream(temp, { flags: 'wx' }));
      const header = await readHeader(temp, received);
      const checksum = await fileChecksum(temp, header);
      if (checksum !== header.meta.checksum) throw new Refused(422, `the dataset's content checksum ${checksum} does not match its description's ${String(header.meta.checksum)}`);
      const kept = await stat(pathOf(token)).catch(() => null);
      if (kept) {
        const existing = await readHeader(pathOf(token), kept.size);
        if (existing.meta.checksum === checksum) return { status: 200, body: 'already kept' };
        throw new Refused(409, 'another dataset is already kept for this search');
      }
      if ((await totalBytes()) > maxTotalBytes) throw new Refused(507, `the hub keeps at most ${maxTotalBytes} bytes of datasets`);
      await rename(temp, pathOf(token));
      return { status: 201, body: 'kept' };
    } finally {
      await rm(temp, { force: true });
    }
  }

  return {
    async handle(token, request, response) {
      const send = (status: number, body: string) => {
        if (!response.headersSent) response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
        response.end(body);
      };
      try {
        if (request.method === 'PUT') {
          const previous = busy.get(token) ?? Promise.resolve();
          const turn = previous.catch(() => {}).then(() => upload(token, request));
          busy.set(token, turn);
          const { status, body } = await turn.finally(() => busy.get(token) === turn && busy.delete(token));
          send(status, body);
        } else if (request.method === 'GET' || request.method === 'HEAD') {
          const info = await stat(pathOf(token)).catch(() => null);
          if (!info) return send(404, 'no dataset is kept for this search');
          response.writeHead(200, {
            'Content-Type': 'application/octet-stream',
            'Content-Length': info.size,
            'Content-Disposition': 'attachment; filename="dataset.mqnn"',
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
          });
          if (request.method === 'HEAD') return void response.end();
          await pipeline(createReadStream(pathOf(token)), response);
        } else {
          response.writeHead(405, { Allow: 'GET, HEAD, PUT' }).end();
        }
      } catch (error) {
        // The rest of a refused upload is not read: the connection closes after the answer.
        if (error instanceof Refused) {
          response.setHeader('Connection', 'close');
          send(error.status, error.message);
          request.resume();
        } else if (!response.headersSent) {
          send((error as { name?: string }).name === 'DatasetLoadError' ? 422 : 500, (error as Error).message);
        } else {
          response.destroy();
        }
      }
    },
  };
}

/** A stored or uploaded package's header, structure checked (src/search/dataset-package.ts). */
async function readHeader(path: string, totalBytes: number): Promise<PackageHeader> {
  const file = await open(path, 'r');
  try {
    const prefix = Buffer.alloc(PREFIX_BYTES);
    await file.read(prefix, 0, PREFIX_BYTES, 0);
    const length = Math.min(headerLength(prefix, 'the upload'), MAX_HEADER_BYTES);
    const start = Buffer.alloc(PREFIX_BYTES + length);
    await file.read(start, 0, start.length, 0);
    return readPackageHeader(start, totalBytes, 'the upload');
  } finally {
    await file.close();
  }
}

/** The content checksum of a package on disk: each part hashed as it streams. */
async function fileChecksum(path: string, header: PackageHeader): Promise<string> {
  const hashes = {} as Record<(typeof PACKAGE_PARTS)[number], string>;
  let offset = header.dataOffset;
  for (const part of PACKAGE_PARTS) {
    const hash = createHash('sha256');
    const bytes = header.partBytes[part];
    if (bytes > 0) for await (const chunk of createReadStream(path, { start: offset, end: offset + bytes - 1 })) hash.update(chunk as Buffer);
    hashes[part] = hash.digest('hex');
    offset += bytes;
  }
  return packageChecksum(hashes);
}
