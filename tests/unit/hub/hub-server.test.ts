/**
 * The hub process's pieces (issue 17) with real clients: y-websocket providers over real
 * sockets, documents persisted with y-leveldb in a temporary directory, the app's files served.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { startHub, type Hub } from '../../../scripts/lib/hub-server';

const TOKEN = 'tok_0123456789abcdefghijkl';
const dirs: string[] = [];
const hubs: Hub[] = [];
const providers: WebsocketProvider[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'metaqnn-hub-'));
  dirs.push(dir);
  return dir;
}

function app(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
  mkdirSync(join(dir, 'lab'));
  writeFileSync(join(dir, 'lab', 'x.csv'), 'a,b\n');
  return dir;
}

async function hubOn(dataDir: string, port = 0): Promise<Hub> {
  const hub = await startHub({ staticDir: app(), dataDir, port });
  hubs.push(hub);
  return hub;
}

function connect(hub: Hub, room = TOKEN): { doc: Y.Doc; provider: WebsocketProvider } {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`ws://127.0.0.1:${hub.port}/hub`, room, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true });
  providers.push(provider);
  return { doc, provider };
}

const synced = (provider: WebsocketProvider) =>
  new Promise<void>((resolve) => (provider.synced ? resolve() : provider.once('sync', (s: boolean) => s && resolve())));

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterEach(async () => {
  for (const p of providers.splice(0)) p.destroy();
  for (const h of hubs.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the hub', () => {
  it('syncs one document between two clients of a room, and persists it across a restart', async () => {
    const data = tempDir();
    const hub = await hubOn(data);
    const a = connect(hub);
    const b = connect(hub);
    await Promise.all([synced(a.provider), synced(b.provider)]);
    a.doc.getMap('jobs').set('[C(8,3,1), SM(10)]', { queuedAt: 1 });
    await until(() => b.doc.getMap('jobs').has('[C(8,3,1), SM(10)]'));
    expect(hub.traffic.messagesIn).toBeGreaterThan(0);
    expect(hub.traffic.bytesOut).toBeGreaterThan(0);

    // Killed and started again on the same directory: a new client gets everything.
    for (const p of providers.splice(0)) p.destroy();
    await hubs.pop()!.close();
    const again = await hubOn(data);
    const c = connect(again);
    await synced(c.provider);
    await until(() => c.doc.getMap('jobs').has('[C(8,3,1), SM(10)]'));
    expect(c.doc.getMap('jobs').get('[C(8,3,1), SM(10)]')).toEqual({ queuedAt: 1 });
  });

  it('keeps rooms apart and refuses a room that is not a token', async () => {
    const hub = await hubOn(tempDir());
    const a = connect(hub);
    const other = connect(hub, 'other_0123456789abcdefghij');
    await Promise.all([synced(a.provider), synced(other.provider)]);
    a.doc.getMap('m').set('x', 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(other.doc.getMap('m').has('x')).toBe(false);

    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/hub/short`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(404);
    expect(hub.traffic.refused).toBe(1);
  });

  it('closes a connection that sends a message over the limit', async () => {
    const hub = await hubOn(tempDir());
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/hub/${TOKEN}`);
      ws.on('open', () => ws.send(new Uint8Array(8 * 1024 * 1024 + 1)));
      ws.on('close', (c) => resolve(c));
      ws.on('error', () => undefined);
    });
    expect(code).toBe(1009);
    await until(() => hub.traffic.refused === 1);
  });

  it('serves the app’s files and nothing outside them', async () => {
    const hub = await hubOn(tempDir());
    const index = await fetch(hub.url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>app</title>');
    expect((await fetch(`${hub.url}lab/x.csv`)).headers.get('content-type')).toContain('text/csv');
    expect((await fetch(`${hub.url}missing.js`)).status).toBe(404);
    // An encoded slash is no separator to the URL parser, but would be one on disk.
    const status = await new Promise<number>((resolve) => get({ host: '127.0.0.1', port: hub.port, path: '/lab%2f..%2f..%2f..%2fetc%2fpasswd' }, (res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
    expect((await fetch(hub.url, { method: 'POST' })).status).toBe(405);
    const stats = (await (await fetch(`${hub.url}hub/stats`)).json()) as { rooms: number };
    expect(stats.rooms).toBe(0);
  });
});
