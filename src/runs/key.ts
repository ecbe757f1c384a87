/**
 * Structured run keys, shared by the figures and the sweeps: a run is named by the
 * parameters that vary in its study, its seed and its engine, as an object. `runKeyId` gives a
 * canonical string for maps and equality (never parsed back); `formatRunKey` gives a label for
 * people (progress lines, errors).
 */
import type { EngineName } from '../model/engineNames.ts';
import type { Trajectory } from '../trajectory.ts';
import { stableStringify } from './hash.ts';

/** One value of a varied run-config field, as written in a config file. */
export type ParamValue = number | string | boolean | number[];
export type Seed = number | string;

export interface RunKey {
  params: Readonly<Record<string, ParamValue>>;
  /** null: no seed enters the run (an ODE from an explicit `init`, shared by every seed). */
  seed: Seed | null;
  engine: EngineName;
}

/** A canonical string for a run key: object keys sorted, so equal keys give equal ids. */
export function runKeyId(key: RunKey): string {
  return stableStringify(key);
}

/** For people: `K=4 seed=1 sgd`. */
export function formatRunKey(key: RunKey): string {
  const parts = Object.entries(key.params).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : v}`);
  if (key.seed !== null) parts.push(`seed=${key.seed}`);
  parts.push(key.engine);
  return parts.join(' ');
}

/** Trajectories by run key (what a figure's build reads). */
export class RunResults {
  private readonly byId = new Map<string, Trajectory>();

  set(key: RunKey, trajectory: Trajectory): this {
    this.byId.set(runKeyId(key), trajectory);
    return this;
  }

  has(key: RunKey): boolean {
    return this.byId.has(runKeyId(key));
  }

  get(key: RunKey): Trajectory {
    const t = this.byId.get(runKeyId(key));
    if (!t) throw new Error(`figure data: missing run ${formatRunKey(key)}`);
    return t;
  }
}
