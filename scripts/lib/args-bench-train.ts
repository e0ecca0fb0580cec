/** `npm run bench:train-one`: its usage text, default nets and arguments (the parser is args.ts). */
import type { BackendPreference } from '../../src/train/types';
import { ArgError, BACKENDS, parseChoice, parseIntIn, splitFlags, text } from './args';

export const TRAIN_ORDERS = ['trainer-first', 'fit-first', 'alternate'] as const;
export type TrainOrder = (typeof TRAIN_ORDERS)[number];

/** Two small nets and the first again (its shaders compiled: the steady state). */
export const DEFAULT_NETS = [
  '[C(8,3,1), P(2,2), SM(4)]',
  '[C(16,3,1), P(2,2), C(16,3,1), P(2,2), FC(32), SM(4)]',
  '[C(8,3,1), P(2,2), SM(4)]',
];

export const TRAIN_USAGE = `Usage: npm run bench:train-one -- [options]   the trainer against plain model.fit on one backend, in headless Chromium

  --backend <name>  ${BACKENDS.join(' | ')} (default webgpu); anything but auto must be the one that runs
  --images <n>      training images (default 256)      --side <n>    image side in pixels (default 28)
  --epochs <n>      (default 1)                        --batch <n>   batch size (default 64)
  --nets "A;B"      net strings separated by ; (default: ${DEFAULT_NETS.length} small nets)
  --no-baseline     skip model.fit
  --order <o>       ${TRAIN_ORDERS.join(' | ')} (default alternate: the baseline goes first on odd nets)
  --out <file>      also write the JSON report here
  --timeout <s>     seconds before giving up (default 540)
  --help            this text

(npm run bench:train runs this on every backend and writes bench/results/latest-train.md.)`;

export interface TrainArgs {
  readonly help: false;
  readonly backend: BackendPreference;
  readonly side: number;
  readonly images: number;
  readonly epochs: number;
  readonly batch: number;
  readonly nets: readonly string[];
  readonly baseline: boolean;
  readonly order: TrainOrder;
  readonly out: string | null;
  readonly timeoutS: number;
}

/** `npm run bench:train-one` arguments. */
export function parseTrainArgs(argv: readonly string[]): TrainArgs | { help: true } {
  const raw = splitFlags(
    argv,
    {
      backend: 'string',
      side: 'string',
      images: 'string',
      epochs: 'string',
      batch: 'string',
      nets: 'string',
      'no-baseline': 'boolean',
      order: 'string',
      out: 'string',
      timeout: 'string',
      help: 'boolean',
    },
    { h: 'help' },
  );
  if (raw.help) return { help: true };
  const int = (name: string, fallback: number, max: number): number => {
    const value = text(raw, name);
    return value === undefined ? fallback : parseIntIn(value, `--${name}`, 1, max);
  };
  const backend = text(raw, 'backend');
  const order = text(raw, 'order');
  const nets = text(raw, 'nets');
  const list = nets === undefined ? DEFAULT_NETS : nets.split(';').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new ArgError(`--nets ${JSON.stringify(nets)}: expected net strings separated by ;`);
  return {
    help: false,
    backend: backend === undefined ? 'webgpu' : parseChoice(backend, '--backend', BACKENDS),
    side: int('side', 28, 512),
    images: int('images', 256, 1_000_000),
    epochs: int('epochs', 1, 1000),
    batch: int('batch', 64, 65_536),
    nets: list,
    baseline: raw['no-baseline'] !== true,
    order: order === undefined ? 'alternate' : parseChoice(order, '--order', TRAIN_ORDERS),
    out: text(raw, 'out') ?? null,
    timeoutS: int('timeout', 540, 86_400),
  };
}
