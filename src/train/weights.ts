/**
 * Weights in and out of models: serialise to one transferable ArrayBuffer plus specs,
 * load into a fresh build of the same net, and export the TF.js Layers format
 * (model.json + weights.bin) that `tf.loadLayersModel` reads.
 */
import * as tf from '@tensorflow/tfjs';
import type { InputShape, Net } from '../core/types';
import { buildModel } from './build-model';
import type { ExportedModel, SerializedWeights, WeightSpec } from './types';

const BYTES_PER_FLOAT = 4;

/** Every weight of `model`, in model order, float32 back to back in one buffer. */
export async function serializeWeights(model: tf.LayersModel): Promise<SerializedWeights> {
  const values = await Promise.all(model.weights.map((w) => w.read().data()));
  const specs: WeightSpec[] = model.weights.map((w) => ({ name: w.originalName, shape: concreteShape(w.originalName, w.shape), dtype: 'float32' }));
  const total = values.reduce((sum, v) => sum + v.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  values.forEach((v, i) => {
    if (!(v instanceof Float32Array)) throw new Error(`Weight ${specs[i]?.name}: expected float32 data`);
    out.set(v, offset);
    offset += v.length;
  });
  return { specs, data: out.buffer };
}

/**
 * Writes `weights` into `model`, matching by name. Throws naming the weight and the byte
 * offset when the payload does not fit the model (other net, truncated buffer).
 */
export function loadWeights(model: tf.LayersModel, weights: SerializedWeights): void {
  const bySpec = new Map<string, { spec: WeightSpec; offset: number }>();
  let offset = 0;
  for (const spec of weights.specs) {
    if (spec.dtype !== 'float32') throw new Error(`Weight ${spec.name}: unsupported dtype ${spec.dtype}`);
    bySpec.set(spec.name, { spec, offset });
    offset += spec.shape.reduce((a, b) => a * b, 1) * BYTES_PER_FLOAT;
  }
  if (offset !== weights.data.byteLength) {
    throw new Error(`Weights buffer: specs need ${offset} bytes, buffer holds ${weights.data.byteLength}`);
  }
  const names = new Set(model.weights.map((w) => w.originalName));
  const unknown = weights.specs.find((s) => !names.has(s.name));
  if (unknown) throw new Error(`Weights: ${unknown.name} is not a weight of this model`);
  for (const variable of model.weights) {
    const entry = bySpec.get(variable.originalName);
    if (!entry) throw new Error(`Weights: missing ${variable.originalName}`);
    if (!sameShape(entry.spec.shape, variable.shape)) {
      throw new Error(
        `Weight ${variable.originalName} at byte ${entry.offset}: shape [${entry.spec.shape.join(',')}] does not match the model's [${variable.shape.join(',')}]`,
      );
    }
  }
  for (const variable of model.weights) {
    const { spec, offset: at } = bySpec.get(variable.originalName) as { spec: WeightSpec; offset: number };
    const length = spec.shape.reduce((a, b) => a * b, 1);
    const value = tf.tensor(new Float32Array(weights.data, at, length), [...spec.shape], 'float32');
    variable.write(value);
    value.dispose();
  }
}

/** A fresh model of `net` holding `weights`. */
export function modelFromWeights(net: Net, input: InputShape, weights: SerializedWeights): tf.LayersModel {
  const model = buildModel(net, input, 0);
  try {
    loadWeights(model, weights);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * `<stem>.json` + `<stem>.weights.bin` as `model.save()` writes them (TF.js Layers format).
 * The JSON names its weights file, so each model's pair gets names of its own: two models
 * downloaded into one folder must not both be `weights.bin`.
 */
export async function exportLayersModel(model: tf.LayersModel, stem = 'model'): Promise<ExportedModel> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(stem)) throw new Error(`exportLayersModel: ${JSON.stringify(stem)} is not a plain file name`);
  const modelFileName = `${stem}.json`;
  const weightsFileName = `${stem}.weights.bin`;
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const artifacts = captured as tf.io.ModelArtifacts | null;
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new Error('exportLayersModel: TF.js produced no topology or weights');
  }
  const weightsBin = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  // The file layout of tfjs-core's io.getModelJSONForModelArtifacts (not exported in 4.22).
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${weightsFileName}`], weights: artifacts.weightSpecs }],
  };
  return { modelJson: JSON.stringify(modelJson), modelFileName, weightsBin, weightsFileName };
}

function sameShape(a: readonly number[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function concreteShape(name: string, shape: readonly (number | null)[]): number[] {
  return shape.map((d) => {
    if (d === null) throw new Error(`Weight ${name}: shape [${shape.join(',')}] has an unknown dimension`);
    return d;
  });
}
