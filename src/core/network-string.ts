/**
 * The paper's network strings: `[C(64,3,1), P(2,2), C(128,5,1), FC(256), D(1,1), SM(10)]`.
 * The parser checks syntax only (a structurally well-formed layer list); validateNetwork in
 * validate.ts checks the search-space rules.
 */
import type { Layer, Net } from './types';

/** A network string that does not follow the grammar. `position` is a 0-based character index. */
export class NetworkSyntaxError extends Error {
  override readonly name = 'NetworkSyntaxError';
  constructor(
    readonly position: number,
    readonly problem: string,
    readonly text: string,
  ) {
    super(`network string, character ${position}: ${problem}`);
  }
}

interface LayerGrammar {
  readonly arity: number;
  readonly args: string;
  readonly build: (n: readonly number[]) => Layer;
}

// Longest names first is not needed: names are read as whole runs of letters.
const grammar: Readonly<Record<string, LayerGrammar>> = {
  C: { arity: 3, args: 'filters,kernel,stride', build: ([d, f, l]) => ({ kind: 'conv', filters: d!, kernel: f!, stride: l! }) },
  P: { arity: 2, args: 'size,stride', build: ([f, l]) => ({ kind: 'pool', size: f!, stride: l! }) },
  FC: { arity: 1, args: 'units', build: ([d]) => ({ kind: 'fc', units: d! }) },
  GAP: { arity: 1, args: 'classes', build: ([c]) => ({ kind: 'gap', classes: c! }) },
  SM: { arity: 1, args: 'classes', build: ([c]) => ({ kind: 'softmax', classes: c! }) },
  D: { arity: 2, args: 'index,total', build: ([i, n]) => ({ kind: 'dropout', index: i!, total: n! }) },
};

const layerNames = Object.keys(grammar).join(', ');

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(problem: string, at = this.pos): never {
    throw new NetworkSyntaxError(at, problem, this.text);
  }

  found(): string {
    const ch = this.text[this.pos];
    return ch === undefined ? 'the end of the text' : `'${ch}'`;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  expect(ch: string, what: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) this.fail(`expected ${what}, found ${this.found()}`);
    this.pos++;
  }

  peekIs(ch: string): boolean {
    this.skipSpace();
    return this.text[this.pos] === ch;
  }

  readName(): { name: string; at: number } {
    this.skipSpace();
    const at = this.pos;
    while (this.pos < this.text.length && /[A-Za-z]/.test(this.text[this.pos]!)) this.pos++;
    const name = this.text.slice(at, this.pos);
    if (name === '') this.fail(`expected a layer name (${layerNames}), found ${this.found()}`);
    return { name, at };
  }

  readPositiveInteger(what: string): number {
    this.skipSpace();
    const at = this.pos;
    while (this.pos < this.text.length && /[0-9]/.test(this.text[this.pos]!)) this.pos++;
    const digits = this.text.slice(at, this.pos);
    if (digits === '') this.fail(`expected ${what} (a positive integer), found ${this.found()}`);
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) this.fail(`${what} ${digits} is too large`, at);
    if (value === 0) this.fail(`${what} must be a positive integer, found 0`, at);
    return value;
  }
}

function readLayer(reader: Reader): Layer {
  const { name, at } = reader.readName();
  const rule = grammar[name];
  if (rule === undefined) reader.fail(`unknown layer '${name}', expected one of ${layerNames}`, at);
  reader.expect('(', `'(' after ${name}`);
  const argNames = rule.args.split(',');
  const values: number[] = [];
  for (let i = 0; i < rule.arity; i++) {
    if (i > 0) {
      if (reader.peekIs(')')) reader.fail(`${name} takes ${rule.arity} numbers (${rule.args}), found ${i}`);
      reader.expect(',', `',' before ${name}'s ${argNames[i]}`);
    }
    values.push(reader.readPositiveInteger(`${name}'s ${argNames[i]}`));
  }
  if (reader.peekIs(',')) reader.fail(`${name} takes ${rule.arity} numbers (${rule.args}), found more`);
  reader.expect(')', `')' to close ${name}(`);
  const layer = rule.build(values);
  if (layer.kind === 'dropout' && layer.index > layer.total) {
    reader.fail(`D(${layer.index},${layer.total}): the index must not exceed the total`, at);
  }
  return layer;
}

/**
 * Parses a network string. Whitespace is free between tokens; `D(i,n)` tokens are kept.
 * Throws NetworkSyntaxError naming the character position and what was expected.
 */
export function parseNetwork(text: string): Net {
  const reader = new Reader(text);
  reader.expect('[', "'[' to open the layer list");
  const layers: Layer[] = [];
  if (!reader.peekIs(']')) {
    layers.push(readLayer(reader));
    while (reader.peekIs(',')) {
      reader.pos++;
      layers.push(readLayer(reader));
    }
  }
  reader.expect(']', layers.length === 0 ? "a layer or ']'" : "',' or ']' after a layer");
  reader.skipSpace();
  if (reader.pos !== text.length) reader.fail(`unexpected ${reader.found()} after the closing ']'`);
  return layers;
}

/** Parses one layer token such as `C(64,3,1)` (the form used for Q-table action keys). */
export function parseLayer(text: string): Layer {
  const reader = new Reader(text);
  const layer = readLayer(reader);
  reader.skipSpace();
  if (reader.pos !== text.length) reader.fail(`unexpected ${reader.found()} after the layer`);
  return layer;
}

export function formatLayer(layer: Layer): string {
  switch (layer.kind) {
    case 'conv':
      return `C(${layer.filters},${layer.kernel},${layer.stride})`;
    case 'pool':
      return `P(${layer.size},${layer.stride})`;
    case 'fc':
      return `FC(${layer.units})`;
    case 'gap':
      return `GAP(${layer.classes})`;
    case 'softmax':
      return `SM(${layer.classes})`;
    case 'dropout':
      return `D(${layer.index},${layer.total})`;
  }
}

/** The paper's form: `[C(64,3,1), P(2,2), SM(10)]`. */
export function formatNetwork(net: Net): string {
  return `[${net.map(formatLayer).join(', ')}]`;
}
