/**
 * Picking the TF.js backend: WebGPU first, then WebGL, then CPU. `tf.setBackend` can
 * fail without throwing and leave TF.js elsewhere, so the answer is always read back
 * from `tf.getBackend()`. On WebGPU the device can be lost (driver reset, GPU process
 * crash); TF.js does not handle that, so it is watched here and surfaced as a
 * retryable `DeviceLostError`: the worker is dead for GPU work and must be replaced.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { AdapterInfo, BackendInfo, BackendName, BackendPreference, MemoryReport } from './types';

const FALLBACK_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];

/** Thrown between training steps once the WebGPU device is gone. Retry in a new worker. */
export class DeviceLostError extends Error {
  override readonly name = 'DeviceLostError';
  readonly retryable = true;
}

let current: BackendInfo | null = null;
let deviceLost: string | null = null;

export async function initBackend(preferred: BackendPreference): Promise<BackendInfo> {
  const order = preferred === 'auto' ? FALLBACK_ORDER : FALLBACK_ORDER.slice(FALLBACK_ORDER.indexOf(preferred));
  if (order.length === 0) throw new Error(`initBackend: unknown backend ${JSON.stringify(preferred)}`);
  const reasons: string[] = [];
  for (const name of order) {
    const reason = await trySetBackend(name);
    if (reason === null) break;
    reasons.push(`${name}: ${reason}`);
  }
  const backend = tf.getBackend();
  const adapter = backend === 'webgpu' ? await readAdapterInfo() : null;
  if (backend === 'webgpu') watchDeviceLost();
  const wanted = order[0];
  const largest = largestTensorBytes();
  current =
    backend === wanted
      ? { backend, adapter, largestTensorBytes: largest }
      : { backend, adapter, fallbackReason: reasons.join('; ') || `TF.js is on ${backend}`, largestTensorBytes: largest };
  return current;
}

/** What TF.js runs on now, with the adapter found by the last `initBackend`. */
export function currentBackendInfo(): BackendInfo {
  const backend = tf.getBackend();
  if (current && current.backend === backend) return current;
  return { backend, adapter: null };
}

/** Throws `DeviceLostError` if the WebGPU device has been lost since `initBackend`. */
export function throwIfDeviceLost(): void {
  if (deviceLost !== null) throw new DeviceLostError(`WebGPU device lost: ${deviceLost}`);
}

/** Tensor counts and GPU bytes held; the owner recycles the worker past a budget. */
export function memoryReport(datasets: readonly string[], datasetBytes = 0): MemoryReport {
  const info = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number; numBytesInGPUAllocated?: number };
  const gpu = info.numBytesAllocatedInGPU ?? info.numBytesInGPUAllocated ?? null;
  return {
    numTensors: info.numTensors,
    numBytes: info.numBytes,
    gpuBytesAllocated: gpu,
    backend: tf.getBackend(),
    datasets,
    datasetBytes,
  };
}

/**
 * The largest tensor, in bytes, the current backend can hold and bind in one piece. WebGPU:
 * the device's storage-binding and buffer limits (TF.js asks for the adapter's; 128 MiB on
 * some phones, 1 GiB on SwiftShader). WebGL: a float texture of the largest side squared.
 * CPU: a cap that keeps each host array well below what typed arrays allow. A dataset split
 * larger than this is kept in several tensors (dataset-cache.ts).
 */
export function largestTensorBytes(): number {
  const CPU_CAP = 1024 ** 3;
  const backend = tf.getBackend();
  if (backend === 'webgpu') {
    const limits = ((tf.backend() as WebGPUBackend).device as GPUDevice | undefined)?.limits;
    if (limits) return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  }
  if (backend === 'webgl') {
    const side = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
    if (side > 0) return Math.min(side * side * 4, CPU_CAP);
  }
  return CPU_CAP;
}

/** null on success, else why not. */
async function trySetBackend(name: BackendName): Promise<string | null> {
  try {
    if (name === 'webgpu') {
      const gpu = gpuApi();
      if (!gpu) return 'navigator.gpu is not available';
      // Registers the backend; a separate chunk so CPU-only runs never load it.
      await import('@tensorflow/tfjs-backend-webgpu');
    }
    const ok = await tf.setBackend(name);
    await tf.ready();
    if (ok && tf.getBackend() === name) return null;
    return `setBackend returned ${ok}, TF.js is on ${tf.getBackend()}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** `navigator.gpu` in a page or a worker; undefined in Node or without WebGPU. */
function gpuApi(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

async function readAdapterInfo(): Promise<AdapterInfo | null> {
  try {
    const adapter = await gpuApi()?.requestAdapter();
    const info = adapter?.info;
    if (!info) return null;
    const flagged = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
    const base = { vendor: info.vendor, architecture: info.architecture, description: info.description };
    return { ...base, software: isSoftwareAdapter(base, flagged) };
  } catch {
    return null;
  }
}

/**
 * A fallback adapter, by the browser's own flag (`isFallbackAdapter`, on the adapter's info in
 * newer Chromium, on the adapter before) or, where neither says so, by SwiftShader's name.
 */
export function isSoftwareAdapter(info: Pick<AdapterInfo, 'vendor' | 'architecture' | 'description'>, flagged?: boolean): boolean {
  if (flagged === true) return true;
  return /swiftshader|llvmpipe|lavapipe|warp|microsoft basic render/i.test(`${info.architecture} ${info.description}`);
}

/**
 * Kernel choices per job. On a software adapter TF.js's tiled convolution (workgroup memory and
 * barriers, cheap on a GPU, emulated one thread at a time on a CPU) runs a 1-channel 3×3 conv at
 * a tenth of the speed of its im2col + matmul path, which gives the same values: measured 3.6×
 * faster per training step on [C(8,3,1), P(2,2), SM(10)] and 2× on a two-conv net under
 * SwiftShader. A real GPU keeps TF.js's default.
 */
export function chooseKernels(savings: boolean): void {
  if (tf.getBackend() !== 'webgpu') return;
  tf.env().set('WEBGPU_CONV_SEPARATE_IM2COL_SHADER', savings && current?.adapter?.software === true);
}

function watchDeviceLost(): void {
  const device = (tf.backend() as WebGPUBackend).device as GPUDevice | undefined;
  deviceLost = null;
  void device?.lost.then((info) => {
    deviceLost = `${info.reason}: ${info.message}`;
  });
}
