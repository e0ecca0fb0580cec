/** `npm run screenshots`: its usage text and arguments (the parser is args.ts). */
import type { BackendPreference } from '../../src/train/types';
import { BACKENDS, parseChoice, splitFlags, text } from './args';

export const SCREENSHOTS_USAGE = `Usage: npm run screenshots -- [--backend ${BACKENDS.filter((b) => b !== 'auto').join('|')}]   (default cpu)

Takes the README's screenshots from the built app (a tiny search) into docs/screenshots/.`;

/** `npm run screenshots` arguments. */
export function parseScreenshotArgs(argv: readonly string[]): { help: false; backend: BackendPreference } | { help: true } {
  const raw = splitFlags(argv, { backend: 'string', help: 'boolean' }, { h: 'help' });
  if (raw.help) return { help: true };
  const backend = text(raw, 'backend');
  // The cpu backend by default: the screens look the same and the search ends in seconds here.
  return { help: false, backend: backend === undefined ? 'cpu' : parseChoice(backend, '--backend', BACKENDS) };
}
