/**
 * Trainer worker: builds candidates with TF.js and trains them on WebGPU (or WebGL, or
 * CPU). A thin comlink wrapper; the behaviour lives in src/train (trainer-api.ts).
 */
import { expose } from 'comlink';
import { createTrainerApi } from '../src/train/trainer-api';

const api = createTrainerApi();
export type TrainerApi = typeof api;
expose(api);
