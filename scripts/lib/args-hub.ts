/** `npm run hub`: usage text and arguments (the parser is args.ts). */
import { ArgError, parseIntIn, splitFlags, text } from './args';

export const HUB_USAGE = `Usage: npm run hub -- [--host <address>] [--port <n>] [--data <dir>]

Serves the built app and the sync endpoint for searches shared across machines, on one port.

  --host <address>  where to listen (default 127.0.0.1: this machine only; 0.0.0.0 serves the LAN)
  --port <n>        the port (default 4180)
  --data <dir>      where the shared searches persist, with the imported datasets
                    they train on (default .hub-data)
  --help            this text

Anyone who can reach the port and has a search's link joins that search: the link's token is
the only key. Use it on networks you trust.`;

export interface HubArgs {
  readonly help: false;
  readonly host: string;
  readonly port: number;
  readonly data: string;
}

const HOST = /^(\d{1,3}(\.\d{1,3}){3}|localhost|[a-z0-9.-]{1,253}|::1?|\[[0-9a-f:]+\])$/i;

export function parseHubArgs(argv: readonly string[]): HubArgs | { help: true } {
  const raw = splitFlags(argv, { host: 'string', port: 'string', data: 'string', help: 'boolean' }, { h: 'help' });
  if (raw.help) return { help: true };
  const host = text(raw, 'host') ?? '127.0.0.1';
  if (!HOST.test(host)) throw new ArgError(`--host ${JSON.stringify(host)}: expected an address such as 127.0.0.1 or 0.0.0.0`);
  const portText = text(raw, 'port');
  return { help: false, host, port: portText === undefined ? 4180 : parseIntIn(portText, '--port', 1, 65535), data: text(raw, 'data') ?? '.hub-data' };
}
