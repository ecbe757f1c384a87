/**
 * The sweep file: a base run config, the fields to vary (cartesian `grid`, plus `zip` groups
 * of fields varied together), the seeds, the engines and the summary metrics wanted.
 *
 * `validateSweep` checks a parsed JSON value at the boundary (one-line errors naming the path,
 * e.g. `sweep.grid.lr[3]: must be > 0, got -1`); `expandSweep` turns the validated spec, or a
 * design a program declares with typed values (`sweepAxes`), into the list of runs. Every run carries a structured key (its varied parameters, seed and
 * engine as an object), so nothing downstream parses ids back with regexes.
 *
 * The ODE is deterministic given its initial order parameters, so it appears once per
 * distinct ODE input: without `init`, its initial condition is drawn from the run's seeded
 * weights (the same draw as the simulation's), so there is one ODE per (parameters, seed);
 * with an explicit `base.init` the seed does not enter and one ODE serves every seed. Fields
 * the ODE ignores (`testSamples`; with `init` also the seed and the weight scales) never
 * split ODE runs.
 */
import { ConfigError, DEFAULT_CONFIG, OPTIONAL_FIELDS, validateConfig, type RunConfig } from '../config.ts';
import { ENGINE_NAMES, ENGINES } from '../engines.ts';
import { stableStringify } from '../runs/hash.ts';
import { formatRunKey, runKeyId, type ParamValue, type RunKey, type Seed } from '../runs/key.ts';

export { runKeyId, type RunKey, type Seed };

// The engines a sweep can run: every engine of the registry (src/engines.ts). Spelled from the
// names rather than as an alias, so the generated schema keeps one enum named SweepEngine.
export type SweepEngine = (typeof ENGINE_NAMES)[number];

/**
 * The summary metrics a sweep table can hold, one column each. `needsOde`: the metric
 * compares a simulation run with its ODE, so it is empty for ODE rows and for sweeps without
 * the ode engine.
 */
export const SWEEP_METRICS = {
  finalEg: { needsOde: false, description: 'ε_g at the last record of the run' },
  escapeTime: { needsOde: false, description: 'first t with ε_g < escapeThreshold (plateau escape), empty if never' },
  divergedAt: { needsOde: false, description: 't at which the run diverged, empty if it completed' },
  finalEgOde: { needsOde: true, description: "ε_g at the last record of the run's ODE" },
  escapeTimeOde: { needsOde: true, description: "the ODE's escape time" },
  maxAbsLogRatio: { needsOde: true, description: 'max over records of |ln(ε_sim/ε_ode)| where both ε ≥ egFloor' },
  minAlignQ: { needsOde: true, description: 'min over records of the cosine alignment of Q (sim vs ODE)' },
  minAlignR: { needsOde: true, description: 'min over records of the cosine alignment of R' },
  minAlignV: { needsOde: true, description: 'min over records of the cosine alignment of v' },
} as const;
export type SweepMetric = keyof typeof SWEEP_METRICS;

/** Run-config fields a sweep can vary (the seed has its own `seeds`; `init` is base-only). */
export type SweepField = Exclude<keyof RunConfig, 'seed' | 'init'>;
export const SWEEP_FIELDS = [...Object.keys(DEFAULT_CONFIG), ...OPTIONAL_FIELDS].filter((f) => f !== 'seed' && f !== 'init') as SweepField[];

/** One value of a varied field, as written in the file. */
export type SweepValue = ParamValue;

/** Values for varied fields: field name → list of values. */
export type SweepValues = { [F in SweepField]?: RunConfig[F][] };

/** The sweep file as written (JSON). `sweep.schema.json` is generated from this type. */
export interface SweepFile {
  /** Path or URL of the JSON Schema (for editors); ignored by tsdyn. */
  $schema?: string;
  /** Free text describing the sweep; ignored by tsdyn. */
  description?: string;
  /** The run config every run starts from (defaults filled in for missing fields). */
  base?: Partial<RunConfig>;
  /** Fields to vary, each over a list of values; the runs are the cartesian product. */
  grid?: SweepValues;
  /**
   * Groups of fields varied together: within a group every list has the same length and the
   * i-th values go together (e.g. {"N": [200, 784], "tMax": [100, 300]}); each group is one
   * more axis of the cartesian product.
   */
  zip?: SweepValues[];
  /**
   * Seeds: a count n (seeds 1 … n) or an explicit list. Default: the base seed.
   * @minimum 1
   */
  seeds?: number | Seed[];
  /** Engines to run at every point; default ["ode", "sampler"]. */
  engines?: SweepEngine[];
  /** Summary metrics for the table; default all that the engines allow. */
  metrics?: SweepMetric[];
  /**
   * ε_g below which a run has escaped its plateau (escape-time metrics). Default 0.01.
   * @exclusiveMinimum 0
   */
  escapeThreshold?: number;
  /**
   * ε_g below which log-ratios are not taken (numerical zero). Default 1e-5.
   * @exclusiveMinimum 0
   */
  egFloor?: number;
}

/** One axis of the product: a single grid field, or a zip group. values[i] lists one value per field. */
export interface SweepAxis {
  fields: SweepField[];
  values: SweepValue[][];
  /** Where each field's list is in the file (`sweep.grid.lr`, `sweep.zip[0].N`), for errors. */
  paths: string[];
}

/**
 * What expandSweep turns into runs: a base config, the axes of the product, the seeds and the
 * engines. A sweep file becomes one through validateSweep; a program (a figure) declares one
 * directly, its axes made by sweepAxes from typed field values.
 */
export interface SweepDesign {
  /** The base config (merged with each point's values, then validated). */
  base: Readonly<Record<string, unknown>>;
  axes: SweepAxis[];
  seeds: readonly Seed[];
  engines: readonly SweepEngine[];
}

/** A validated sweep file: its design and what its table reports. */
export interface SweepSpec extends SweepDesign {
  seeds: Seed[];
  engines: SweepEngine[];
  metrics: SweepMetric[];
  escapeThreshold: number;
  egFloor: number;
}

/**
 * A run of the sweep. Its key holds the varied parameters (in the file's order), the seed and
 * the engine; the seed is null for an ODE that no seed enters (explicit `init`).
 */
export interface SweepRun {
  key: RunKey;
  engine: SweepEngine;
  config: RunConfig;
  /** Simulation runs, when the sweep has the ode engine: the key of the ODE to compare with. */
  ode?: RunKey;
}

/** Upper bound on the number of runs one sweep may expand to (no sweep grows without bound). */
export const MAX_SWEEP_RUNS = 100_000;

export class SweepError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'SweepError';
  }
}

const TOP_LEVEL_FIELDS = new Set(['$schema', 'description', 'base', 'grid', 'zip', 'seeds', 'engines', 'metrics', 'escapeThreshold', 'egFloor']);

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The message of a ConfigError without its `config.<field>: ` prefix. */
function configMessage(e: ConfigError): string {
  const prefix = `config.${e.field}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/**
 * Where a config field of the point `params` is set in the sweep file: the value of a varied
 * field (`sweep.grid.N[2]`, `sweep.zip[0].tMax[1]`), `sweep.seeds`, or else `sweep.base.FIELD`.
 * Errors about one run name this, so the user edits the right value.
 */
export function sweepFieldPath(spec: Pick<SweepSpec, 'axes'>, params: Readonly<Record<string, SweepValue>>, field: string): string {
  if (field === 'seed') return 'sweep.seeds';
  const top = field.split(/[.[]/)[0];
  for (const axis of spec.axes) {
    const j = (axis.fields as string[]).indexOf(top);
    if (j < 0 || !(top in params)) continue;
    const value = stableStringify(params[top]);
    const i = axis.values.findIndex((tuple) => stableStringify(tuple[j]) === value);
    return `${axis.paths[j]}[${i}]${field.slice(top.length)}`;
  }
  return `sweep.base.${field}`;
}

/** A point and seed for people (`N=784 seed=1`): the run label without its engine. */
function pointLabel(params: Readonly<Record<string, SweepValue>>, seed: Seed): string {
  return formatRunKey({ params, seed, engine: 'ode' }).replace(/ ode$/, '');
}

/** Validate `config`; a ConfigError becomes a SweepError at `path` (+ the field it names). */
function validateAt(config: Record<string, unknown>, path: string): RunConfig {
  try {
    return validateConfig(config);
  } catch (e) {
    if (e instanceof ConfigError) throw new SweepError(`${path}.${e.field}`, configMessage(e));
    throw e;
  }
}

function positiveNumber(raw: unknown, path: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || !(raw > 0)) {
    throw new SweepError(path, `must be a finite number > 0, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function nameList<T extends string>(raw: unknown, path: string, registry: Record<T, unknown>, fallback: T[]): T[] {
  if (raw === undefined) return fallback;
  const names = Object.keys(registry);
  if (!Array.isArray(raw) || raw.length === 0) throw new SweepError(path, `must be a non-empty list of ${names.join(', ')}`);
  raw.forEach((x, i) => {
    if (typeof x !== 'string' || !names.includes(x)) {
      throw new SweepError(`${path}[${i}]`, `must be one of ${names.join(', ')}, got ${JSON.stringify(x)}`);
    }
    if (raw.indexOf(x) !== i) throw new SweepError(`${path}[${i}]`, `${JSON.stringify(x)} is listed twice`);
  });
  return raw as T[];
}

function validateSeeds(raw: unknown, base: Record<string, unknown>): Seed[] {
  if (raw === undefined) return [(base.seed as Seed | undefined) ?? DEFAULT_CONFIG.seed];
  if (base.seed !== undefined) throw new SweepError('sweep.base.seed', 'remove it: the seeds are set by sweep.seeds');
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw) || raw < 1 || raw > MAX_SWEEP_RUNS) {
      throw new SweepError('sweep.seeds', `must be a count (integer 1 … ${MAX_SWEEP_RUNS}) or a list of seeds, got ${JSON.stringify(raw)}`);
    }
    return Array.from({ length: raw }, (_, i) => i + 1);
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new SweepError('sweep.seeds', `must be a count or a non-empty list of seeds, got ${JSON.stringify(raw)}`);
  }
  if (raw.length > MAX_SWEEP_RUNS) throw new SweepError('sweep.seeds', `lists ${raw.length} seeds, more than the limit of ${MAX_SWEEP_RUNS} runs`);
  // A seed names its random streams by its text ("<seed>:init", "<seed>:data"), so 1 and "1"
  // (and 0 and -0) are one seed: listing both would count one run twice as independent.
  const seen = new Map<string, number>();
  raw.forEach((s, i) => {
    if (!(typeof s === 'string' || (typeof s === 'number' && Number.isSafeInteger(s)))) {
      throw new SweepError(`sweep.seeds[${i}]`, `must be an integer (|seed| < 2^53) or a string, got ${JSON.stringify(s)}`);
    }
    const k = String(s);
    const first = seen.get(k);
    if (first !== undefined) {
      const same = JSON.stringify(raw[first]) === JSON.stringify(s);
      throw new SweepError(`sweep.seeds[${i}]`, same ? `seed ${JSON.stringify(s)} is listed twice` : `seed ${JSON.stringify(s)} is the same seed as ${JSON.stringify(raw[first])} (sweep.seeds[${first}]): seeds are named by their text`);
    }
    seen.set(k, i);
  });
  return raw as Seed[];
}

/**
 * Check one field's list of values: a known sweepable field, a non-empty list, and every
 * value valid for that field on top of the base (errors about other fields, which only a
 * combination can cause, are left to expandSweep).
 */
function validateValues(field: string, raw: unknown, path: string, base: Record<string, unknown>): SweepValue[] {
  if (field === 'seed') throw new SweepError(path, 'vary seeds with sweep.seeds');
  if (field === 'init') throw new SweepError(path, 'init can only be set in sweep.base');
  if (!(SWEEP_FIELDS as string[]).includes(field)) throw new SweepError(path, 'unknown field');
  if (!Array.isArray(raw) || raw.length === 0) throw new SweepError(path, 'must be a non-empty list of values');
  // Before checking each value: a list longer than the run limit is refused at once.
  if (raw.length > MAX_SWEEP_RUNS) throw new SweepError(path, `lists ${raw.length} values, more than the limit of ${MAX_SWEEP_RUNS} runs`);
  const seen = new Set<string>();
  raw.forEach((value, i) => {
    try {
      validateConfig({ ...base, [field]: value });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      if (e.field === field || e.field.startsWith(`${field}[`) || e.field.startsWith(`${field}.`)) {
        throw new SweepError(`${path}[${i}]${e.field.slice(field.length)}`, configMessage(e));
      }
    }
    const k = stableStringify(value);
    if (seen.has(k)) throw new SweepError(`${path}[${i}]`, `value ${k} is listed twice`);
    seen.add(k);
  });
  return raw as SweepValue[];
}

/** Validate a parsed sweep file. Throws SweepError with a one-line message naming the path. */
export function validateSweep(raw: unknown): SweepSpec {
  if (!isPlainObject(raw)) throw new SweepError('sweep', 'must be a JSON object');
  for (const key of Object.keys(raw)) if (!TOP_LEVEL_FIELDS.has(key)) throw new SweepError(`sweep.${key}`, 'unknown field');

  if (raw.base !== undefined && !isPlainObject(raw.base)) throw new SweepError('sweep.base', 'must be a run config object');
  const base: Record<string, unknown> = { ...((raw.base as Record<string, unknown> | undefined) ?? {}) };
  delete base.$schema;
  validateAt(base, 'sweep.base');

  const axes: SweepAxis[] = [];
  const varied = new Map<string, string>();
  const claim = (field: string, path: string) => {
    const earlier = varied.get(field);
    if (earlier) throw new SweepError(path, `already varied by ${earlier}`);
    varied.set(field, path);
  };

  if (raw.grid !== undefined) {
    if (!isPlainObject(raw.grid)) throw new SweepError('sweep.grid', 'must be an object of field → list of values');
    for (const [field, values] of Object.entries(raw.grid)) {
      const path = `sweep.grid.${field}`;
      const checked = validateValues(field, values, path, base);
      claim(field, path);
      axes.push({ fields: [field as SweepField], values: checked.map((v) => [v]), paths: [path] });
    }
  }
  if (raw.zip !== undefined) {
    if (!Array.isArray(raw.zip)) throw new SweepError('sweep.zip', 'must be a list of groups {field: [values], …}');
    raw.zip.forEach((group, g) => {
      const gpath = `sweep.zip[${g}]`;
      if (!isPlainObject(group) || Object.keys(group).length === 0) {
        throw new SweepError(gpath, 'must be a non-empty object of field → list of values');
      }
      const fields = Object.keys(group) as SweepField[];
      const lists = fields.map((f) => validateValues(f, group[f], `${gpath}.${f}`, base));
      lists.forEach((list, j) => {
        if (list.length !== lists[0].length) {
          throw new SweepError(`${gpath}.${fields[j]}`, `must have ${lists[0].length} values like ${gpath}.${fields[0]}, got ${list.length}`);
        }
      });
      fields.forEach((f) => claim(f, `${gpath}.${f}`));
      axes.push({ fields, values: lists[0].map((_, i) => lists.map((l) => l[i])), paths: fields.map((f) => `${gpath}.${f}`) });
    });
  }

  const seeds = validateSeeds(raw.seeds, base);
  const engines = nameList(raw.engines, 'sweep.engines', ENGINES, ['ode', 'sampler']);
  const hasOde = engines.includes('ode');
  const defaultMetrics = (Object.keys(SWEEP_METRICS) as SweepMetric[]).filter((m) => hasOde || !SWEEP_METRICS[m].needsOde);
  const metrics = nameList(raw.metrics, 'sweep.metrics', SWEEP_METRICS, defaultMetrics);
  if (!hasOde) {
    metrics.forEach((m, i) => {
      if (SWEEP_METRICS[m].needsOde) throw new SweepError(`sweep.metrics[${i}]`, `${m} compares with the ODE: add "ode" to sweep.engines`);
    });
  }
  const escapeThreshold = positiveNumber(raw.escapeThreshold, 'sweep.escapeThreshold', 0.01);
  const egFloor = positiveNumber(raw.egFloor, 'sweep.egFloor', 1e-5);

  const spec: SweepSpec = { base, axes, seeds, engines, metrics, escapeThreshold, egFloor };
  const count = sweepRunCount(spec);
  if (count > MAX_SWEEP_RUNS) throw new SweepError('sweep', `expands to ${count} runs, more than the limit of ${MAX_SWEEP_RUNS}`);
  return spec;
}

/** Number of parameter points (product of the axis lengths). */
export function sweepPointCount(spec: Pick<SweepSpec, 'axes'>): number {
  return spec.axes.reduce((n, a) => n * a.values.length, 1);
}

/** Upper bound on the runs (the exact count after ODE deduplication is expandSweep(spec).length). */
export function sweepRunCount(spec: Pick<SweepSpec, 'axes' | 'seeds' | 'engines'>): number {
  return sweepPointCount(spec) * spec.seeds.length * spec.engines.length;
}

/** The parameter points in row-major order (the first axis varies slowest). */
export function sweepPoints(spec: Pick<SweepSpec, 'axes'>): Record<string, SweepValue>[] {
  let points: Record<string, SweepValue>[] = [{}];
  for (const axis of spec.axes) {
    const next: Record<string, SweepValue>[] = [];
    for (const p of points) {
      for (const tuple of axis.values) {
        const q = { ...p };
        axis.fields.forEach((f, j) => (q[f] = tuple[j]));
        next.push(q);
      }
    }
    points = next;
  }
  return points;
}

/**
 * The axes of a sweep declared in code: one axis per group, whose fields vary together (one
 * field: a grid axis; several: a zip group). Values are typed by their field, so the compiler
 * checks what validateSweep checks in a file; each point's config is still validated when the
 * sweep expands. Errors name a field as `axes[i].field`.
 */
export function sweepAxes(groups: readonly SweepValues[]): SweepAxis[] {
  return groups.map((group, i) => {
    const fields = Object.keys(group) as SweepField[];
    const lists = fields.map((f) => group[f] as SweepValue[]);
    if (fields.length === 0 || lists.some((l) => l.length === 0 || l.length !== lists[0].length)) {
      throw new SweepError(`axes[${i}]`, 'every field of an axis needs the same non-zero number of values');
    }
    return { fields, values: lists[0].map((_, j) => lists.map((l) => l[j])), paths: fields.map((f) => `axes[${i}].${f}`) };
  });
}

/** A point's config; a ConfigError names where the offending field is set, and the point. */
function validatePoint(spec: SweepDesign, params: Record<string, SweepValue>, seed: Seed): RunConfig {
  try {
    return validateConfig({ ...spec.base, ...params, seed });
  } catch (e) {
    if (e instanceof ConfigError) throw new SweepError(sweepFieldPath(spec, params, e.field), `${configMessage(e)} (run ${pointLabel(params, seed)})`);
    throw e;
  }
}

/**
 * A run's key and config with the fields its engine ignores taken out: the key names only the
 * parameters that change its output (and no seed when none enters), and the config holds the
 * ignored fields at their defaults, so its cache key does not depend on which point or seed
 * happened to come first.
 */
function canonicalRun(engine: SweepEngine, config: RunConfig, params: Record<string, SweepValue>, seed: Seed): { key: RunKey; config: RunConfig } {
  const ignored = new Set<string>(ENGINES[engine].ignoredFields(config));
  if (ignored.size === 0) return { key: { params, seed, engine }, config };
  const kept = Object.fromEntries(Object.entries(params).filter(([f]) => !ignored.has(f)));
  const canonical: Record<string, unknown> = { ...config };
  for (const f of ignored) canonical[f] = DEFAULT_CONFIG[f as keyof RunConfig];
  return { key: { params: kept, seed: ignored.has('seed') ? null : seed, engine }, config: canonical as unknown as RunConfig };
}

/**
 * Expand a sweep (a validated file, or a design declared in code) into its runs: for each
 * parameter point (row-major), each seed,
 * each engine, in the order the file lists them. Runs that differ only in fields their engine
 * ignores (see the module comment) are one run, listed at its first use; each simulation run
 * names its ODE in `ode`.
 */
export function expandSweep(spec: SweepDesign): SweepRun[] {
  const runs: SweepRun[] = [];
  const listed = new Set<string>();
  for (const params of sweepPoints(spec)) {
    for (const seed of spec.seeds) {
      const config = validatePoint(spec, params, seed);
      const odeKey = spec.engines.includes('ode') ? canonicalRun('ode', config, params, seed).key : undefined;
      for (const engine of spec.engines) {
        const run = canonicalRun(engine, config, params, seed);
        const id = runKeyId(run.key);
        if (listed.has(id)) continue;
        listed.add(id);
        runs.push({ key: run.key, engine, config: run.config, ...(odeKey && engine !== 'ode' ? { ode: odeKey } : {}) });
      }
    }
  }
  return runs;
}
