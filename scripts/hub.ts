/**
 * `npm run hub`: one process that serves the built app and the sync endpoint of searches
 * shared across machines (issue 17; scripts/lib/hub-server.ts). Builds the app first when
 * dist/ is missing. Prints the address to share; Ctrl-C stops it (the documents are on disk).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgError } from './lib/args';
import { HUB_USAGE, parseHubArgs } from './lib/args-hub';
import { ensureBuilt, RunnerError } from './lib/browser';
import { startHub } from './lib/hub-server';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const args = parseHubArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${HUB_USAGE}\n`);
    return;
  }
  await ensureBuilt(root);
  const hub = await startHub({ staticDir: resolve(root, 'dist'), dataDir: resolve(root, args.data), host: args.host, port: args.port });
  process.stdout.write(
    `MetaQNN hub: ${hub.url} (documents in ${resolve(root, args.data)})\n` +
      (args.host === '127.0.0.1' || args.host === 'localhost'
        ? 'Only this machine can reach it; --host 0.0.0.0 serves your LAN.\n'
        : `Share: ${hub.shareUrls.join(' or ')}\n`),
  );
  const stop = () => void hub.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ArgError) {
    process.stderr.write(`npm run hub: ${error.message}\nRun with --help for the options.\n`);
    process.exit(2);
  }
  if (error instanceof RunnerError) {
    process.stderr.write(`npm run hub: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  const code = (error as NodeJS.ErrnoException).code;
  process.stderr.write(`npm run hub: ${code === 'EADDRINUSE' ? 'the port is taken; choose another with --port' : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
