/**
 * The checks an archive's records pass beyond their schemas, so that what an archive brings
 * in is what the app itself would have written: every net string parses, is in the store's
 * dropout-free key form and is legal in the search space the agent ran in; saved weights have
 * exactly the tensors the net's layers need (shapes from src/core's layer costs, the same
 * layers src/train builds: kernel then bias per conv, FC, GAP and SM); the final results
 * name nets of the replay memory. Without an agent state (a search that never started) the
 * archive may hold no nets at all: the app writes none before its agent exists.
 */
import { layerCosts, parseNetwork, formatNetwork, stripDropout, validateNetwork, type InputShape, type Net, type OutputShape, type SearchSpace } from '../../core';
import type { WeightSpec } from '../../store';
import { fail, MANIFEST, type SearchArchive } from './archive-format';
import { shorten } from './limits';

/** The tensor shapes a net's weights have, in model order (what `serializeWeights` writes). */
export function expectedWeightShapes(net: Net, inputShape: InputShape): number[][] {
  const costs = layerCosts(net, inputShape);
  const shapes: number[][] = [];
  net.forEach((layer, i) => {
    const input: OutputShape = i === 0 ? { kind: 'map', ...inputShape } : costs[i - 1]!.output;
    const flat = input.kind === 'map' ? input.height * input.width * input.channels : input.units;
    const channels = input.kind === 'map' ? input.channels : input.units;
    switch (layer.kind) {
      case 'conv':
        shapes.push([layer.kernel, layer.kernel, channels, layer.filters], [layer.filters]);
        break;
      case 'gap':
        shapes.push([1, 1, channels, layer.classes], [layer.classes]);
        break;
      case 'fc':
        shapes.push([flat, layer.units], [layer.units]);
        break;
      case 'softmax':
        shapes.push([flat, layer.classes], [layer.classes]);
        break;
      case 'pool':
      case 'dropout':
        break;
    }
  });
  return shapes;
}

/** Parses a stored net string and checks it is a legal, dropout-free key of `space`; returns a problem or the net. */
export function checkNetString(text: string, space: SearchSpace | null): Net | string {
  let net: Net;
  try {
    net = parseNetwork(text);
  } catch (error) {
    return `${shorten(text)} does not parse: ${(error as Error).message}`;
  }
  if (formatNetwork(stripDropout(net)) !== text) return `${shorten(text)} is not in the dropout-free form the app stores nets in`;
  if (space === null) return `${shorten(text)}: the archive has no agent state, so it can hold no nets`;
  const problems = validateNetwork(net, space);
  if (problems.length > 0) return `${shorten(text)} breaks the search space: ${problems.join('; ')}`;
  return net;
}

/** Problem with weights specs for `net`, or undefined when they are exactly its tensors. */
export function weightsProblem(net: Net, inputShape: InputShape, specs: readonly WeightSpec[], bytes: number): string | undefined {
  const expected = expectedWeightShapes(net, inputShape);
  const shown = (shapes: readonly (readonly number[])[]) => shapes.map((s) => `[${s.join(',')}]`).join(' ');
  if (specs.length !== expected.length || specs.some((spec, i) => spec.shape.join(',') !== expected[i]!.join(','))) {
    return `tensor shapes ${shorten(shown(specs.map((s) => s.shape)))} do not match the net's layers, which need ${shorten(shown(expected))}`;
  }
  const other = specs.find((spec) => spec.dtype !== 'float32');
  if (other !== undefined) return `${shorten(other.name)} is ${other.dtype}; the app saves float32 weights`;
  const needed = expected.reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0) * 4;
  if (needed !== bytes) return `the tensors need ${needed} bytes but the file holds ${bytes}`;
  return undefined;
}

/** Every net of the archive checked against the agent's search space, weights against their nets. */
export function checkNets(archive: SearchArchive, space: SearchSpace | null, replayNets: ReadonlySet<string>): Map<string, Net> {
  const nets = new Map<string, Net>();
  const check = (text: string, at: string): Net => {
    const known = nets.get(text);
    if (known !== undefined) return known;
    const net = checkNetString(text, space);
    if (typeof net === 'string') fail(`${MANIFEST}: ${at}: ${net}`);
    nets.set(text, net);
    return net;
  };
  archive.replay.forEach((entry, i) => check(entry.netString, `replay[${i}].netString`));
  archive.jobs.forEach((job, i) => check(job.netString, `jobs[${i}].netString`));
  const inReplay = (text: string, at: string) => {
    if (!replayNets.has(text)) fail(`${MANIFEST}: ${at}: ${shorten(text)} is not in the archive's replay memory`);
  };
  const { final, finalProgress } = archive.search;
  if (final !== undefined) {
    inReplay(final.bestNetString, 'search.final.bestNetString');
    final.ensembleNetStrings.forEach((net, i) => inReplay(net, `search.final.ensembleNetStrings[${i}]`));
  }
  finalProgress?.fineTuned.forEach((tuned, i) => inReplay(tuned.netString, `search.finalProgress.fineTuned[${i}].netString`));
  archive.weights.forEach((w, i) => {
    const at = `weights[${i}]`;
    const net = check(w.netString, `${at}.netString`);
    const bytes = w.bufferByteLengths.reduce((sum, n) => sum + n, 0);
    const problem = weightsProblem(net, space!.inputShape, w.specs, bytes);
    if (problem !== undefined) fail(`${MANIFEST}: ${at}.specs: ${problem}`);
  });
  return nets;
}
