import { describe, expect, it } from 'vitest';
import { parseNetwork } from '../../../src/core/network-string';
import { makeSearchSpace, paperSearchSpace } from '../../../src/core/search-space';
import { validateNetwork } from '../../../src/core/validate';
import { paperBest, paperFourth, readReplayFixture } from './fixture';

const cifar = paperSearchSpace({ inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10 });
const problems = (text: string, space = cifar) => validateNetwork(parseNetwork(text), space);

describe('validateNetwork', () => {
  it('accepts the paper nets (CIFAR-10, depth 12) and every net of the authors SVHN replay file', () => {
    expect(problems(paperBest)).toEqual([]);
    expect(problems(paperFourth)).toEqual([]);
    // The file's nets were built at 32x32: all 1,983 satisfy every rule, including depth <= 12.
    for (const row of readReplayFixture()) expect(problems(row.net)).toEqual([]);
  });

  it.each([
    ['[C(64,3,1)]', ['the network must end with SM(10)']],
    ['[]', ['the network is empty; it must end with SM(10)']],
    ['[P(2,2), SM(10)]', ['layer 1 P(2,2): pooling must follow a convolution, not the input']],
    ['[C(64,3,1), P(2,2), P(2,2), SM(10)]', ['layer 3 P(2,2): pooling must follow a convolution, not a pooling layer']],
    ['[C(32,7,2), SM(10)]', ['layer 1 C(32,7,2): filters 32 not in {64, 128, 256, 512}', 'layer 1 C(32,7,2): kernel 7 not in {1, 3, 5}', "layer 1 C(32,7,2): stride 2, the space's conv stride is 1"]],
    ['[C(64,3,1), P(4,4), SM(10)]', ['layer 2 P(4,4): (size, stride) (4,4) not in {(5,3), (3,2), (2,2)}']],
    ['[C(64,3,1), FC(512), SM(10)]', ['layer 2 FC(512): FC needs a representation-size bin <= 4; the map is 32x32 (bin 8)']],
    [
      '[C(64,3,1), P(5,3), C(64,5,1), SM(10)]',
      [], // 10x10 is still bin 8: a 5x5 kernel is fine
    ],
    [
      '[C(64,3,1), P(5,3), C(64,3,1), P(2,2), C(64,5,1), SM(10)]',
      ['layer 5 C(64,5,1): kernel 5 must be smaller than the representation-size bin; the map is 5x5 (bin 4)'],
    ],
    [
      '[C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(256), FC(512), SM(10)]',
      ['layer 6 FC(512): a second FC must not be wider than the first (256)'],
    ],
    [
      '[C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(512), FC(256), FC(128), SM(10)]',
      ['layer 7 FC(128): at most 2 FC layers are allowed, this is FC number 3'],
    ],
    [
      '[C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(128), C(64,1,1), SM(10)]',
      ['layer 6 C(64,1,1): a convolution cannot follow an FC layer'],
    ],
    ['[C(64,3,1), GAP(10), C(64,1,1), SM(10)]', ['layer 3 C(64,1,1): a convolution cannot follow GAP']],
    ['[C(64,3,1), GAP(100), SM(100)]', ['layer 2 GAP(100): GAP must map to the 10 classes, not 100', 'layer 3 SM(100): SM must have the 10 classes, not 100']],
    ['[C(64,3,1), SM(10), C(64,3,1), SM(10)]', ['layer 3 C(64,3,1): comes after SM; SM must be the last layer', 'layer 4 SM(10): comes after SM; SM must be the last layer']],
    ['[C(64,3,1), D(1,2), C(64,3,1), D(1,2), SM(10)]', ['layer 4 D(1,2): index must count up (previous was 1)']],
    ['[C(64,3,1), D(1,2), C(64,3,1), D(2,3), SM(10)]', ['layer 4 D(2,3): n differs from the first dropout\'s n (2)']],
  ])('%s', (text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('lists every broken rule, not just the first', () => {
    expect(problems('[P(2,2), C(32,3,1), FC(1024), SM(3)]')).toEqual([
      'layer 1 P(2,2): pooling must follow a convolution, not the input',
      'layer 2 C(32,3,1): filters 32 not in {64, 128, 256, 512}',
      'layer 3 FC(1024): units 1024 not in {512, 256, 128}',
      'layer 3 FC(1024): FC needs a representation-size bin <= 4; the map is 16x16 (bin 8)',
      'layer 4 SM(3): SM must have the 10 classes, not 3',
    ]);
  });

  it('enforces the depth limit on layers before SM, dropout not counted', () => {
    const twelve = Array.from({ length: 12 }, () => 'C(64,3,1)');
    expect(problems(`[${twelve.join(', ')}, SM(10)]`)).toEqual([]);
    expect(problems(`[${twelve.join(', ')}, D(1,1), SM(10)]`)).toEqual([]);
    expect(problems(`[${twelve.join(', ')}, GAP(10), SM(10)]`)).toEqual([
      '13 layers before SM (dropout not counted); the depth limit is 12',
    ]);
    const deep = paperSearchSpace({ inputShape: cifar.inputShape, numClasses: 10, maxDepth: 18 });
    expect(problems(`[${twelve.join(', ')}, GAP(10), SM(10)]`, deep)).toEqual([]);
  });

  it('applies a small space: tiny rejects paper-sized layers', () => {
    const tiny = makeSearchSpace('tiny', { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10 });
    expect(problems('[C(8,3,1), P(2,2), C(4,1,1), P(3,2), FC(16), SM(10)]', tiny)).toEqual([]);
    expect(problems('[C(64,5,1), SM(10)]', tiny)).toEqual([
      'layer 1 C(64,5,1): filters 64 not in {4, 8}',
      'layer 1 C(64,5,1): kernel 5 not in {1, 3}',
    ]);
  });
});
