/**
 * A resource estimate made before any work: memory (weights, batch buffers, records, output
 * text) and the number of samples a run draws. Past a limit, the run is refused with one line
 * naming the config field that drives the estimate, so `N = 1e9` or `recordEvery = 1e-9`
 * fails in milliseconds instead of filling the machine or spinning for minutes.
 *
 * Counts are closed-form (no record grid is enumerated), so the estimate itself is O(1) for
 * any config. Pure: the limits are passed in (the CLI reads flags and environment).
 *
 * The engine-specific parts (buffers, samples, integrator steps) come from the registry
 * (src/engines.ts). Which engines hold N-sized vectors:
 * - sgd: always — the student and teacher weights (K + M)·N, a copy in the interleaved kernel
 *   layout, and B input vectors; from `init` also the orthonormal basis used to build them.
 * - ode and sampler: only to compute the seeded starting point without `init` (they draw
 *   exactly the weights sgd would draw, once, to share its initial order parameters). With
 *   `init` they never allocate an N-vector.
 */
import { ConfigError, type RunConfig } from './config.ts';
import { bytes, MAX_OUTPUT_BYTES, sci } from './sizes.ts';
import { ENGINES, ODE_STEPS_PER_UNIT_T, type EngineName, type EngineSpec } from './engines.ts';

export interface ResourceLimits {
  /** Bytes of memory a run may need (weights, buffers, records, output text). */
  maxMemoryBytes: number;
  /** Samples (steps × batch size, plus test samples) a simulation may draw. */
  maxSamples: number;
  /** Bytes of JavaScript heap available (records and the output text live there). */
  heapBytes: number;
}

/**
 * Defaults sized for a 24 GB machine shared by a few jobs: 8 GiB of memory per run; 10¹⁰ samples
 * (about 10 h of K = M = 4 SGD at N = 784, ~4 µs per step; the full figures need ≤ 2.4·10⁶ per run).
 */
export const DEFAULT_LIMITS = { maxMemoryBytes: 8 * 2 ** 30, maxSamples: 1e10 } as const;

/** dopri5's own step budget (src/theory/integrators.ts, maxSteps). */
export const ODE_MAX_STEPS = 10_000_000;

/** Bytes per recorded number: ~16 in JS arrays (boxed rows, headers), ~21 as JSON text. */
const HEAP_BYTES_PER_NUMBER = 16;
const TEXT_BYTES_PER_NUMBER = 21;

export interface ResourcePart {
  what: string;
  /** The config field that drives this part (named in the error). */
  field: keyof RunConfig;
  bytes: number;
  /** Whether it lives on the JS heap (arrays, strings) rather than in typed arrays. */
  heap: boolean;
}

export interface ResourceEstimate {
  /** SGD steps (or sampler steps) to tMax: round(tMax·N). */
  steps: number;
  /** ODE only: adaptive integrator steps (see ODE_STEPS_PER_UNIT_T). */
  odeSteps: number;
  /** Samples drawn: steps × batch size + records × test samples (0 for the ODE). */
  samples: number;
  /** Records (an upper bound: times closer than one step coincide). */
  records: number;
  /** Approximate size of the printed JSON. */
  outputBytes: number;
  memoryBytes: number;
  heapBytes: number;
  parts: ResourcePart[];
}

/** Number of records of the grid in recordTimes.ts, without enumerating it. */
export function recordCount(config: Pick<RunConfig, 'N' | 'tMax' | 'recordEvery' | 'recordScale' | 'recordPoints' | 'schedule'>): { count: number; field: keyof RunConfig } {
  const steps = Math.round(config.tMax * config.N);
  const onGrid = config.recordScale === 'linear' ? Math.floor(config.tMax / config.recordEvery + 1e-9) : config.recordPoints;
  const field = config.recordScale === 'linear' ? 'recordEvery' : 'recordPoints';
  // t = 0, t = tMax and every phase boundary are always recorded; records closer than one step coincide.
  return { count: Math.min(onGrid + 2 + (config.schedule?.length ?? 0), steps + 1), field };
}

export function estimateResources(engine: EngineName, config: RunConfig): ResourceEstimate {
  const spec: EngineSpec = ENGINES[engine];
  const steps = Math.round(config.tMax * config.N);
  const { count: records, field: recordField } = recordCount(config);
  const perRecord = spec.numbersPerRecord(config);
  const recordNumbers = records * perRecord;
  // The field to blame: many records, or big records (K).
  const recordsField: keyof RunConfig = records >= perRecord ? recordField : 'K';
  const parts: ResourcePart[] = [
    { what: `${records} records × ${perRecord} numbers`, field: recordsField, bytes: recordNumbers * HEAP_BYTES_PER_NUMBER, heap: true },
    { what: 'output JSON text', field: recordsField, bytes: recordNumbers * TEXT_BYTES_PER_NUMBER, heap: true },
    ...spec.buffers(config).map((b) => ({ ...b, heap: false })),
  ];
  const memoryBytes = parts.reduce((s, p) => s + p.bytes, 0);
  const heapBytes = parts.filter((p) => p.heap).reduce((s, p) => s + p.bytes, 0);
  return {
    steps,
    odeSteps: spec.integratorSteps(config),
    samples: spec.samples(config, records),
    records,
    outputBytes: recordNumbers * TEXT_BYTES_PER_NUMBER,
    memoryBytes,
    heapBytes,
    parts,
  };
}

/** Where the user raises a limit, for the error line. */
export const LIMIT_OVERRIDES = {
  memory: '--max-memory or TSDYN_MAX_MEMORY',
  samples: '--max-samples or TSDYN_MAX_SAMPLES',
} as const;

/** A config whose run would exceed a limit: a ConfigError naming the field that drives it. */
export class ResourceError extends ConfigError {
  constructor(field: string, message: string) {
    super(field, message);
    this.name = 'ResourceError';
  }
}

/** Throw a one-line ResourceError naming the driving field when the estimate is past a limit. */
export function checkResources(engine: EngineName, config: RunConfig, limits: ResourceLimits): ResourceEstimate {
  const e = estimateResources(engine, config);
  const biggest = (heapOnly: boolean) => e.parts.filter((p) => !heapOnly || p.heap).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  if (e.samples > limits.maxSamples) {
    const field = config.testSamples * e.records > e.steps * config.batchSize ? 'testSamples' : 'tMax';
    throw new ResourceError(field, `this run draws about ${sci(e.samples)} samples (tMax·N·batchSize = ${sci(e.steps)}·${config.batchSize}), over the limit ${sci(limits.maxSamples)}; raise it with ${LIMIT_OVERRIDES.samples}`);
  }
  if (e.odeSteps > ODE_MAX_STEPS) {
    throw new ResourceError('tMax', `the ODE would need about ${sci(e.odeSteps)} integrator steps (≈${ODE_STEPS_PER_UNIT_T} per unit of t once converged, bounded by stability), over its limit ${sci(ODE_MAX_STEPS)}`);
  }
  if (e.memoryBytes > limits.maxMemoryBytes) {
    const p = biggest(false);
    throw new ResourceError(p.field, `this run needs about ${bytes(e.memoryBytes)} of memory (mostly ${p.what}: ${bytes(p.bytes)}), over the limit ${bytes(limits.maxMemoryBytes)}; raise it with ${LIMIT_OVERRIDES.memory}`);
  }
  if (e.outputBytes > MAX_OUTPUT_BYTES) {
    const p = biggest(true);
    throw new ResourceError(p.field, `the output would be about ${bytes(e.outputBytes)} (${e.records} records), over the ${bytes(MAX_OUTPUT_BYTES)} one JSON text can hold; record fewer times`);
  }
  if (e.heapBytes > 0.8 * limits.heapBytes) {
    const p = biggest(true);
    throw new ResourceError(p.field, `the records and output need about ${bytes(e.heapBytes)} of JavaScript heap, over the ${bytes(0.8 * limits.heapBytes)} available (node --max-old-space-size raises it); record fewer times`);
  }
  return e;
}
