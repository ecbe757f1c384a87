/**
 * Field and update kernels of the SGD step, generated at run time for (N, K, M) and for the
 * buffers of one run.
 *
 * Layout: the student and teacher first layers live interleaved in one Float64Array `m` of
 * N blocks of L = K + M numbers, block j = (W_{0j}, …, W_{K−1,j}, W*_{0j}, …, W*_{M−1,j}).
 * One sweep over j reads x_j once and feeds K + M independent accumulators (no long
 * dependency chain). The loop bodies are straight-line code generated with `new Function`,
 * because a loop over rows inside the j-loop would keep the accumulators in memory.
 *
 * Every accumulator sums over increasing j exactly like the naive `for (j) s += W[k][j]*x[j]`,
 * and updates are `W += c·x` per element, so results are bit-identical to the naive loops
 * (V8 never contracts a*b + c into an FMA).
 *
 * Measured on the 2-core benchmark machine (V8 11.3, N = 784, K = M = 4; ns per j for the
 * fused update + all fields): row-major rows in separate arrays, four per pass: 7.6; this
 * layout with one shared generated function taking the buffers as arguments: 6.2 (and up to
 * 12 once it has seen several buffers); the same with the buffers captured by a per-run
 * closure (V8 then treats them as constants, see `compileStepKernels`): 4.7; plus N and L as
 * literals in the source (V8 drops the bounds check on x and the overflow checks): 3.4.
 * Pitfalls that each cost ~2 ns per j: coefficients read as c[co + k] with a run-time
 * offset; more than ~10 rows per pass before literal indices.
 */

/** A pass: student rows k0 … k0+ks−1 and teacher rows q0 … q0+qs−1. */
export interface Pass {
  k0: number;
  ks: number;
  q0: number;
  qs: number;
}

/**
 * Split K student and M teacher rows into balanced passes of ≤ 6 student rows and ≤ 10 rows
 * in all (beyond that the accumulators spill; measured: K = 6, M = 4 runs best in one pass,
 * and splitting larger K changes little either way).
 */
export function planPasses(K: number, M: number): Pass[] {
  for (let P = Math.max(1, Math.ceil(K / 6), Math.ceil((K + M) / 10)); ; P++) {
    const passes: Pass[] = [];
    let k0 = 0;
    let q0 = 0;
    for (let p = 0; p < P; p++) {
      const ks = Math.floor((K * (p + 1)) / P) - Math.floor((K * p) / P);
      const qs = Math.floor((M * (p + 1)) / P) - Math.floor((M * p) / P);
      passes.push({ k0, ks, q0, qs });
      k0 += ks;
      q0 += qs;
    }
    if (passes.every((p) => p.ks <= 6 && p.ks + p.qs <= 10)) return passes;
  }
}

type Mode = 'fields' | 'update-fields' | 'update';

/**
 * Source of one pass, in its own block scope, over the captured constants m, c, lam, rho and
 * the named input arrays: x (fields) and xp (the previous input, for the update).
 * 'fields': lam/rho = scale · (rows · x). 'update': W_k += c_k · xp. 'update-fields': both,
 * the fields using the updated W (W_k += c_k xp, then λ_k = W_k · x). N and L are literals, so
 * V8 knows every index range and drops the bounds checks.
 */
function passSource(N: number, K: number, M: number, pass: Pass, mode: Mode, x: string, xp: string, decay: boolean): string {
  const L = K + M;
  const { k0, ks, q0, qs } = pass;
  const upd = mode !== 'fields' && ks > 0;
  const dot = mode !== 'update';
  const s: string[] = ['{'];
  const acc: string[] = [];
  if (dot) {
    for (let k = 0; k < ks; k++) acc.push(`a${k} = 0`);
    for (let q = 0; q < qs; q++) acc.push(`b${q} = 0`);
  }
  if (acc.length) s.push(`let ${acc.join(', ')};`);
  if (upd) s.push(`const ${Array.from({ length: ks }, (_, k) => `c${k} = c[${k0 + k}]`).join(', ')};`);
  s.push(`for (let j = 0; j < ${N}; j++) {`);
  s.push(`const o = ${L} * j;`);
  if (dot) s.push(`const z = ${x}[j];`);
  if (upd) s.push(`const p = ${xp}[j];`);
  for (let k = 0; k < ks; k++) {
    const idx = `o + ${k0 + k}`;
    // With weight decay the step is W ← d·W + c·x (d = 1 − ηλ/N, the captured `decay`).
    const old = decay ? `decay * m[${idx}]` : `m[${idx}]`;
    if (upd && dot) s.push(`const w${k} = ${old} + c${k} * p; m[${idx}] = w${k}; a${k} += w${k} * z;`);
    else if (upd) s.push(decay ? `m[${idx}] = ${old} + c${k} * p;` : `m[${idx}] += c${k} * p;`);
    else s.push(`a${k} += m[${idx}] * z;`);
  }
  if (dot) for (let q = 0; q < qs; q++) s.push(`b${q} += m[o + ${K + q0 + q}] * z;`);
  s.push('}');
  if (dot) {
    for (let k = 0; k < ks; k++) s.push(`lam[${k0 + k}] = a${k} * scale;`);
    for (let q = 0; q < qs; q++) s.push(`rho[${q0 + q}] = b${q} * scale;`);
  }
  s.push('}');
  return s.join('\n');
}

export interface StepBuffers {
  /** W and W* interleaved, N blocks of K + M. */
  m: Float64Array;
  /** The two input buffers (length N each): slot 0 and slot 1. */
  x0: Float64Array;
  x1: Float64Array;
  /** Update coefficients c_k (length K). */
  c: Float64Array;
  /** Outputs: student fields (K) and teacher fields (M). */
  lam: Float64Array;
  rho: Float64Array;
}

export interface StepKernels {
  /** λ = scale·W x, ρ = scale·W* x with x = x0 (`fields0`) or x1 (`fields1`). */
  fields0(): void;
  fields1(): void;
  /**
   * W_k += c_k xp, then λ = scale·W x, ρ = scale·W* x, one sweep of m per pass:
   * `updateFields0` with x = x0, xp = x1; `updateFields1` with x = x1, xp = x0.
   */
  updateFields0(): void;
  updateFields1(): void;
  /** W_k += c_k xp with xp = x0 (`update0`) or x1 (`update1`). */
  update0(): void;
  update1(): void;
  /** W_k ← decay·W_k for every student row (minibatches apply the decay once per step). */
  decayStudent(): void;
}

export interface KernelOptions {
  /**
   * Weight decay factor d = 1 − ηλ/N per step (default 1: none, and the generated code is the
   * plain update). With `fuseDecay` the update kernels compute W ← d·W + c·x (B = 1: one update
   * per step); otherwise `decayStudent` applies it once per step.
   */
  decay?: number;
  fuseDecay?: boolean;
}

let kernelSerial = 0;

/**
 * Compile the kernels for these buffers. Each call compiles fresh closures (the source
 * carries a serial number, so V8's compilation cache cannot share them): V8 then compiles each
 * with the captured buffers as constants (function context specialization applies to a
 * function that has only ever had one closure), which takes the typed-array map and
 * base-pointer checks out of the loops, and with N and L literal it also drops the bounds
 * checks. Measured for K = M = 4 on the benchmark machine: 3.4–3.6 ns per j, against 4.7 with
 * run-time offsets and 6.2–12 with buffers passed as arguments to one shared function.
 * Cost: a few milliseconds of compilation per SGD run.
 */
export function compileStepKernels(N: number, K: number, M: number, scale: number, buffers: StepBuffers, options: KernelOptions = {}): StepKernels {
  const passes = planPasses(K, M);
  const updPasses = planPasses(K, 0).filter((p) => p.ks > 0); // the update alone: student rows only
  const decay = options.decay ?? 1;
  const fused = decay !== 1 && options.fuseDecay === true;
  const fn = (name: string, ps: Pass[], mode: Mode, x: string, xp: string) =>
    `function ${name}() {\n${ps.map((p) => passSource(N, K, M, p, mode, x, xp, fused)).join('\n')}\n}`;
  const src = [
    `'use strict'; // tsdyn SGD kernels #${kernelSerial++} for N=${N}, K=${K}, M=${M}`,
    'const m = buffers.m, x0 = buffers.x0, x1 = buffers.x1, c = buffers.c, lam = buffers.lam, rho = buffers.rho;',
    fn('fields0', passes, 'fields', 'x0', ''),
    fn('fields1', passes, 'fields', 'x1', ''),
    fn('updateFields0', passes, 'update-fields', 'x0', 'x1'),
    fn('updateFields1', passes, 'update-fields', 'x1', 'x0'),
    fn('update0', updPasses, 'update', '', 'x0'),
    fn('update1', updPasses, 'update', '', 'x1'),
    `function decayStudent() {\n  for (let j = 0; j < ${N}; j++) {\n${Array.from({ length: K }, (_, k) => `    m[${K + M} * j + ${k}] *= decay;`).join('\n')}\n  }\n}`,
    'return { fields0, fields1, updateFields0, updateFields1, update0, update1, decayStudent };',
  ].join('\n');
  for (const [name, a] of Object.entries(buffers)) {
    const want = name === 'm' ? N * (K + M) : name === 'x0' || name === 'x1' ? N : name === 'rho' ? M : K;
    if (!(a instanceof Float64Array) || a.length !== want) throw new Error(`compileStepKernels: buffers.${name} must be a Float64Array of length ${want}`);
  }
  return new Function('scale', 'buffers', 'decay', src)(scale, buffers, decay) as StepKernels;
}

/** Interleave row-major W (K×N) and W* (M×N) into m (N blocks of K+M). */
export function interleave(W: Float64Array, Wt: Float64Array, N: number, K: number, M: number, m: Float64Array): void {
  const L = K + M;
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) m[j * L + k] = W[k * N + j];
  for (let q = 0; q < M; q++) for (let j = 0; j < N; j++) m[j * L + K + q] = Wt[q * N + j];
}

/** Copy the student rows out of m into row-major W (K×N). */
export function deinterleaveStudent(m: Float64Array, N: number, K: number, M: number, W: Float64Array): void {
  const L = K + M;
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) W[k * N + j] = m[j * L + k];
}
