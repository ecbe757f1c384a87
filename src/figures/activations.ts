/**
 * Figure 7 — the same question across activations: linear, erf and ReLU soft committees.
 *
 * Rows K ∈ {2, 4} students, columns the activation g of teacher and student (the registry's
 * linear, erf and ReLU), against an M = 4 teacher at the blog's N = 784: ε_g(t) of online SGD
 * and of the ODE from the same initial weights, log–log, as Figure 1. A linear network is one
 * linear map, so any K represents the teacher and its error decays exponentially from the
 * start (no plateau); erf and ReLU students first sit on the symmetric plateau, and K < M
 * stays above the teacher. The snapshot records, per panel, the replication metrics of
 * Figures 1–3 (calibrated the same way) and, as figure-level extras, what the caption states:
 * plateau heights, escape times, final levels.
 */
import { ACTIVATIONS, type ActivationName } from '../activations/registry.ts';
import { ACTIVATION_REPLICATION_BOUNDS } from './replicationBounds.ts';
import { validateConfig, type RunConfig } from '../config.ts';
import { generalizationError } from '../theory/generalizationError.ts';
import type { RunResults } from '../runs/key.ts';
import type { Trajectory } from '../trajectory.ts';
import {
  config,
  describeSettings,
  egRows,
  extraOf,
  getSimOdePair,
  panelMetrics,
  powersOfTen,
  replicationTolerances,
  round,
  simOdePair,
  sourceColor,
  sourceDash,
} from './common.ts';
import type { FigureDefinition, FigureSnapshot, FigureTolerance, PanelMetrics, PanelTolerance, Preset, RunSpec, Snapshot } from './types.ts';

/** The columns, in order: no plateau, the blog's sigmoid, the rectifier. */
export const FIGURE_ACTIVATIONS = ['linear', 'erf', 'relu'] as const satisfies readonly ActivationName[];
export type FigureActivation = (typeof FIGURE_ACTIVATIONS)[number];
export const ACTIVATION_KS = [2, 4];
const M = 4;
const ESCAPE_THRESHOLD = 1e-2;
/** Column titles. */
const LABEL: Record<FigureActivation, string> = { linear: 'linear', erf: 'erf', relu: 'ReLU' };

/**
 * η = 0.25 for every column: Figure 1's η = 0.5 puts the linear K = 4 network exactly on its
 * stability edge (its ODE is dε/dt = −Kη(2 − Kη)·c·ε, marginal at Kη = 2, where ε_g stays at its
 * initial value), and Kη = 1 is the linear network's fastest rate. The other settings are
 * Figure 1's; t ≤ 2000 leaves the erf K = 4 escape (t ≈ 600 at this η) room to scatter.
 */
export function activationsConfig(activation: FigureActivation, K: number, preset: Preset): RunConfig {
  const full = preset === 'full';
  return config({
    model: 'soft-committee',
    N: full ? 784 : 300,
    K,
    M,
    lr: 0.25,
    sigma: 0,
    batchSize: 1,
    tMax: full ? 2000 : 600,
    recordEvery: 0.1,
    recordScale: 'log',
    recordPoints: full ? 250 : 80,
    seed: 1,
    teacherScale: 1,
    studentScale: 0.5,
    activation,
  });
}

function runs(preset: Preset): RunSpec[] {
  return FIGURE_ACTIVATIONS.flatMap((activation) => ACTIVATION_KS.flatMap((K) => simOdePair({ activation, K }, activationsConfig(activation, K, preset))));
}

/** A replication tolerance that checks only the panels of one activation (each column has its own calibrated bounds). */
function onlyActivation(activation: FigureActivation, t: PanelTolerance): PanelTolerance {
  return { ...t, name: `${LABEL[activation]} panels: ${t.name}`, check: (p, s) => p.activation !== activation || t.check(p, s) };
}

/**
 * ε_g of a student that outputs 0 (v = 0): ½⟨(Σ_m v*_m g(ρ_m))²⟩, the teacher's output power,
 * the scale on which plateau heights of different g compare.
 */
export function generalizationErrorOfZeroStudent(T: number[][], vTeacher: number[], activation: ActivationName): number {
  const Mt = T.length;
  return generalizationError(
    { K: 1, M: Mt, Q: new Float64Array(1), R: new Float64Array(Mt), T: Float64Array.from(T.flat()), v: new Float64Array(1), vTeacher: Float64Array.from(vTeacher) },
    activation,
  );
}

/** The figure-level numbers of one panel (snapshot extras, keyed `<activation>/K=<K>/<name>`). */
function panelExtras(activation: FigureActivation, K: number, ode: Trajectory, extra: Record<string, number>): void {
  extra[`${activation}/K=${K}/eg0`] = round(ode.eg[0], 6);
}

function build(results: RunResults, preset: Preset) {
  const data: Record<string, string | number>[] = [];
  const panels: PanelMetrics[] = [];
  const extra: Record<string, number> = {};
  for (const activation of FIGURE_ACTIVATIONS) {
    for (const K of ACTIVATION_KS) {
      const cfg = activationsConfig(activation, K, preset);
      const [sim, ode] = getSimOdePair(results, { activation, K }, cfg);
      const where = { activation: LABEL[activation], K: `K = ${K}` };
      data.push(...egRows(sim, 'simulation', where), ...egRows(ode, 'theory', where));
      panels.push(panelMetrics({ K, activation }, sim, ode, cfg, { escapeThreshold: ESCAPE_THRESHOLD, plateau: true }));
      panelExtras(activation, K, ode, extra);
      if (K === ACTIVATION_KS[0]) extra[`${activation}/egZeroStudent`] = round(generalizationErrorOfZeroStudent(ode.T, ode.vTeacher, activation), 6);
    }
  }
  const cfg = activationsConfig('erf', 4, preset);
  const maxIter = Math.round(cfg.tMax * cfg.N);
  const xScale = { type: 'log', domain: [50, maxIter], nice: false };
  const xAxis = { values: powersOfTen(100, maxIter), format: '.0e', title: 'iterations (SGD steps)', grid: false };
  const yValues = powersOfTen(1e-5, 1);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'The same question across activations: linear, erf and ReLU soft committees', subtitle: `${describeSettings(cfg).replace(/, t ≤.*/, '')}, seed ${cfg.seed}` },
    data: { values: data },
    facet: {
      row: { field: 'K', type: 'ordinal', title: null, sort: ACTIVATION_KS.map((K) => `K = ${K}`), header: { labelFontSize: 13, labelAngle: 0, labelAlign: 'left' } },
      column: { field: 'activation', type: 'ordinal', title: null, sort: FIGURE_ACTIVATIONS.map((a) => LABEL[a]), header: { labelFontSize: 13 } },
    },
    spec: {
      width: 210,
      height: 160,
      mark: { type: 'line', strokeWidth: 1.6, clip: true },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', scale: xScale, axis: xAxis },
        y: { field: 'eg', type: 'quantitative', scale: { type: 'log', domain: [1e-5, 4] }, axis: { title: 'generalization error ε_g', format: '.0e', values: yValues } },
        color: sourceColor,
        strokeDash: sourceDash,
        detail: { field: 'source' },
      },
    },
    config: { legend: { orient: 'top' } },
  };
  const snapshot: Snapshot = { figure: 'activations', preset, panels, extra };
  return { spec, snapshot };
}

/**
 * The numbers the caption states (full preset, seed 1), as data: a figure tolerance checks each
 * against the committed snapshot to the digits printed, so the caption cannot drift from what the
 * runs gave. Times are t = steps/N; the escape is the first time ε_g < 10⁻²; the plateau is the
 * ODE's flattest record before the escape (src/metrics/plateau.ts), with its log–log slope.
 */
export const ACTIVATIONS_ANSWER = {
  linear: { reach: { 2: { ode: '7.3', sim: '7.2' }, 4: { ode: '5.6', sim: '5.5' } } },
  erf: { plateau: '0.041', plateauT: '19', zeroStudent: '0.69', escapeOde: '596', escapeSim: '595', k2Final: '0.040' },
  relu: { plateau: '0.300', plateauT: '21', zeroStudent: '2.01', escapeOde: '284', escapeSim: '154', k2Final: '0.215' },
} as const;

/** x agrees with the printed number `stated` to its digits (half a unit of its last decimal). */
function asPrinted(x: number | null | undefined, stated: string): boolean {
  if (x === null || x === undefined || !Number.isFinite(x)) return false;
  const decimals = (stated.split('.')[1] ?? '').length;
  return Math.abs(x - Number(stated)) <= 0.5 * 10 ** -decimals + 1e-12;
}

const panelOf = (s: FigureSnapshot, a: FigureActivation, K: number) => (s as Snapshot).panels.find((p) => p.activation === a && p.K === K);

/** Slopes below this are a plateau (the erf and ReLU curves sit at 0.002–0.012); ln 2 bounds a pure exponential from below. */
const PLATEAU_SLOPE = 0.05;

const captionTolerance: FigureTolerance = {
  scope: 'figure',
  name: "the caption's numbers (ACTIVATIONS_ANSWER) are the snapshot's, to the digits printed; linear panels have no plateau (flattest log–log slope ≥ ln 2), erf and ReLU K = 4 one (≤ 0.05)",
  reason:
    'The caption states when each linear network reaches 10⁻², the plateau heights and escape times of erf and ReLU and the K = 2 levels; each is checked against the panel metrics it summarises. An error that decays exponentially from the start has log–log slope ct ≥ ln 2 once it has halved, so "no plateau" is the flattest slope of the linear ODE curves being at least ln 2; the erf and ReLU K = 4 curves stay ten times flatter than 0.05 on their plateaus.',
  check: (s) => {
    const A = ACTIVATIONS_ANSWER;
    const e = extraOf(s);
    const linear = ACTIVATION_KS.every((K) => {
      const p = panelOf(s, 'linear', K);
      const r = A.linear.reach[K as 2 | 4];
      return !!p && asPrinted(p.escapeTimeOde, r.ode) && asPrinted(p.escapeTimeSim, r.sim) && p.plateauSlopeOde! >= Math.LN2;
    });
    const sig = (['erf', 'relu'] as const).every((a) => {
      const p4 = panelOf(s, a, 4);
      const p2 = panelOf(s, a, 2);
      const x = A[a];
      return (
        !!p4 &&
        !!p2 &&
        asPrinted(p4.plateauEgOde, x.plateau) &&
        asPrinted(p4.plateauTOde, x.plateauT) &&
        p4.plateauSlopeOde! < PLATEAU_SLOPE &&
        asPrinted(p4.escapeTimeOde, x.escapeOde) &&
        asPrinted(p4.escapeTimeSim, x.escapeSim) &&
        asPrinted(e[`${a}/egZeroStudent`], x.zeroStudent) &&
        p2.escapeTimeOde === null &&
        asPrinted(p2.finalEgOde, x.k2Final)
      );
    });
    return linear && sig;
  },
  measured: (s) =>
    JSON.stringify(
      (s as Snapshot).panels.map((p) => [p.panel, p.escapeTimeOde, p.escapeTimeSim, p.plateauTOde, p.plateauEgOde, p.plateauSlopeOde, p.finalEgOde]),
    ),
};

const pct = (x: string, of: string) => `${Math.round((100 * Number(x)) / Number(of))}%`;

export const activationsFigure: FigureDefinition = {
  name: 'activations',
  title: 'Figure 7 — The same question across activations: linear, erf and ReLU',
  caption: (preset) => {
    const c = activationsConfig('erf', 4, preset);
    const A = ACTIVATIONS_ANSWER;
    const B = ACTIVATION_REPLICATION_BOUNDS;
    return (
      `Online SGD of soft committee students (v = 1, not trained) on an M = 4 soft committee teacher with the same activation g: ` +
      `linear g(u) = ${ACTIVATIONS.linear.formula}, erf g(u) = ${ACTIVATIONS.erf.formula} and ReLU g(u) = ${ACTIVATIONS.relu.formula} by column, ` +
      `K ∈ {2, 4} by row; solid blue: simulation (ε_g from the measured order parameters), dashed red: the ODE from the simulation's ` +
      `initial order parameters (each activation's Gaussian averages, src/activations). Settings: ${describeSettings(c)}, seed ${c.seed}; ` +
      `η = 0.25 rather than Figure 1's 0.5, which puts the linear K = 4 network on its stability edge Kη = 2. Full-preset numbers ` +
      `(t = steps/N; escape: ε_g < 10⁻²). Linear networks have no specialization plateau: a linear student is one linear map, so ` +
      `K = 2 < M represents the teacher as well as K = 4, and ε_g decays exponentially from the start (once ε_g has halved, the ODE's ` +
      `log–log slope stays steeper than ln 2 ≈ 0.69, as a pure exponential's does), reaching 10⁻² at t = ${A.linear.reach[2].ode} (K = 2) and ${A.linear.reach[4].ode} ` +
      `(K = 4) in the ODE, ${A.linear.reach[2].sim} and ${A.linear.reach[4].sim} in SGD. Erf and ReLU students with K = 4 first sit on a plateau: ` +
      `ε_g = ${A.erf.plateau} for erf (flattest at t ≈ ${A.erf.plateauT}; ${pct(A.erf.plateau, A.erf.zeroStudent)} of the ${A.erf.zeroStudent} ` +
      `a zero output would score) against ${A.relu.plateau} for ReLU (t ≈ ${A.relu.plateauT}; ${pct(A.relu.plateau, A.relu.zeroStudent)} of ${A.relu.zeroStudent}), ` +
      `and both reach the teacher after the escape, ReLU ${(Number(A.erf.escapeOde) / Number(A.relu.escapeOde)).toFixed(1)}× sooner: at t = ${A.relu.escapeOde} in the ODE ` +
      `(${A.relu.escapeSim} in this SGD run) against ${A.erf.escapeOde} for erf (${A.erf.escapeSim}). ReLU leaves its plateau through a long, ` +
      `kinked descent where single runs part from their ODE: calibrated on 50 seeds, a run's escape time may differ from its ODE's ` +
      `by ×${B.relu.escapeFactor} (erf ×${B.erf.escapeFactor}), while its plateau height agrees to |ln ratio| ≤ ${B.relu.plateauLogRatio} ` +
      `(erf ${B.erf.plateauLogRatio}). With K = 2 < M neither reaches the teacher: erf ends at ε_g = ${A.erf.k2Final}, ReLU at ${A.relu.k2Final}.`
    );
  },
  runs,
  build,
  tolerances: [
    ...FIGURE_ACTIVATIONS.flatMap((a) =>
      replicationTolerances(ACTIVATION_REPLICATION_BOUNDS[a], { tMax: activationsConfig(a, 2, 'full').tMax }).map((t) => onlyActivation(a, t)),
    ),
    captionTolerance,
  ],
  calibration: {
    settings: (preset) =>
      FIGURE_ACTIVATIONS.flatMap((activation) =>
        ACTIVATION_KS.map((K) => ({ K, activation, config: (seed: number) => validateConfig({ ...activationsConfig(activation, K, preset), seed }) })),
      ),
    seedsPerK: 1,
    plateau: true,
  },
};
