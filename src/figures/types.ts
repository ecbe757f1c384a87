/**
 * What a figure is: a list of runs (each a validated config plus an engine) and a pure
 * function from their trajectories to a Vega-Lite spec, the plotted data and the metric
 * snapshot. The pipeline does the running, caching and writing; figures never touch disk.
 */
import type { RunConfig } from '../config.ts';
import type { EngineName } from '../engines.ts';
import type { AlignmentSummary } from '../metrics/alignment.ts';
import type { Trajectory } from '../trajectory.ts';

/** 'full': the published settings (N = 784). 'ci': a documented reduced preset for CI. */
export type Preset = 'full' | 'ci';

export interface RunSpec {
  /** Stable name within the figure, e.g. 'K=4/seed=1/sgd'. */
  id: string;
  engine: EngineName;
  config: RunConfig;
  /** Record a divergence (Trajectory.divergedAt) instead of failing: for stability maps. */
  allowDivergence?: boolean;
}

/** Per-panel metrics, as stored in snapshots/. */
export interface PanelMetrics extends AlignmentSummary {
  panel: string;
  /** sha256 of the run configs behind the panel (sim and ode). */
  configHash: string;
}

export interface Snapshot {
  figure: string;
  preset: Preset;
  panels: PanelMetrics[];
  /** Figure-level extras (e.g. spread of final ε_g across initializations). */
  extra?: Record<string, number>;
}

export interface BuiltFigure {
  /** Vega-Lite spec with its data inlined (the committed figures/data/*.json is this spec). */
  spec: Record<string, unknown>;
  snapshot: Snapshot;
  /** Optional interactive variant for the HTML gallery. */
  interactiveSpec?: Record<string, unknown>;
}

/** A replication tolerance: a named predicate over a panel's metrics, with its reason. */
export interface Tolerance {
  name: string;
  /** Why this bound is the right size (statistics, N, seeds). */
  reason: string;
  check(panel: PanelMetrics, snapshot: Snapshot): boolean;
  /** Human-readable description of the measured value, for failure messages. */
  measured(panel: PanelMetrics, snapshot: Snapshot): string;
}

export interface FigureDefinition {
  name: string;
  title: string;
  /** Caption text with every setting stated. */
  caption(preset: Preset): string;
  runs(preset: Preset): RunSpec[];
  build(results: Map<string, Trajectory>, preset: Preset): BuiltFigure;
  tolerances: Tolerance[];
}
