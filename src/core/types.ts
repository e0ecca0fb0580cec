/**
 * The network as data. Every other part of the program (trainer, store, UI) reads nets in
 * this form; the string form (`[C(64,3,1), P(2,2), SM(10)]`) is for people and storage.
 * Layer semantics: ../../../shared/spec/metaqnn.md section 1.
 */

/** `C(d,f,l)`: d filters, f×f kernel, stride l, SAME padding, ReLU. */
export interface ConvLayer {
  readonly kind: 'conv';
  readonly filters: number;
  readonly kernel: number;
  readonly stride: number;
}

/** `P(f,l)`: max pooling f×f with stride l, VALID padding. */
export interface PoolLayer {
  readonly kind: 'pool';
  readonly size: number;
  readonly stride: number;
}

/** `FC(d)`: dense with d units, ReLU. */
export interface FcLayer {
  readonly kind: 'fc';
  readonly units: number;
}

/** `GAP(c)`: 1x1 conv to c channels, ReLU, then average over the whole map. */
export interface GapLayer {
  readonly kind: 'gap';
  readonly classes: number;
}

/** `SM(c)`: dense to c classes with softmax. Always the last layer. */
export interface SoftmaxLayer {
  readonly kind: 'softmax';
  readonly classes: number;
}

/** `D(i,n)`: the i-th of n dropout layers, rate i/(2n). Placed by a rule, never by the agent. */
export interface DropoutLayer {
  readonly kind: 'dropout';
  readonly index: number;
  readonly total: number;
}

export type Layer = ConvLayer | PoolLayer | FcLayer | GapLayer | SoftmaxLayer | DropoutLayer;
export type LayerKind = Layer['kind'];

/** A network: layers from input to output, the last one `SM`. */
export type Net = readonly Layer[];

/** Input image shape, channels last (TF.js order). */
export interface InputShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}
