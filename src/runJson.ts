/**
 * What a run prints: one pure function from a run to its JSON text, shared by the CLI and
 * the browser explorer (so a download there is byte-identical to `tsdyn … --out`). Node-free
 * on purpose: no fs, no process.
 *
 * Provenance: the output records the tool and its version, the engine and
 * backend that made it, and the full validated config (defaults filled in), so a file alone
 * says how to reproduce it.
 */
import { DEFAULT_ACTIVATION, type ActivationName } from './activations/registry.ts';
import type { RunConfig } from './config.ts';
import type { Backend, EngineName } from './model/engineNames.ts';
import type { Trajectory } from './trajectory.ts';

export interface Provenance {
  tool: 'tsdyn';
  version: string;
  engine: EngineName;
  backend: Backend;
  /** The activation of teacher and student (the config leaves out the default, erf). */
  activation: ActivationName;
}

export function provenance(version: string, engine: EngineName, backend: Backend, config: Pick<RunConfig, 'activation'>): Provenance {
  return { tool: 'tsdyn', version, engine, backend, activation: config.activation ?? DEFAULT_ACTIVATION };
}

/** The config as validated, without undefined-valued keys (JSON would drop them anyway). */
function plainConfig(config: RunConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
}

/** `tsdyn ode|sim` output: provenance, config, then the trajectory's arrays. One line + "\n". */
export function runJson(run: { provenance: Provenance; config: RunConfig; trajectory: Trajectory }): string {
  return `${JSON.stringify({ provenance: run.provenance, config: plainConfig(run.config), ...run.trajectory })}\n`;
}

/** `tsdyn compare --json|--out` output: provenance of both runs, config and the metrics, indented. */
export function compareJson(run: { provenance: Provenance[]; config: RunConfig; summary: unknown; teachers?: unknown[] }): string {
  return `${JSON.stringify({ provenance: run.provenance, config: plainConfig(run.config), summary: run.summary, ...(run.teachers ? { teachers: run.teachers } : {}) }, null, 2)}\n`;
}
