/**
 * `npm run replay:early-stopping -- --file <results.json | replay.json>`: replays the
 * early-stopping rule (src/core/early-stopping.ts) on the curves a search recorded, as Baker et
 * al. 2017 evaluate it: epochs saved, and how many of the true top nets it would have stopped.
 */
import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_EARLY_STOPPING, simulateEarlyStopping, type EarlyStoppingOptions } from '../src/core';
import { ArgError, parseIntIn, splitFlags } from './lib/args';
import { CurvesFileError, recordedNets } from './lib/recorded-curves';

const USAGE = `Usage: npm run replay:early-stopping -- --file <results.json | replay.json> [options]

Replays early stopping on the learning curves a search recorded (every net trained to the end).

  --file <path>          a results.json of npm run search, or the app's replay JSON export
  --confidence <p>       stop when the chance of reaching the top K is below 1 - p (default ${DEFAULT_EARLY_STOPPING.confidence})
  --top <k>              the top K a net must be able to reach (default ${DEFAULT_EARLY_STOPPING.topK})
  --min-completed <n>    nets that always finish first (default ${DEFAULT_EARLY_STOPPING.minCompleted})
  --help`;

/** A results.json of the paper's 2,700 nets with curves is tens of MB. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

async function main(argv: readonly string[]): Promise<number> {
  const raw = splitFlags(argv, { file: 'string', confidence: 'string', top: 'string', 'min-completed': 'string', help: 'boolean' }, { h: 'help' });
  if (raw.help) {
    console.log(USAGE);
    return 0;
  }
  const file = raw.file;
  if (typeof file !== 'string') throw new ArgError('--file is required');
  const confidence = typeof raw.confidence === 'string' ? Number(raw.confidence) : DEFAULT_EARLY_STOPPING.confidence;
  if (!(confidence >= 0.5 && confidence < 1)) throw new ArgError(`--confidence ${JSON.stringify(raw.confidence)}: expected a number from 0.5 to below 1`);
  const options: EarlyStoppingOptions = {
    confidence,
    topK: typeof raw.top === 'string' ? parseIntIn(raw.top, '--top', 1, 100) : DEFAULT_EARLY_STOPPING.topK,
    minCompleted: typeof raw['min-completed'] === 'string' ? parseIntIn(raw['min-completed'], '--min-completed', 5, 10_000) : DEFAULT_EARLY_STOPPING.minCompleted,
  };
  const size = (await stat(file)).size;
  if (size > MAX_FILE_BYTES) throw new CurvesFileError(`${file}: ${size} bytes is over the ${MAX_FILE_BYTES}-byte limit`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CurvesFileError(`${file}: not JSON (${(error as Error).message})`);
  }
  const nets = recordedNets(json, file);
  if (nets.length <= options.minCompleted) {
    throw new CurvesFileError(`${file}: ${nets.length} nets trained to the end with 2 or more epochs; the rule needs more than --min-completed (${options.minCompleted})`);
  }
  const report = simulateEarlyStopping(nets, options);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`${report.nets} nets, ${report.fullEpochs} epochs if all trained to the end, ${report.epochsTrained} with early stopping: ${report.savingFactor.toFixed(2)}× fewer`);
  console.log(`stopped ${report.stopped.length} nets; of the true top ${options.topK}, ${report.trueTopStopped.length} stopped${report.trueTopStopped.length ? ` (${report.trueTopStopped.join(', ')})` : ''}`);
  for (const s of report.stopped) console.log(`  ${s.id}: stopped after epoch ${s.atEpoch}, predicted ${pct(s.predicted)}, reached ${pct(s.actual)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof ArgError || error instanceof CurvesFileError || (error as NodeJS.ErrnoException).code === 'ENOENT';
    console.error(known ? `replay:early-stopping: ${(error as Error).message}` : error);
    if (error instanceof ArgError) console.error(`\n${USAGE}`);
    process.exit(known ? 2 : 1);
  },
);
