/**
 * Which settings the page runs: what the CLI's `tsdyn ode` and `tsdyn sim` would run, with the
 * CLI's default limits (src/resources.ts: memory, samples, the ODE's step budget; the engines'
 * constraints), plus the page's own record cap. A link or a control past them shows one line
 * naming the field and runs nothing: a link with N = 3·10⁷ once took
 * 6.5 GB of a browser tab. Node-free (the page bundles it).
 */
import { ConfigError, type RunConfig } from '../config.ts';
import { checkEngineConfig } from '../engines.ts';
import { checkResources, DEFAULT_LIMITS, recordCount, type ResourceLimits } from '../resources.ts';

/** A run keeps every record in memory and in the plots: more than this is refused with a message. */
export const MAX_RECORDS = 20_000;

/**
 * The CLI's default limits. The heap figure is V8's usual cap on 64-bit machines, Chromium's
 * tab included (the CLI reads its own from V8; a page cannot).
 */
export const EXPLORER_LIMITS: ResourceLimits = { ...DEFAULT_LIMITS, heapBytes: 4 * 2 ** 30 };

/** The two runs the page makes for a setting (src/explorer/run.ts). */
const PAGE_ENGINES = ['ode', 'sgd'] as const;

export interface PageProblem {
  /** The config field to mark in the controls. */
  field: string;
  /** One line, `config.FIELD: …`, as the CLI prints it. */
  message: string;
}

/** Why the page refuses to run this (validated) config, or null. */
export function explorerConfigProblem(config: RunConfig, limits: ResourceLimits = EXPLORER_LIMITS): PageProblem | null {
  // The CLI's own count (closed form, so a huge grid is refused without enumerating it).
  const { count: records, field } = recordCount(config);
  if (records > MAX_RECORDS) {
    return { field, message: `config.${field}: ${records} records is more than the page keeps (${MAX_RECORDS}); use a larger recordEvery or recordScale "log"` };
  }
  try {
    for (const engine of PAGE_ENGINES) {
      checkEngineConfig(engine, config);
      checkResources(engine, config, limits);
    }
  } catch (e) {
    if (e instanceof ConfigError) return { field: e.field, message: `${e.message.replace(/; raise it with .*$/, '')} (tsdyn sim refuses it too)` };
    throw e;
  }
  return null;
}
