/**
 * Generator of the WGSL compute shader that trains a batch of R independent runs by online
 * SGD (the update of `reference.ts`; Saad & Solla 1995 eq. (3), Goldt et al. 2019 eq. (4)).
 * Everything shared by the batch (N, K, M, B, trainV, the thread layout) is a compile-time
 * constant, so loops have constant bounds and the driver can unroll them and keep the
 * per-thread weights in registers.
 *
 * Layout and why (designed for an H100-class GPU; a software adapter runs it too):
 *  - One workgroup per run, TPR threads. A run is a strictly sequential chain of steps,
 *    so parallelism within a run is over the N inputs; thousands of runs fill the GPU
 *    (an H100 holds 132 SMs × up to 2048 resident threads).
 *  - Thread t owns the input blocks j = t + q·TPR (q < BPT) of 4 consecutive inputs: it draws
 *    exactly those inputs (one Philox call per block) and keeps the matching 4·BPT·(K+M)
 *    weights (student and teacher) in private memory for the whole dispatch. Global memory
 *    is touched only at dispatch start/end (coalesced vec4 loads/stores: consecutive threads
 *    own consecutive blocks), so a step costs no DRAM traffic. BPT is chosen so a thread
 *    holds ≤ ~128 weight floats (register budget 255 on NVIDIA), TPR a multiple of 32 (warp).
 *  - The K + M fields λ = Wx/√N, ρ = W*x/√N are summed per thread, then by a tree reduction
 *    in workgroup memory laid out [field][thread] (consecutive threads hit consecutive banks);
 *    every thread then reads the K + M sums and computes Δ, g, g' and v redundantly, which
 *    saves a broadcast barrier. ⌈log₂ TPR⌉ + 2 barriers per sample.
 *  - Persistent loop: one dispatch runs `last − first` steps (thousands) so launch overhead is
 *    amortized; records (Q, R, v, ε_g) are reduced on the GPU at the end of a dispatch when
 *    asked and written to a records buffer that the host reads back in bulk.
 *  - Every variable that is written inside a loop body is (re)initialized explicitly in that
 *    body: Dawn's Vulkan backend zeroes a `var` declared in a loop body only once, so an
 *    implicitly zeroed accumulator would carry over from the previous iteration.
 *  - f32 throughout. g and g' are the activation's WGSL (src/activations/registry.ts).
 *  - Weight decay (when some run of the batch has it): W ← W − (ηλ/N)·W + …, written with the
 *    small rate ηλ/N rather than the factor 1 − ηλ/N, whose f32 rounding (6·10⁻⁸ relative)
 *    would compound into a drift of order 10⁻² over 10⁶ steps.
 *  - Several teachers (continual learning, src/model/schedule.ts): a run's weights hold the
 *    student's K rows and every teacher's M rows (K + P·M rows), but a dispatch never spans two
 *    phases, so it loads only the student and the active teacher (named in the control block)
 *    into registers: the step is the one-teacher step, with no extra work. Records compute R
 *    against every teacher's rows, read from global memory, one teacher unit per reduction
 *    round. With several teachers the v buffer has a head slot per teacher, side by side, and a
 *    dispatch trains the slot its control block names: heads "multi" uses one per teacher,
 *    "single" only slot 0. So single- and multi-head batches of the same shape share one
 *    shader. With one teacher the generated shader is exactly the one-teacher shader of before.
 *
 * Bindings (group 0): 0 params (per run: Philox key, η, σ, η₂, λ, v* of every teacher, each
 * teacher's own T block), 1 weights, 2 heads + status, 3 records (status word stored as f32: 1 + divergence
 * step, exact below 2²⁴), 4 the dispatch's control block (uniform, dynamic offset).
 */

import { activationOf, DEFAULT_ACTIVATION, type ActivationName } from '../activations/registry.ts';

export interface ShaderSpec {
  N: number;
  K: number;
  M: number;
  /** Minibatch size B. */
  B: number;
  /** Train the second layer at η/N (two-layer with trainSecondLayer). */
  trainV: boolean;
  /** Draw label noise ξ (some run of the batch has σ > 0). */
  noise: boolean;
  /** Apply weight decay (some run of the batch has λ > 0). */
  decay?: boolean;
  /** Activation of teacher and student (undefined: erf). */
  activation?: ActivationName;
  /** Teachers P (undefined: 1); each has M units. */
  teachers?: number;
  /** Threads per run (workgroup size). */
  threadsPerRun: number;
  /** Testing only: a deliberately wrong update without the second layer's η/N step, for power checks. */
  variant?: 'exact' | 'noSecondLayerStep';
}

/** Sizes derived from a spec, shared by the shader and the host's buffer layout. */
export interface ShaderLayout {
  /** Real input blocks ⌈N/4⌉. */
  blocks: number;
  /** Blocks per thread. */
  bpt: number;
  /** Padded blocks per weight row: TPR·BPT (padding weights stay exactly 0: their inputs are 0). */
  paddedBlocks: number;
  /** Fields of a step K + M: the student's and the active teacher's units (kept in registers). */
  fields: number;
  /** Weight rows per run K + P·M: the student's, then every teacher's units in teacher order. */
  rows: number;
  /** Teacher units P·M. */
  units: number;
  /** Head slots H: 1 with one teacher, else one per teacher (heads "single" uses slot 0 only). */
  heads: number;
  /** Overlaps per record: Q upper triangle (k ≤ l) then R (k, u) over every teacher unit u. */
  pairs: number;
  /** Reduction rounds of a record (the control block's `chunks`). */
  recordRounds: number;
  /** f32 words per record: pairs, heads (H·K), ε_g, status. */
  recordWords: number;
  /** u32 words of parameters per run: key (2), η, σ, η₂, λ, v* (P·M), each teacher's T block (P·M·M). */
  paramWords: number;
  /** u32 words of heads + status per run. */
  vWords: number;
}

/** u32 words before v* in a run's parameters: key (2), η, σ, η₂, λ. */
export const PARAM_HEAD = 6;

/** Bytes between control blocks (WebGPU's minUniformBufferOffsetAlignment is at most 256). */
export const CONTROL_STRIDE = 256;

export function shaderLayout(spec: Pick<ShaderSpec, 'N' | 'K' | 'M' | 'threadsPerRun' | 'teachers'>): ShaderLayout {
  const { N, K, M, threadsPerRun: tpr } = spec;
  const P = spec.teachers ?? 1;
  const H = P;
  const U = P * M;
  const blocks = Math.ceil(N / 4);
  const bpt = Math.ceil(blocks / tpr);
  const qPairs = (K * (K + 1)) / 2;
  const pairs = qPairs + K * U;
  const F = K + M;
  return {
    blocks,
    bpt,
    paddedBlocks: tpr * bpt,
    fields: F,
    rows: K + U,
    units: U,
    heads: H,
    pairs,
    // One teacher: every overlap from registers, F per round. Several: Q F per round, then one teacher unit per round.
    recordRounds: P === 1 ? Math.ceil(pairs / F) : Math.ceil(qPairs / F) + U,
    recordWords: pairs + H * K + 2,
    // T only within each teacher (what the f32 ε_g of the active teacher needs), not (P·M)²
    paramWords: PARAM_HEAD + U + P * M * M,
    vWords: H * K + 1,
  };
}

/**
 * Threads per run: enough that a thread holds at most ~32 vec4 of weights (128 floats, so
 * they stay in registers), rounded up to a warp multiple, within the device's limit.
 */
export function defaultThreadsPerRun(N: number, K: number, M: number, maxThreads: number): number {
  const blocks = Math.ceil(N / 4);
  const bptTarget = Math.max(1, Math.floor(32 / (K + M)));
  const tpr = Math.ceil(Math.ceil(blocks / bptTarget) / 32) * 32;
  return Math.max(1, Math.min(tpr, maxThreads, 256));
}

/** Index of Q_kl (k ≤ l) in a record. */
export function qIndex(k: number, l: number, K: number): number {
  const [a, b] = k <= l ? [k, l] : [l, k];
  return a * K - (a * (a - 1)) / 2 + (b - a);
}

/** Index of R_km in a record. */
export function rIndex(k: number, m: number, K: number, M: number): number {
  return (K * (K + 1)) / 2 + k * M + m;
}

const f = (x: number): string => {
  if (!Number.isFinite(x)) throw new Error(`wgsl: non-finite constant ${x}`);
  const s = x.toPrecision(9);
  return /[.e]/.test(s) ? s : `${s}.0`;
};

export function generateSgdShader(spec: ShaderSpec): string {
  const { N, K, M, B, trainV, noise, threadsPerRun: TPR } = spec;
  const decay = spec.decay === true;
  const teachers = spec.teachers ?? 1;
  for (const [name, val, min] of [['N', N, 1], ['K', K, 1], ['M', M, 1], ['B', B, 1], ['threadsPerRun', TPR, 1], ['teachers', teachers, 1]] as const)
    if (!Number.isInteger(val) || val < min) throw new Error(`wgsl: ${name} must be an integer ≥ ${min}, got ${val}`);
  const L = shaderLayout(spec);
  const H = L.heads;
  const F = L.fields;
  const P = L.pairs;
  // Several teachers: the active one's units and head are named by the control block. With one,
  // every expression below is the one-teacher shader's (multi = false, H = 1).
  const multi = teachers > 1;
  const U = L.units;
  const QP = (K * (K + 1)) / 2;
  /** Offset of the active head's v in the run's heads. */
  const headOff = H > 1 ? 'ctl.head * K + ' : '';
  /** The run's weight-row stride: K + M with one teacher (the old F), K + P·M with several. */
  const ROWS = multi ? 'ROWS' : 'F';
  let p2 = 1;
  while (p2 < TPR) p2 *= 2;
  const vFactor = spec.variant === 'noSecondLayerStep' ? 0 : 1 / N;

  // Record: every thread's partial overlaps, unrolled with constant indices (so `w` keeps
  // constant indexing and stays in registers), then reduced F at a time in a loop whose bound
  // comes from the control block: one reduceFields call site instead of ⌈P/F⌉ (each inlined
  // barrier multiplies compile time on some drivers; llvmpipe took ~50 s for K = M = 8).
  // With several teachers only Q goes through `part`; R follows in rounds of one teacher unit
  // (its rows read from global memory: only the active teacher is in registers), in the same
  // loop so that reduceFields keeps a single call site.
  const pairList: [number, number][] = [];
  for (let k = 0; k < K; k++) for (let l = k; l < K; l++) pairList.push([k, l]);
  if (!multi) for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) pairList.push([k, K + m]);
  const partPairs = pairList.length;
  const chunks = Math.ceil(partPairs / F);
  let recordCode = `    var part: array<f32, ${chunks * F}>;\n    for (var i = 0u; i < ${chunks * F}u; i++) { part[i] = 0.0; }\n`;
  pairList.forEach(([a, b], p) => {
    recordCode += `    for (var q = 0u; q < BPT; q++) { part[${p}u] = part[${p}u] + dot(w[q * F + ${a}u], w[q * F + ${b}u]); }\n`;
  });
  if (!multi)
    recordCode += `    for (var c = 0u; c < ctl.chunks; c++) {
      for (var j = 0u; j < F; j++) { red[j * TPR + t] = part[c * F + j]; }
      reduceFields(t);
      if (t == 0u) {
        for (var j = 0u; j < F; j++) {
          if (c * F + j < ${P}u) { rec[base + c * F + j] = red[j * TPR] * INV_N; }
        }
      }
      workgroupBarrier();
    }
`;
  else
    recordCode += `    for (var c = 0u; c < ctl.chunks; c++) {
      if (c < ${chunks}u) {
        for (var j = 0u; j < F; j++) { red[j * TPR + t] = part[c * F + j]; }
      } else {
        // R_ku for teacher unit u = c − ${chunks} (rows K + u), k < K
        let row = (r * ROWS + K + c - ${chunks}u) * NBP + t;
        for (var k = 0u; k < K; k++) {
          var acc: f32 = 0.0;
          for (var q = 0u; q < BPT; q++) { acc = acc + dot(w[q * F + k], wbuf[row + q * TPR]); }
          red[k * TPR + t] = acc;
        }
      }
      reduceFields(t);
      if (t == 0u) {
        if (c < ${chunks}u) {
          for (var j = 0u; j < F; j++) {
            if (c * F + j < ${QP}u) { rec[base + c * F + j] = red[j * TPR] * INV_N; }
          }
        } else {
          for (var k = 0u; k < K; k++) { rec[base + ${QP}u + k * PM + c - ${chunks}u] = red[k * TPR] * INV_N; }
        }
      }
      workgroupBarrier();
    }
`;

  const maskLast = N % 4 !== 0;
  return `// tsdyn online SGD batch: N=${N} K=${K} M=${M} B=${B} trainV=${trainV} noise=${noise} decay=${decay} activation=${spec.activation ?? DEFAULT_ACTIVATION} TPR=${TPR}${multi ? ` teachers=${teachers}` : ''}
const N: u32 = ${N}u;
const K: u32 = ${K}u;
const M: u32 = ${M}u;
const F: u32 = ${F}u;
${multi ? `const ROWS: u32 = ${L.rows}u;\nconst PM: u32 = ${U}u;\n` : ''}const B: u32 = ${B}u;
const TPR: u32 = ${TPR}u;
const TPR_POW2: u32 = ${p2}u;
const BPT: u32 = ${L.bpt}u;
const NBLK: u32 = ${L.blocks}u;
const NBP: u32 = ${L.paddedBlocks}u;
const PARAM: u32 = ${L.paramWords}u;
const VW: u32 = ${L.vWords}u;
const REC: u32 = ${L.recordWords}u;
const INV_SQRT_N: f32 = ${f(1 / Math.sqrt(N))};
const INV_N: f32 = ${f(1 / N)};
const V_FACTOR: f32 = ${f(vFactor)};
const TWO_PI: f32 = ${f(2 * Math.PI)};
const TWO_M24: f32 = 5.9604644775390625e-8;
const XI_BLOCK: u32 = 0xffffffffu;

// fields = F and chunks = ⌈pairs/F⌉, passed at run time on purpose: the record loops are cold
// (once per record) and would blow up compile time if the compiler unrolled them.
${multi ? `// chunks: the record's reduction rounds; teacher, head: the phase's active teacher and head slot
// (a dispatch never spans two phases).
` : ''}struct Control { first: u32, last: u32, record: u32, slot: u32, runs: u32, fields: u32, chunks: u32${multi ? ', teacher: u32, head: u32' : ''} }

@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> wbuf: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> vstat: array<u32>;
@group(0) @binding(3) var<storage, read_write> rec: array<f32>;
@group(0) @binding(4) var<uniform> ctl: Control;

var<workgroup> red: array<f32, ${F * TPR}>;

// 32×32 → 64-bit product as (hi, lo); the high word from 16-bit halves (WGSL has no mulhi).
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let aL = a & 0xffffu; let aH = a >> 16u; let bL = b & 0xffffu; let bH = b >> 16u;
  let lh = aL * bH; let hl = aH * bL;
  let mid = ((aL * bL) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2<u32>(aH * bH + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), a * b);
}

// Philox4x32-10 (Salmon et al. 2011), as src/gpu/philox.ts.
fn philox(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c: vec4<u32> = ctr;
  var k: vec2<u32> = key;
  for (var i = 0u; i < 10u; i++) {
    if (i > 0u) { k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u); }
    let p0 = mulhilo(0xd2511f53u, c.x);
    let p1 = mulhilo(0xcd9e8d57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
  }
  return c;
}

// Box–Muller on the top 24 bits of each word: u ∈ (0, 1], φ ∈ [−π, π) (philox.ts).
fn gauss4(ctr: vec4<u32>, key: vec2<u32>) -> vec4<f32> {
  let u = philox(ctr, key);
  let r0 = sqrt(-2.0 * log((f32(u.x >> 8u) + 1.0) * TWO_M24));
  let a0 = TWO_PI * (f32(u.y >> 8u) * TWO_M24 - 0.5);
  let r1 = sqrt(-2.0 * log((f32(u.z >> 8u) + 1.0) * TWO_M24));
  let a1 = TWO_PI * (f32(u.w >> 8u) * TWO_M24 - 0.5);
  return vec4<f32>(r0 * cos(a0), r0 * sin(a0), r1 * cos(a1), r1 * sin(a1));
}

${activationOf(spec.activation).wgsl(f)}
// Covariance of fields p, q (p ≤ q) of the record at base: Q, R from the record, T from the params${multi ? ' (teacher fields: the active teacher\'s units)' : ''}.
fn cov(base: u32, pb: u32, p: u32, q: u32) -> f32 {
  if (q < K) { return rec[base + p * K - (p * (p - 1u)) / 2u + (q - p)]; }
${multi
    ? `  let u0 = ctl.teacher * M;
  if (p < K) { return rec[base + ${QP}u + p * PM + u0 + (q - K)]; }
  return bitcast<f32>(params[pb + ${PARAM_HEAD}u + PM + ctl.teacher * M * M + (p - K) * M + (q - K)]);`
    : `  if (p < K) { return rec[base + ${(K * (K + 1)) / 2}u + p * M + (q - K)]; }
  return bitcast<f32>(params[pb + ${PARAM_HEAD}u + M + (p - K) * M + (q - K)]);`}
}

// ε_g = ½ Σ_pq a_p a_q I2(p,q), a = (−v, v*) (Saad & Solla 1995 eq. (5); Goldt et al. 2019 eq. (7)),
// with the activation's I2 (act_i2); f32, for the divergence check (the host recomputes it in f64).
fn egRecord(base: u32, pb: u32, v: array<f32, ${K}>, vt: array<f32, ${M}>) -> f32 {
  var s: f32 = 0.0;
  for (var p = 0u; p < ctl.fields; p++) {
    let ap = select(vt[min(p - K, M - 1u)], -v[min(p, K - 1u)], p < K);
    let cpp = cov(base, pb, p, p);
    s = s + ap * ap * act_i2(cpp, cpp, cpp);
    for (var q = p + 1u; q < ctl.fields; q++) {
      let aq = select(vt[min(q - K, M - 1u)], -v[min(q, K - 1u)], q < K);
      s = s + 2.0 * ap * aq * act_i2(cpp, cov(base, pb, q, q), cov(base, pb, p, q));
    }
  }
  return 0.5 * s;
}

// Sum red[f·TPR + 0 … TPR−1] into red[f·TPR] for every field row f (tree; TPR need not be a power of 2).
fn reduceFields(t: u32) {
  workgroupBarrier();
  for (var off = TPR_POW2 / 2u; off > 0u; off = off >> 1u) {
    if (t < off && t + off < TPR) {
      for (var f = 0u; f < F; f++) { red[f * TPR + t] = red[f * TPR + t] + red[f * TPR + t + off]; }
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(${TPR})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let r = wid.x;
  let pb = r * PARAM;
  let key = vec2<u32>(params[pb], params[pb + 1u]);
  let lr = bitcast<f32>(params[pb + 2u]);
  let sigma = bitcast<f32>(params[pb + 3u]);
  let lr2 = bitcast<f32>(params[pb + 4u]);
  let wd = bitcast<f32>(params[pb + 5u]);
  var vt: array<f32, ${M}>;
  for (var m = 0u; m < M; m++) { vt[m] = bitcast<f32>(params[pb + ${PARAM_HEAD}u + ${multi ? 'ctl.teacher * M + ' : ''}m]); }
  var v: array<f32, ${K}>;
  for (var k = 0u; k < K; k++) { v[k] = bitcast<f32>(vstat[r * VW + ${headOff}k]); }
  // 0 while the run is healthy; otherwise 1 + the step at which its error signal blew up.
  var dead: u32 = vstat[r * VW + ${H > 1 ? `${H * K}u` : 'K'}];
  var w: array<vec4<f32>, ${L.bpt * F}>;
  for (var q = 0u; q < BPT; q++) {
${multi
    ? `    // the student's rows, then the active teacher's (rows K + teacher·M + m)
    for (var f = 0u; f < F; f++) { w[q * F + f] = wbuf[(r * ROWS + f + select(0u, ctl.teacher * M, f >= K)) * NBP + t + q * TPR]; }`
    : `    for (var f = 0u; f < F; f++) { w[q * F + f] = wbuf[(r * F + f) * NBP + t + q * TPR]; }`}
  }
  let wScale = lr * INV_SQRT_N / f32(B);
  let vScale = lr2 * V_FACTOR / f32(B);
  // weight decay per step: W loses (ηλ/N)·W, v loses (η₂λ/N)·v
  let wRate = lr * wd * INV_N;
  let vRate = lr2 * wd * INV_N;
  var xs: array<vec4<f32>, ${B * L.bpt}>;
  var cs: array<f32, ${B * K}>;
  var dv: array<f32, ${K}>;
  var lam: array<f32, ${K}>;
  for (var s = ctl.first; s < ctl.last; s++) {
    var dsum: f32 = 0.0;
    for (var k = 0u; k < K; k++) { dv[k] = 0.0; }
    for (var b = 0u; b < B; b++) {
      for (var q = 0u; q < BPT; q++) {
        let j = t + q * TPR;
        var x: vec4<f32> = vec4<f32>(0.0);
        if (j < NBLK) {
          x = gauss4(vec4<u32>(j, b, s, 0u), key);
${maskLast ? '          x = select(x, vec4<f32>(0.0), vec4<u32>(4u * j) + vec4<u32>(0u, 1u, 2u, 3u) >= vec4<u32>(N));\n' : ''}        }
        xs[b * BPT + q] = x;
      }
      for (var f = 0u; f < F; f++) {
        var acc: f32 = 0.0;
        for (var q = 0u; q < BPT; q++) { acc = acc + dot(w[q * F + f], xs[b * BPT + q]); }
        red[f * TPR + t] = acc;
      }
      reduceFields(t);
      var delta: f32 = 0.0;
${noise ? '      delta = sigma * gauss4(vec4<u32>(XI_BLOCK, b, s, 0u), key).x;\n' : ''}      for (var m = 0u; m < M; m++) { delta = delta + vt[m] * act_g(red[(K + m) * TPR] * INV_SQRT_N); }
      for (var k = 0u; k < K; k++) {
        lam[k] = red[k * TPR] * INV_SQRT_N;
        delta = delta - v[k] * act_g(lam[k]);
      }
      for (var k = 0u; k < K; k++) {
        cs[b * K + k] = wScale * v[k] * act_gprime(lam[k]) * delta;
        dv[k] = dv[k] + act_g(lam[k]) * delta;
      }
      dsum = dsum + delta;
      workgroupBarrier();
    }
    // A non-finite or huge error signal freezes the run (the host reports it as diverged).
    let alive = dead == 0u && abs(dsum) < 1e15;
    if (dead == 0u && !alive) { dead = s + 1u; }
${decay ? `    for (var q = 0u; q < BPT; q++) {
      for (var k = 0u; k < K; k++) { w[q * F + k] = w[q * F + k] - select(0.0, wRate, alive) * w[q * F + k]; }
    }
` : ''}    for (var b = 0u; b < B; b++) {
      for (var q = 0u; q < BPT; q++) {
        for (var k = 0u; k < K; k++) {
          w[q * F + k] = w[q * F + k] + select(0.0, cs[b * K + k], alive) * xs[b * BPT + q];
        }
      }
    }
${trainV ? `    for (var k = 0u; k < K; k++) { v[k] = v[k]${decay ? ' - select(0.0, vRate, alive) * v[k]' : ''} + select(0.0, vScale * dv[k], alive); }\n` : ''}  }
  for (var q = 0u; q < BPT; q++) {
    for (var f = 0u; f < K; f++) { wbuf[(r * ${ROWS} + f) * NBP + t + q * TPR] = w[q * F + f]; }
  }
  if (t == 0u) {
    for (var k = 0u; k < K; k++) { vstat[r * VW + ${headOff}k] = bitcast<u32>(v[k]); }
    vstat[r * VW + ${H > 1 ? `${H * K}u` : 'K'}] = dead;
  }
  if (ctl.record == 1u) {
    let base = (ctl.slot * ctl.runs + r) * REC;
${recordCode}    if (t == 0u) {
${H > 1
    ? `      // every head: the trained one from registers, the others as stored
      for (var h = 0u; h < ${H}u; h++) {
        for (var k = 0u; k < K; k++) { rec[base + ${P}u + h * K + k] = select(bitcast<f32>(vstat[r * VW + h * K + k]), v[k], h == ctl.head); }
      }`
    : `      for (var k = 0u; k < K; k++) { rec[base + ${P}u + k] = v[k]; }`}
      rec[base + ${P + H * K}u] = egRecord(base, pb, v, vt);
      rec[base + ${P + H * K + 1}u] = f32(dead);
    }
  }
}
`;
}
