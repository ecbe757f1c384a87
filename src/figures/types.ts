/**
 * What a figure is: a list of runs (each a validated config plus an engine) and a pure
 * function from their trajectories to a Vega-Lite spec, the plotted data and the metric
 * snapshot. The pipeline does the running, caching and writing; figures never touch disk.
 */
import type { ActivationName } from '../activations/registry.ts';
import type { RunConfig } from '../config.ts';
import type { EngineName } from '../engines.ts';
import type { AlignmentSummary } from '../metrics/alignment.ts';
import type { RunKey, RunResults } from '../runs/key.ts';

/** Which page a preset's figures appear on: the default gallery (figures/index.html) or the ensemble page. */
export type GalleryName = 'default' | 'ensemble';

/** What a preset is, as data the pipeline and the figures read (no code switches on a preset's name). */
export interface PresetEntry {
  /** Whether a plain `make figures` builds it. */
  inDefaultBuild: boolean;
  /**
   * The size of the runs of the figures whose settings only scale with the preset (Figures 1–3, 6–8):
   * 'published' (N = 784 and the published horizons) or 'reduced' (small N, short runs, for CI).
   */
  scale: 'published' | 'reduced';
  /** Where its snapshots go, relative to the output root. */
  snapshotDir: string;
  /** Whether its SVGs and Vega-Lite specs are written (the reduced preset writes snapshots only). */
  render: boolean;
  /** The page its figures appear on (null: none). */
  gallery: GalleryName | null;
  description: string;
}

/**
 * The presets, one registry: what each builds, where its outputs go and whether a plain `make
 * figures` builds it. 'full': the published settings (N = 784). 'ci': a documented reduced preset
 * for CI. 'ensemble': seed ensembles at the published horizon, sized for a GPU (docs/figures.md, "Ensemble
 * preset (GPU)"); only `make figures PRESET=ensemble` builds it.
 */
export const PRESETS = {
  full: { inDefaultBuild: true, scale: 'published', snapshotDir: 'snapshots', render: true, gallery: 'default', description: 'the published settings (N = 784)' },
  ci: { inDefaultBuild: true, scale: 'reduced', snapshotDir: 'snapshots/ci', render: false, gallery: null, description: 'the reduced runs CI repeats' },
  ensemble: {
    inDefaultBuild: false,
    scale: 'published',
    snapshotDir: 'snapshots/ensemble',
    render: true,
    gallery: 'ensemble',
    description: 'seed ensembles: Figures 1–2 at the published horizon t = 10⁴ (GPU-sized), Figure 5 with 20 seeds in every cell (CPU sampler)',
  },
} as const satisfies Record<string, PresetEntry>;
export type Preset = keyof typeof PRESETS;

/** The presets a figure belongs to when it does not say (every figure of the default build). */
export const DEFAULT_FIGURE_PRESETS: readonly Preset[] = (Object.keys(PRESETS) as Preset[]).filter((p) => PRESETS[p].inDefaultBuild);

export interface RunSpec {
  /** The run's name within the figure, e.g. {params: {K: 4}, seed: 1, engine: 'sgd'}; key.engine === engine. */
  key: RunKey;
  engine: EngineName;
  config: RunConfig;
  /** Record a divergence (Trajectory.divergedAt) instead of failing: for stability maps. */
  allowDivergence?: boolean;
}

/** Per-panel metrics, as stored in snapshots/. */
export interface PanelMetrics extends AlignmentSummary {
  /** Display label, e.g. 'K=4' or 'K=4/seed=2'; tolerances group panels by K and seed, never by parsing it. */
  panel: string;
  K: number;
  /** Present on figures with several seeds per K. */
  seed?: number | string;
  /** Present on figures that compare activations (Figure 7): panels are grouped by K and activation. */
  activation?: ActivationName;
  /** sha256 of the run configs behind the panel (sim and ode). */
  configHash: string;
  /**
   * On figures that check the plateau height (Figure 7): the ODE's flattest record before the
   * escape (time, ε_g, |d ln ε/d ln t|) and ln(ε_sim/ε_ode) there (src/metrics/plateau.ts).
   */
  plateauTOde?: number;
  plateauEgOde?: number;
  plateauSlopeOde?: number;
  plateauLogRatio?: number;
}

export interface Snapshot {
  figure: string;
  preset: Preset;
  panels: PanelMetrics[];
  /** Figure-level extras (e.g. spread of final ε_g across initializations). */
  extra?: Record<string, number>;
}

/** ε_g statistics over a seed ensemble at one record time (src/figures/ensemble/). */
export interface EnsembleRecord {
  t: number;
  /** Mean and std across seeds of the simulations' ε_g. */
  meanSim: number;
  stdSim: number;
  /** Mean and std across seeds of ε_g of each seed's own ODE. */
  meanOde: number;
  stdOde: number;
  /** Std across seeds of ε_sim − ε_ode per seed: the SGD noise, without the spread of the starts. */
  stdDiff: number;
}

export interface EnsemblePanel {
  panel: string;
  K: number;
  seeds: number;
  /** sha256 of the run configs of the panel's first seed (sim and ode); the others differ only in seed. */
  configHash: string;
  /** Every few records (subsampled), and the last. */
  records: EnsembleRecord[];
  /** At a few times: the spread in units of 1/√N, std·√N/mean, of ε_sim and of ε_sim − ε_ode. */
  spread: (EnsembleRecord & { simSpreadSqrtN: number; diffSpreadSqrtN: number })[];
}

/** The snapshot of an ensemble figure (snapshots/ensemble/NAME.json). */
export interface EnsembleSnapshot {
  figure: string;
  preset: Preset;
  N: number;
  panels: EnsemblePanel[];
}

export interface BuiltFigure {
  /** Vega-Lite spec with its data inlined (the committed figures/data/*.json is this spec). */
  spec: Record<string, unknown>;
  snapshot: FigureSnapshot;
  /** Optional interactive variant for the HTML gallery. */
  interactiveSpec?: Record<string, unknown>;
}

/**
 * A replication tolerance: a named predicate with its reason. Its scope says what it is
 * evaluated on, so that no check can be skipped by the shape of a snapshot: a 'panel'
 * tolerance runs once per panel (snapshots whose panels carry PanelMetrics), a 'figure'
 * tolerance once on the whole snapshot (figures whose claims are about all panels together,
 * or whose snapshots have no per-panel metrics). checkSnapshot (checks.ts) runs them.
 */
export type Tolerance = PanelTolerance | FigureTolerance;

interface ToleranceText {
  name: string;
  /** Why this bound is the right size (statistics, N, seeds). */
  reason: string;
}

export interface PanelTolerance extends ToleranceText {
  scope: 'panel';
  check(panel: PanelMetrics, snapshot: Snapshot): boolean;
  /** Human-readable description of the measured value, for failure messages. */
  measured(panel: PanelMetrics, snapshot: Snapshot): string;
}

export interface FigureTolerance extends ToleranceText {
  scope: 'figure';
  check(snapshot: FigureSnapshot): boolean;
  measured(snapshot: FigureSnapshot): string;
}

/** Any figure's snapshot: per-panel metrics (and figure-level extras), or a seed ensemble's. */
export type FigureSnapshot = Snapshot | EnsembleSnapshot;

/** An ensemble figure's snapshot is told apart by its N (a Snapshot has none). */
export function isEnsembleSnapshot(s: FigureSnapshot): s is EnsembleSnapshot {
  return typeof (s as EnsembleSnapshot).N === 'number';
}

/** The per-panel bounds the replication tolerances check (src/figures/common.ts), read off a calibration. */
export interface ReplicationBounds {
  /** Escape times agree within this factor (panels where both escape). */
  escapeFactor: number;
  /** max |ln(ε_sim/ε_ode)| before the escape. */
  preEscapeLogRatio: number;
  /** min cosine alignment of Q, R and v before the escape (panels whose theory escapes). */
  preEscapeAlignment: number;
  /** min cosine alignment of Q, R and v over the whole run (every panel). */
  alignment: number;
  /** |ln(final ε_sim/ε_ode)| of panels that stay on the plateau. */
  stuckLogRatio: number;
  /**
   * |ln(ε_sim/ε_ode)| at the ODE's flattest record before the escape: the plateau height. Only on
   * figures whose calibration declares `plateau` (Figure 7), since the others' bounds predate it.
   */
  plateauLogRatio?: number;
}

/**
 * What a theory-vs-simulation figure declares so that `make calibrate` can measure the null
 * distribution of its replication metrics: its panel settings (one per K, or per K and
 * activation on a figure that compares activations) as functions of the seed, and how many
 * seeds per K the figure itself has (the n of its median checks).
 */
export interface CalibrationDeclaration {
  settings(preset: Preset): { K: number; activation?: ActivationName; config: (seed: number) => RunConfig }[];
  seedsPerK: number;
  /** Also measure and bound the plateau height (ReplicationBounds.plateauLogRatio; src/metrics/plateau.ts). */
  plateau?: boolean;
}

export interface FigureDefinition {
  name: string;
  /** The presets that build this figure (default DEFAULT_FIGURE_PRESETS); runs/build/caption are only called with these. */
  presets?: readonly Preset[];
  title: string;
  /** Caption text with every setting stated. */
  caption(preset: Preset): string;
  runs(preset: Preset): RunSpec[];
  build(results: RunResults, preset: Preset): BuiltFigure;
  /** What its committed snapshot must satisfy; a snapshot on which none runs fails (checkSnapshot). */
  tolerances: Tolerance[];
  /** Present on the figures whose tolerances are calibrated (src/figures/calibration.ts). */
  calibration?: CalibrationDeclaration;
  /**
   * For snapshots without per-panel config hashes: a hash of every run's config, which the
   * snapshot records as `runsHash`, so a test can tell it was made from the current runs.
   */
  runsHash?(preset: Preset): string;
}
