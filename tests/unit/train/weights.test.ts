import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetwork } from '../../../src/core/index';
import type { Net } from '../../../src/core/types';
import { buildModel } from '../../../src/train/build-model';
import { DatasetCache, type CachedDataset } from '../../../src/train/dataset-cache';
import { evaluateEnsemble } from '../../../src/train/ensemble';
import { evaluateModel } from '../../../src/train/evaluate';
import { fineTune, trainCandidate } from '../../../src/train/trainer';
import type { SerializedWeights, TrainConfig, TrainSuccess } from '../../../src/train/types';
import { exportLayersModel, loadWeights, modelFromWeights, serializeWeights } from '../../../src/train/weights';
import { INPUT, LEARNER, TINY_NETS, quadrantDataset, useCpu } from './synthetic';

const FAST: Partial<TrainConfig> = { batchSize: 32, epochs: 2, latencyBatchSize: 0, progressEveryMs: 1e9 };

let cache: DatasetCache;
let dataset: CachedDataset;
const trained: { net: Net; result: TrainSuccess }[] = [];

beforeAll(async () => {
  await useCpu();
  cache = new DatasetCache();
  dataset = cache.load('quadrants', quadrantDataset());
  // Three members with different architectures and seeds, trained briefly so they disagree.
  for (const [i, net] of [LEARNER, TINY_NETS[3] as Net, TINY_NETS[5] as Net].entries()) {
    const result = await trainCandidate({ id: `m${i}`, net, datasetId: 'quadrants', seed: i, config: { ...FAST, epochs: 1 } }, dataset);
    if (result.status !== 'done') throw new Error('member did not train');
    trained.push({ net, result });
  }
});
afterAll(() => cache.dispose());

function predictions(model: tf.LayersModel): number[] {
  return tf.tidy(() => Array.from((model.predict(requireTest().chunks[0]!) as tf.Tensor).dataSync()));
}

function requireTest() {
  const test = dataset.splits.get('test');
  if (!test) throw new Error('no test split');
  return test;
}

function weightsOf(i: number): SerializedWeights {
  const weights = trained[i]?.result.weights;
  if (!weights) throw new Error('no weights');
  return weights;
}

describe('weights', () => {
  it('round-trip into a fresh model gives identical predictions', async () => {
    const net = TINY_NETS[9] as Net;
    const original = buildModel(net, INPUT, 5);
    const weights = await serializeWeights(original);
    const copy = modelFromWeights(net, INPUT, weights);
    expect(predictions(copy)).toEqual(predictions(original));
    // A differently seeded build predicts differently until the weights are loaded.
    const other = buildModel(net, INPUT, 6);
    expect(predictions(other)).not.toEqual(predictions(original));
    loadWeights(other, weights);
    expect(predictions(other)).toEqual(predictions(original));
    for (const model of [original, copy, other]) model.dispose();
  });

  it('refuses weights of another net or a truncated buffer, naming the problem', () => {
    const weights = weightsOf(0);
    expect(() => modelFromWeights(parseNetwork('[C(5,3,1), P(2,2), SM(4)]'), INPUT, weights)).toThrow(
      /Weight l0_conv\/kernel at byte 0: shape \[3,3,1,4\] does not match the model's \[3,3,1,5\]/,
    );
    expect(() => modelFromWeights(LEARNER, INPUT, { specs: weights.specs, data: weights.data.slice(0, 100) })).toThrow(
      /specs need 1200 bytes, buffer holds 100/,
    );
    expect(() => modelFromWeights(parseNetwork('[C(4,3,1), P(2,2), FC(4), SM(4)]'), INPUT, weights)).toThrow(/Weights: l2_softmax\/kernel is not a weight of this model/);
  });

  it('exports the TF.js Layers format that tf.loadLayersModel reads back, each model under names of its own', async () => {
    const model = modelFromWeights(LEARNER, INPUT, weightsOf(0));
    const other = modelFromWeights((trained[1] as { net: Net }).net, INPUT, weightsOf(1));
    const exported = await exportLayersModel(model, 'search-1-c-4-3-1-sm-4');
    const second = await exportLayersModel(other, 'search-1-c-8-3-1-sm-4');
    expect(exported.modelFileName).toBe('search-1-c-4-3-1-sm-4.json');
    expect(exported.weightsFileName).toBe('search-1-c-4-3-1-sm-4.weights.bin');
    const json = JSON.parse(exported.modelJson) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]?.paths).toEqual(['./search-1-c-4-3-1-sm-4.weights.bin']);
    // Both pairs in one folder: each JSON finds its own weights.
    const files: Record<string, BodyInit> = {};
    for (const e of [exported, second]) {
      files[`https://models.test/m/${e.modelFileName}`] = e.modelJson;
      files[`https://models.test/m/${e.weightsFileName}`] = new Uint8Array(e.weightsBin);
    }
    const fetchFunc = async (url: string | URL | Request) => {
      const body = files[new URL(String(url)).href]; // TF.js asks for m/./<name>.weights.bin, as its own http saver writes
      return body === undefined ? new Response('missing', { status: 404 }) : new Response(body, { status: 200 });
    };
    const loaded = await tf.loadLayersModel(`https://models.test/m/${exported.modelFileName}`, { fetchFunc });
    const loadedOther = await tf.loadLayersModel(`https://models.test/m/${second.modelFileName}`, { fetchFunc });
    expect(predictions(loaded)).toEqual(predictions(model));
    expect(predictions(loadedOther)).toEqual(predictions(other));
    expect(predictions(loadedOther)).not.toEqual(predictions(model));
    expect((await exportLayersModel(model)).modelFileName).toBe('model.json');
    await expect(exportLayersModel(model, '../x')).rejects.toThrow(/"\.\.\/x" is not a plain file name/);
    for (const m of [model, other, loaded, loadedOther]) m.dispose();
  });

  it('fine-tunes from saved weights: starts where the saved model was, then keeps learning', async () => {
    const { net, result } = trained[0] as { net: Net; result: TrainSuccess };
    const tiny = await fineTune(
      { id: 'ft0', net, datasetId: 'quadrants', seed: 1, initialWeights: weightsOf(0), config: { ...FAST, epochs: 1, learningRate: 1e-12 } },
      dataset,
    );
    if (tiny.status !== 'done') throw new Error('fine-tune failed');
    expect(tiny.curve[0]?.validationAccuracy).toBe(result.finalValidationAccuracy);
    expect(tiny.curve[0]?.validationLoss).toBeCloseTo(result.curve.at(-1)?.validationLoss ?? 0, 4);
    const longer = await fineTune(
      { id: 'ft1', net, datasetId: 'quadrants', seed: 1, initialWeights: weightsOf(0), config: { ...FAST, epochs: 3, learningRate: 0.01 } },
      dataset,
    );
    if (longer.status !== 'done') throw new Error('fine-tune failed');
    expect(longer.curve.at(-1)?.validationLoss).toBeLessThan(result.curve.at(-1)?.validationLoss ?? 0);
    expect(() => fineTune({ id: 'ft2', net, datasetId: 'quadrants', seed: 1 }, dataset)).toThrow(/needs initialWeights/);
  });
});

describe('evaluateEnsemble', () => {
  it('averages the members softmax outputs', async () => {
    const members = trained.map(({ net }, i) => ({ net, weights: weightsOf(i) }));
    const result = await evaluateEnsemble({ datasetId: 'quadrants', subset: 'test', members }, cache);
    // The same computation by hand: predict with each model, average, argmax.
    const test = requireTest();
    const models = members.map((m) => modelFromWeights(m.net, INPUT, m.weights));
    const labels = Array.from(test.labels.dataSync());
    const probs = models.map((m) => (m.predict(test.chunks[0]!) as tf.Tensor2D).arraySync());
    let correct = 0;
    labels.forEach((label, n) => {
      const mean = [0, 1, 2, 3].map((c) => probs.reduce((s, p) => s + (p[n]?.[c] ?? 0), 0) / probs.length);
      if (mean.indexOf(Math.max(...mean)) === label) correct++;
    });
    expect(result.accuracy).toBeCloseTo(correct / labels.length, 10);
    expect(result.count).toBe(64);
    for (const [i, model] of models.entries()) {
      const own = await evaluateModel(model, test, 4, 64);
      expect(result.memberAccuracies[i]).toBeCloseTo(own.accuracy, 10);
      model.dispose();
    }
  });

  it('of one member equals that member, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const result = await evaluateEnsemble(
      { datasetId: 'quadrants', subset: 'validation', members: [{ net: LEARNER, weights: weightsOf(0) }], batchSize: 10 },
      cache,
    );
    expect(result.accuracy).toBe(trained[0]?.result.finalValidationAccuracy);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the member that does not fit', async () => {
    await expect(
      evaluateEnsemble({ datasetId: 'quadrants', subset: 'test', members: [{ net: LEARNER, weights: weightsOf(1) }] }, cache),
    ).rejects.toThrow(/Ensemble member 0: Weights/);
    await expect(evaluateEnsemble({ datasetId: 'nope', subset: 'test', members: [] }, cache)).rejects.toThrow(/no members/);
    await expect(
      evaluateEnsemble({ datasetId: 'nope', subset: 'test', members: [{ net: LEARNER, weights: weightsOf(0) }] }, cache),
    ).rejects.toThrow(/Dataset "nope" is not loaded/);
  });
});
