/**
 * Figure 5's captions: every setting, the theory's edges, and the answer in numbers
 * (VALIDITY_ANSWER and ENSEMBLE_ANSWER, each checked by a tolerance in claims.ts).
 */
import type { ModelKind } from '../../config.ts';
import { Q_SATURATION } from '../../theory/stability.ts';
import type { Preset } from '../types.ts';
import { edgesFor, EG_FLOOR, FOLLOW_BOUND } from './analyse.ts';
import { ENSEMBLE_ANSWER, N_SCALING, VALIDITY_ANSWER } from './claims.ts';
import { CAPTION_STATES_ANSWER, SETTINGS_BY_PRESET, settingsOf, widthsOf, type Settings } from './study.ts';

/** A signed number with a true minus sign, as the captions print them. */
const fmtSigned = (x: number) => (x < 0 ? `−${-x}` : String(x));

const fmtLr = (x: number | null) => (x === null ? '∞' : String(Number(x.toPrecision(3))));

/** The caption's answer, from VALIDITY_ANSWER (checked by a tolerance) and the theory's edges. */
function answer(s: Settings): string {
  const A = VALIDITY_ANSWER;
  const fail = (m: ModelKind) => edgesFor(m, s).odeFailLr.map((f) => fmtLr(f.lr)).join(', ');
  const etaC = edgesFor('soft-committee', s).etaC;
  return (
    `Answer: SGD fails (×) where the ODE from the same start fails, η = ${fail('soft-committee')} for the soft committee and ${fail('two-layer')} ` +
    `for the two-layer net at σ = ${s.sigmas.join(', ')}, within one grid step at every N. Below that, the ODE follows SGD within a factor ` +
    `e^${FOLLOW_BOUND} in ε (mean max|ln ratio| < ${FOLLOW_BOUND}) for the two-layer net at every η and σ for N ≥ ${A.twoLayerAllEtaFromN} ` +
    `(wherever no seed fails), and for the soft committee with noise (σ ≥ 0.5) at every N ≥ ${A.softNoisyAllEtaFromN}. Without noise the soft ` +
    `committee follows only for N ≥ ${A.softNoiselessFromN} and η ≤ ${A.softNoiselessLrMax} (${fmtLr(A.softNoiselessLrMax / etaC)} η_c): at N ≤ 784 ` +
    `its escape from the symmetric plateau is noise-driven and the discrepancy reaches ${A.softNoiselessSmallNWorst}–1.7. SGD still completes ` +
    `just above η_c (η = 2.4) within ηt = ${s.etaT}: the instability grows slowly there.`
  );
}

export function validityMapCaption(preset: Preset): string {
  const s = settingsOf(preset);
  const Ns = s.groups.flatMap((g) => g.Ns);
  return (
    `Discrepancy between finite-N SGD (the exact order-parameter sampler, same law as full SGD) and the ODE, soft committee and ` +
    `two-layer network, K = M = 2, over η ∈ {${s.lrs.join(', ')}} (each run to ηt = ${s.etaT}: through the plateau and the specialization), ` +
    `σ ∈ {${s.sigmas.join(', ')}}, N ∈ {${Ns.join(', ')}}; seeds per N: ${s.groups.map((g) => `${g.seeds} at N = ${g.Ns.join(', ')}${g.lrMin > s.lrs[0] ? ` (η ≥ ${g.lrMin})` : ''}`).join('; ')}. ` +
    `All runs start from one fixed draw of the order parameters (student scale 0.5), so one ODE serves every seed. ` +
    `Colour: mean over seeds of max_t |ln(ε_sim/ε_ode)| (ε ≥ ${EG_FLOOR}); ×: SGD diverged or saturated (Q_kk > ${Q_SATURATION}) for at least half the seeds. ` +
    `Solid red line: η_c = ${fmtLr(edgesFor('soft-committee', s).etaC)}, where the perfect student loses stability (eigenvalues of the ODE's Jacobian; ` +
    `2.307 at T = I for both models, against π√3/K for large K, Saad & Solla 1995); dashed, per σ row: the η beyond which the ODE itself fails from this start. ` +
    (CAPTION_STATES_ANSWER[preset] ? answer(s) : '')
  );
}

/** The complete grid's caption: its settings, then Figure 5's answer (on its K = 2 cells) and what the grid adds. */
export function ensembleValidityMapCaption(): string {
  const s = SETTINGS_BY_PRESET.ensemble;
  const A = ENSEMBLE_ANSWER;
  const widths = widthsOf(s);
  const etaC = (K: number) => fmtLr(edgesFor('soft-committee', s, widths.find((w) => w.K === K)!).etaC);
  const k4 = widths.find((w) => w.K === 4)!;
  const k4Fail = (m: ModelKind) => edgesFor(m, s, k4).odeFailLr.map((f) => fmtLr(f.lr)).join(', ');
  return (
    `Figure 5 on the complete grid: the exact order-parameter sampler against the ODE with 20 seeds in every cell, soft committee and two-layer network, ` +
    widths.map((w) => `K = M = ${w.K} at N ∈ {${w.groups.flatMap((g) => g.Ns).join(', ')}} (runs to ηt = ${w.etaT})`).join(' and ') +
    `, η ∈ {${s.lrs.join(', ')}}, σ ∈ {${s.sigmas.join(', ')}}. The runs of one K start from one fixed draw of the order parameters (student scale 0.5; ` +
    `K = 4's plateau lasts ηt ≈ 160–190, hence its longer horizon). Colour, × and lines as in Figure 5; η_c = ${etaC(2)} (K = 2) and ${etaC(4)} (K = 4) at the maps' teachers. ` +
    `Answer: Figure 5's answer holds on the K = 2 cells with 20 seeds everywhere, and the discrepancy falls as 1/√N: the median over (model, σ, η) columns of its slope ` +
    `against ln N is within ${fmtSigned(N_SCALING.expected)} ± ${N_SCALING.halfWidth} (snapshot: nScaling). At N = 10⁴ every completed K = 2 cell is ≤ ${A.k2LargeNMax}, except the noiseless soft committee near η_c. ` +
    `K = 4: the ODE fails beyond η = ${k4Fail('soft-committee')} (soft committee) and ${k4Fail('two-layer')} (two-layer) at σ = ${s.sigmas.join(', ')}, and SGD fails there too. ` +
    `With noise (σ ≥ 0.5) the ODE follows within e^${FOLLOW_BOUND} at every η below that where no seed fails, for N ≥ ${A.k4NoisyAllEtaFromN}. Without noise it does not follow ` +
    `at any N ≤ 3000 for η ≤ ${A.k4NoiselessLrMax} (discrepancy ≥ ${A.k4NoiselessMin}), although the runs leave the plateau at the ODE's time (median escape ratio within ` +
    `${A.k4EscapeRatio[0]}–${A.k4EscapeRatio[1]}): a shift of a few ηt in the steep drop after K = 4's long plateau is a large ratio in ε, and it shrinks more slowly than 1/√N ` +
    `(median slope above ${fmtSigned(A.k4SlopeAbove)}).`
  );
}
