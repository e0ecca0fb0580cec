/**
 * The hub (issue 17): one Node process that serves the built app and a y-websocket endpoint,
 * so browsers on several machines meet in one Yjs document per shared search. The sync is
 * Yjs's own server code (`@y/websocket-server`'s setupWSConnection); the documents persist
 * with `y-leveldb` under the data directory, so a restart loses nothing.
 *
 * What it checks, as every outside input: a room is `/hub/<token>` where the token is
 * 22–64 URL-safe characters (an unguessable key: whoever has it joins, nothing else is
 * asked); a websocket message over MAX_MESSAGE_BYTES closes that connection; at most MAX_ROOMS
 * documents; static paths stay inside dist/. It binds 127.0.0.1 unless told otherwise.
 * A search on an imported dataset also keeps that dataset here (hub-datasets.ts).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { docs, setPersistence, setupWSConnection } from '@y/websocket-server/utils';
import { WebSocketServer, type WebSocket } from 'ws';
import { LeveldbPersistence } from 'y-leveldb';
import * as Y from 'yjs';
import { datasetToken, HUB_PATH as HUB, MAX_MESSAGE_BYTES, TOKEN as ROOM_TOKEN } from '../../src/hub/protocol';
import { hubDatasets } from './hub-datasets';

/** The hub serves the app at its root. */
export const HUB_PATH = `/${HUB}`;
export const MAX_ROOMS = 1000;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

export interface HubOptions {
  /** The built app (dist/). */
  readonly staticDir: string;
  /** Where documents persist (a LevelDB directory). */
  readonly dataDir: string;
  readonly host?: string;
  readonly port?: number;
  /** All imported datasets kept together (hub-datasets.ts's MAX_TOTAL_DATASET_BYTES unless given). */
  readonly maxDatasetBytes?: number;
}

/** Traffic through the sync endpoint since the hub started. */
export interface HubTraffic {
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
  /** Connections closed for a message over the limit, or refused (bad room, too many rooms). */
  refused: number;
}

export interface Hub {
  readonly url: string;
  readonly port: number;
  readonly traffic: HubTraffic;
  /** The addresses to share: the URL, or each LAN address when bound to 0.0.0.0. */
  readonly shareUrls: readonly string[];
  close(): Promise<void>;
}

export async function startHub(options: HubOptions): Promise<Hub> {
  const host = options.host ?? '127.0.0.1';
  const staticDir = resolve(options.staticDir);
  const ldb = new LeveldbPersistence(resolve(options.dataDir));
  const traffic: HubTraffic = { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0, refused: 0 };
  // Writes under way: close() waits for them, so a stop loses nothing a client sent.
  const writing = new Set<Promise<unknown>>();
  const store = (name: string, update: Uint8Array): void => {
    const write = ldb.storeUpdate(name, update).finally(() => writing.delete(write));
    writing.add(write);
  };
  // y-websocket-server's own persistence hook, as its YPERSISTENCE mode does it: the stored
  // document is merged into the new one, and every update after that is appended.
  setPersistence({
    provider: ldb,
    bindState: async (name: string, doc: Y.Doc) => {
      const stored = await ldb.getYDoc(name);
      // From here to the listener nothing awaits: every update after this line is stored.
      store(name, Y.encodeStateAsUpdate(doc));
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(stored));
      doc.on('update', (update: Uint8Array) => store(name, update));
    },
    writeState: async () => {},
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const datasets = hubDatasets(resolve(options.dataDir), options.maxDatasetBytes);
  const server: Server = createServer((request, response) => {
    const token = datasetToken(new URL(request.url ?? '/', 'http://hub').pathname.slice(1));
    if (token !== null) void datasets.handle(token, request, response);
    else void serveStatic(staticDir, request, response, traffic);
  });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://hub');
    const room = url.pathname.startsWith(HUB_PATH) ? url.pathname.slice(HUB_PATH.length) : '';
    if (!ROOM_TOKEN.test(room) || (!docs.has(room) && docs.size >= MAX_ROOMS)) {
      traffic.refused++;
      socket.end(`HTTP/1.1 ${ROOM_TOKEN.test(room) ? 503 : 404} Refused\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      count(ws, traffic);
      setupWSConnection(ws, request, { docName: room, gc: true });
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/`;
  return {
    url,
    port,
    traffic,
    shareUrls: host === '0.0.0.0' ? lanAddresses().map((ip) => `http://${ip}:${port}/`) : [url],
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((done) => wss.close(() => done()));
      await new Promise<void>((done) => server.close(() => done()));
      for (const [name, doc] of docs) {
        doc.destroy();
        docs.delete(name);
      }
      await Promise.allSettled([...writing]);
      await ldb.destroy();
    },
  };
}

/** Counts every message in and out, and the connections closed for one over the limit. */
function count(ws: WebSocket, traffic: HubTraffic): void {
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    traffic.messagesIn++;
    traffic.bytesIn += Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
  });
  // ws closes a connection whose message is over maxPayload (code 1009) and reports it here.
  ws.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') traffic.refused++;
  });
  const send = ws.send.bind(ws);
  ws.send = ((data: Uint8Array, ...rest: unknown[]) => {
    traffic.messagesOut++;
    traffic.bytesOut += data.byteLength;
    return (send as (...args: unknown[]) => void)(data, ...rest);
  }) as typeof ws.send;
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse, traffic: HubTraffic): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(request.url ?? '/', 'http://hub');
  if (url.pathname === `${HUB_PATH}stats`) {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ ...traffic, rooms: docs.size }));
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    response.writeHead(400).end('bad path');
    return;
  }
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (file !== root && !file.startsWith(root + sep)) {
    response.writeHead(403).end('outside the app');
    return;
  }
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  response.writeHead(200, {
    'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': file.endsWith('index.html') || file.endsWith('sw.js') ? 'no-cache' : 'public, max-age=3600',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  // A file gone between stat and read (a rebuild of dist/) ends this response, not the hub.
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}

function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out.length > 0 ? out : ['127.0.0.1'];
}
