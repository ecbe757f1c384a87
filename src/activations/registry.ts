/**
 * The activation registry: every g a run can use, for teacher and student alike. Each entry
 * holds what each engine needs — g and g′ for the CPU engines (SGD, the exact sampler), their
 * WGSL for the GPU engine, and the Gaussian averages (and the ODE's sums over them) for the
 * theory. No engine names an activation: each reads its entry from here, so adding one is an
 * entry plus its tests.
 *
 * A run config names its activation in `activation`; absent means erf, the activation of the
 * blog post (Saad & Solla 1995; Goldt et al. 2019).
 */
import { g as erfG, gPrime as erfGPrime, gWithPrime as erfGWithPrime, erfWgsl } from './erf.ts';
import { erfAverages, erfOdeSums } from './erfTheory.ts';
import { linearAverages } from './linear.ts';
import { reluAverages, reluOdeSums } from './relu.ts';
import { sumsFromAverages } from './sums.ts';
import type { GaussianAverages, OdeSums } from './types.ts';

export interface Activation {
  /** One line for help texts and captions. */
  summary: string;
  /** Name in figures and captions, e.g. "erf(u/√2)". */
  formula: string;
  g(u: number): number;
  gPrime(u: number): number;
  /** g(u), with g′(u) written to gp[k] (erf shares one exp between the two). */
  gWithPrime(u: number, gp: Float64Array, k: number): number;
  /**
   * WGSL defining `fn act_g(u: f32) -> f32`, `fn act_gprime(u: f32) -> f32` and
   * `fn act_i2(caa: f32, cbb: f32, cab: f32) -> f32` (I2 of two fields with those covariances,
   * for the GPU's f32 ε_g); `f32` formats a constant as a WGSL float literal.
   */
  wgsl(f32: (x: number) => string): string;
  /** The scalar averages I2, I3, I4, J2 (the reference for tests and the generic sums). */
  averages: GaussianAverages;
  /** The ODE's sums for L = K + M fields, with their own workspace. */
  odeSums(L: number): OdeSums;
}

/** The names, in the order help texts and selectors list them (the table below must match). */
export const ACTIVATION_NAMES = ['erf', 'linear', 'relu'] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

export const ACTIVATIONS = {
  erf: {
    summary: 'g(u) = erf(u/√2), the sigmoidal unit of the soft committee machine (Saad & Solla 1995)',
    formula: 'erf(u/√2)',
    g: erfG,
    gPrime: erfGPrime,
    gWithPrime: erfGWithPrime,
    wgsl: erfWgsl,
    averages: erfAverages,
    odeSums: erfOdeSums,
  },
  linear: {
    summary: 'g(u) = u: a deep linear network of depth two (no specialization plateau)',
    formula: 'u',
    g: (u: number) => u,
    gPrime: () => 1,
    gWithPrime: (u: number, gp: Float64Array, k: number) => {
      gp[k] = 1;
      return u;
    },
    wgsl: () => 'fn act_g(u: f32) -> f32 { return u; }\nfn act_gprime(u: f32) -> f32 { return 1.0; }\nfn act_i2(caa: f32, cbb: f32, cab: f32) -> f32 { return cab; }\n',
    averages: linearAverages,
    odeSums: () => sumsFromAverages(linearAverages),
  },
  relu: {
    summary: 'g(u) = max(0, u), the rectified linear unit (g′(0) = 0)',
    formula: 'max(0, u)',
    g: (u: number) => (u > 0 ? u : 0),
    gPrime: (u: number) => (u > 0 ? 1 : 0),
    gWithPrime: (u: number, gp: Float64Array, k: number) => {
      if (u > 0) {
        gp[k] = 1;
        return u;
      }
      gp[k] = 0;
      return 0;
    },
    // I2 is the arc-cosine kernel σ_a σ_b (ρ(π − acos ρ) + √(1−ρ²))/(2π) (src/activations/relu.ts);
    // acos through atan2, as Mesa's asin/acos builtins are coarse polynomials.
    wgsl: (f32: (x: number) => string) => `fn act_g(u: f32) -> f32 { return max(u, 0.0); }
fn act_gprime(u: f32) -> f32 { return select(0.0, 1.0, u > 0.0); }
fn act_i2(caa: f32, cbb: f32, cab: f32) -> f32 {
  let s = sqrt(max(caa, 0.0) * max(cbb, 0.0));
  if (s <= 0.0) { return 0.0; }
  let r = clamp(cab / s, -1.0, 1.0);
  let q = sqrt((1.0 - r) * (1.0 + r));
  return s * (r * (${f32(Math.PI)} - atan2(q, r)) + q) * ${f32(1 / (2 * Math.PI))};
}
`,
    averages: reluAverages,
    odeSums: reluOdeSums,
  },
} as const satisfies Record<ActivationName, Activation>;
/** The activation of a config without `activation`. */
export const DEFAULT_ACTIVATION: ActivationName = 'erf';

export function isActivationName(x: unknown): x is ActivationName {
  return typeof x === 'string' && Object.hasOwn(ACTIVATIONS, x);
}

/** The entry of a run's activation (absent: erf). */
export function activationOf(name: ActivationName | undefined): Activation {
  return ACTIVATIONS[name ?? DEFAULT_ACTIVATION];
}
