/**
 * Gaussian averages of the ReLU, g(u) = max(0, u), g′(u) = 1[u > 0], for the order-parameter ODEs.
 *
 * Convention: g′(0) = 0 (the SGD step of a unit whose field is exactly 0 is 0). A field of zero
 * variance is 0 almost surely, so every average with g′ of it vanishes, and so does every average
 * with g of it. For a field of positive variance, {u = 0} has probability 0 and the convention is
 * immaterial. A unit whose weights are exactly 0 therefore stays switched off, as it does in SGD;
 * the averages are discontinuous at C_aa = 0 because the ReLU's derivative is.
 *
 * Notation: u ~ N(0, C); σ_a = √C_aa; x_a = u_a/σ_a has the correlation matrix R = C_ab/(σ_a σ_b);
 * P_S = P(x_S > 0) is the orthant probability of the fields in S; s(ρ) = √(1 − ρ²).
 *
 * Derivation. Every average is a truncated second moment E[u_b u_c ; u_S > 0] (the ReLU makes the
 * truncation, g′ makes the indicator):
 *   I2(a,b)     = E[u_a u_b ; u_a > 0, u_b > 0]
 *   I3(a,b,c)   = E[u_b u_c ; u_a > 0, u_c > 0]
 *   I4(a,b,c,d) = E[u_c u_d ; u_a, u_b, u_c, u_d > 0]        (S = the distinct indices, |S| = 1…4)
 *   J2(a,b)     = P(u_a > 0, u_b > 0).
 * Stein's lemma applied twice (E[u_b F(u)] = Σ_j C_bj E[∂_j F]) to F = u_c 1[u_S > 0] gives
 * Tallis' formula for the second moments of a normal truncated at 0 (Tallis 1961, "The moment
 * generating function of the truncated multi-normal distribution", JRSS B 23, 223; in the form of
 * Manjunath & Wilhelm, "Moments calculation for the doubly truncated multivariate normal density";
 * checked term by term against the mtmvnorm routine of their R package tmvtnorm, read via code
 * search, where the a_q F_q terms vanish because the truncation point is 0):
 *   E[x_c x_d ; x_S > 0] = R_cd P_S + Σ_{pairs {s,t} ⊂ S} K_st^{cd} / (2π s(R_st)) · P(x_{S∖st} > 0 | x_s = x_t = 0),
 *   K_st^{cd} = R_cs (R_dt − R_ds R_st) + R_ct (R_ds − R_dt R_st),
 * where 1/(2π s(R_st)) is the bivariate density at (0,0), and c, d need not lie in S. The special
 * cases used (exact algebra of K): c = s, d = t → K/s = s(R_st); c = d = s → R_st s(R_st);
 * c = s, d ∉ {s,t} → R_dt s(R_st). The conditional orthant is 1 for |S| = 2, ½ for |S| = 3 and
 * P2(r) for |S| = 4 with r the partial correlation of the other two given {s,t}.
 * Orthant probabilities (Sheppard 1899; the trivariate one e.g. in Genz 2004, Stat. Comput. 14, 251):
 *   P1 = ½,  P2(ρ) = ¼ + asin(ρ)/(2π),  P3 = ⅛ + (asin ρ12 + asin ρ13 + asin ρ23)/(4π).
 * Hence the closed forms
 *   I2(a,b)   = σ_a σ_b [R_ab (π − acos R_ab) + s(R_ab)]/(2π)       (the arc-cosine kernel of degree 1,
 *               Cho & Saul 2009, "Kernel methods for deep learning", NIPS 22, Sec. 2.1:
 *               k₁ = (1/π)‖x‖‖y‖ J₁(θ) = 2 I2 with J₁ = sin θ + (π − θ) cos θ, cos θ = R_ab),
 *   I3(a,b,c) = C_bc P2(R_ac) + C_ab σ_c s(R_ac)/(2π σ_a),
 *   J2(a,b)   = P2(R_ab).
 * I3 also follows from the regression x_b = β_a x_a + β_c x_c + ε (ε independent of x_a, x_c) and the
 * bivariate truncated moments E[x_a x_c; +,+] = R P2(R) + s(R)/(2π), E[x_c²; +,+] = P2(R) + R s(R)/(2π)
 * (R = R_ac): β_a R + β_c = R_bc and β_a + β_c R = R_ab.
 *
 * The 4-D orthant P4 has no closed form (Abrahamson 1964, Ann. Math. Stat. 35, 1685). Plackett's
 * reduction (1954, "A reduction formula for normal multivariate integrals", Biometrika 41, 351):
 * ∂P_n/∂R_pq = φ₂(0,0;R_pq) · P(rest > 0 | x_p = x_q = 0). Integrating it along the straight path
 * R(τ) = R₀ + τ(R − R₀), where R₀ keeps the correlations inside a matching {p p̄ | q q̄} and zeroes the
 * four across it (so P4(R₀) = P2(R_pp̄) P2(R_qq̄)), gives
 *   P4 = P2(R_pp̄) P2(R_qq̄) + ∫₀¹ Σ_{cross (p,q)} R_pq /(2π √(1 − τ²R_pq²)) · P2(r_pq(τ)) dτ,
 * with r_pq(τ) the partial correlation of (p̄, q̄) given (p, q) at R(τ) (the reduction Genz 2004
 * uses for the trivariate case, here one dimension up). The matching with the smallest largest
 * cross correlation is used; it keeps a student that has converged onto a teacher (R ≈ 1) inside
 * a block, where it does not make the integrand singular. The integral is done by Gauss–Legendre
 * after τ = 1 − (1 − s)², which removes the 1/√(1 − τ) endpoint singularities; when the matrix
 * is close to singular at τ = 1, on geometrically graded panels towards s = 1.
 *
 * Numerics for nearly singular C (the normal case late in training). All partial correlations are
 * computed from explicit unit vectors l_a with l_a·l_b = R_ab (a Cholesky factor with diagonal
 * pivoting, rows normalised), by Gram–Schmidt: the residual of a field that nearly duplicates
 * another has norm √(2(1 − ρ)) and is computed with absolute error ~ε, so relative error
 * ε/√(1 − ρ) instead of the ε/(1 − ρ) of cofactor formulas; and since every conditional quantity
 * comes from the same vectors, the pair terms whose individual values depend on directions that C
 * hardly determines (fields nearly in the span of two others) still cancel as they must. Along the
 * path, r_pq(τ) comes from three dot products of unit residuals (a, b, e below) in closed form, so
 * the path needs no factorisation per node. Fields whose correlation is within DUP_TOL of ±1 are
 * merged (+1: the constraint is the same; −1: the orthant is empty); an exact linear dependence
 * (residual variance below PIVOT_TINY) gets an isotropic regularisation of that size (see
 * Orthant4.factor). Measured accuracy (test/activations-relu.test.ts and the report): ≤ 1e-9
 * absolute at unit variances, including 1 − ρ down to 0; for 1 − ρ between ~1e-16 and ~1e-13 the
 * bound is the function's own sensitivity to one rounding of C (∝ ε/√(1 − ρ)).
 *
 * Outside the PSD cone. The scalar averages (reluAverages) evaluate any input at the pairwise-clamped
 * covariance σ_a σ_b clamp(R_ab): a correlation above 1 counts as exactly 1, so they stay finite and
 * ε_g ≥ 0. The ODE's sums (reluOdeSums) do more, because the ODE's state does leave the cone: near
 * the realizable fixed point the covariance is within ~ε_g of the boundary and the integrator's
 * error (≈ atol) takes it across. There the pairwise clamp has no restoring part (a state with
 * R_in > √(Q_ii T_nn) is a fixed point of the clamped K = M = 1 ODE once Q_ii = T_nn), and the
 * K = M = 4 soft committee ran to a spurious fixed point with ε_g = 2.6e-7 and R − √(QT) = 1e-4.
 * (Raw C_ab in the terms linear in C, clamped correlations inside asin and √(1 − ρ²), is no
 * better: it settled at R − √(QT) = 5.5e-7.)
 * reluOdeSums evaluate the averages at the nearest Gram matrix C₊ with the same R and T and add
 * the true dynamics' linear law for the students' orthogonal components in the remainder N₋; see
 * `prepare` in reluOdeSums and coneSplit.ts. On the cone nothing changes.
 */
import { ConeSplit } from './coneSplit.ts';
import type { Covariance, GaussianAverages, OdeSums } from './types.ts';

const INV_2PI = 1 / (2 * Math.PI);
const INV_4PI = 1 / (4 * Math.PI);
/** Correlations within this of ±1 are exact (anti-)duplicates: one rounding of 1 − ρ is ~1e-16. */
const DUP_TOL = 2 ** -50;
/**
 * Residual variances below this count as an exact linear dependence (rounding in the Schur
 * complement of a unit-diagonal 4×4 matrix is a few ε ≈ 1e-16); see Orthant4.factor.
 */
const PIVOT_TINY = 1e-15;
const PIVOT_EPS = Math.sqrt(PIVOT_TINY);

function clampUnit(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}

/** s(ρ) = √(1 − ρ²), written (1 − ρ)(1 + ρ) so that it keeps its digits for ρ → ±1. */
function sinOf(r: number): number {
  return Math.sqrt((1 - r) * (1 + r));
}

/** P(x > 0, y > 0) for unit-variance normals of correlation r (Sheppard 1899). */
export function orthant2(r: number): number {
  return 0.25 + Math.asin(clampUnit(r)) * INV_2PI;
}

/** P(x₁, x₂, x₃ > 0) for unit-variance normals with correlations r12, r13, r23. */
export function orthant3(r12: number, r13: number, r23: number): number {
  return 0.125 + (Math.asin(clampUnit(r12)) + Math.asin(clampUnit(r13)) + Math.asin(clampUnit(r23))) * INV_4PI;
}

/**
 * K_st^{cd}/s(R_st) of Tallis' formula for unit variances, given the correlations of c and d with
 * s and t. Written so that it keeps its digits when s and t nearly coincide (R_st → 1: the two terms
 * of K cancel to O(1 − R_st)) or are nearly opposite (R_st → −1).
 */
function pairCoefGeneral(rcs: number, rct: number, rds: number, rdt: number, rst: number): number {
  const num =
    rst >= 0
      ? (1 - rst) * (rcs * rdt + rct * rds) + rst * (rcs - rct) * (rdt - rds)
      : (rcs + rct) * (rds + rdt) - (1 + rst) * (rcs * rds + rct * rdt);
  return num / sinOf(rst);
}

// ---------------------------------------------------------------------------------------------
// Gauss–Legendre rules on [0, 1] (nodes by Newton's iteration on the Legendre recurrence).

interface Rule {
  x: Float64Array;
  w: Float64Array;
}

/** P_n(z) and P_n′(z), by the three-term recurrence (P_k from P_{k−1} and P_{k−2}). */
function legendre(n: number, z: number): { p: number; dp: number } {
  let p0 = 1;
  let p1 = z;
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return { p: p1, dp: (n * (z * p1 - p0)) / (z * z - 1) };
}

function gaussLegendre01(n: number): Rule {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Newton on P_n from the usual first guess, then the weight from P_n′ at the converged node.
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      const { p, dp } = legendre(n, z);
      const dz = p / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    const { dp } = legendre(n, z);
    x[i] = 0.5 * (1 - z);
    w[i] = 1 / ((1 - z * z) * dp * dp); // (2/((1−z²)P′²)) · ½ for [0, 1]
  }
  return { x, w };
}

/** Rule of the single panel used when the integrand is smooth up to τ = 1. */
const EASY_RULE = gaussLegendre01(20);
/** Rule of each graded panel. */
const PANEL_RULE = gaussLegendre01(12);
/** At most this many graded panels (the last then starts 2^{1−MAX_PANELS} from s = 1, ~1e-17 in τ). */
const MAX_PANELS = 30;

// ---------------------------------------------------------------------------------------------
// The four-field orthant: P4 and the six conditional bivariate orthants of Tallis' pair terms.

/** Pairs (S, T) of a 4-set in the order (0,1), (0,2), (0,3), (1,2), (1,3), (2,3); (K, L) is the other pair. */
const PAIR_S = [0, 0, 0, 1, 1, 2] as const;
const PAIR_T = [1, 2, 3, 2, 3, 3] as const;
const PAIR_K = [2, 1, 1, 0, 0, 0] as const;
const PAIR_L = [3, 3, 2, 3, 2, 1] as const;
/** Pairs of a 3-set: (0,1), (0,2), (1,2). */
const PAIR3_S = [0, 0, 1] as const;
const PAIR3_T = [1, 2, 2] as const;

/**
 * Workspace for one 4-field problem. `solve(R)` takes a 4×4 correlation matrix (no two fields
 * within DUP_TOL of ±1) and fills `p4` and `pc[k]` = P(x_K, x_L > 0 | x_S = x_T = 0) for the six
 * pairs (S, T) above.
 */
class Orthant4 {
  p4 = 0;
  readonly pc = new Float64Array(6);
  /** Unit vectors l_a (rows, 4 × 4) with l_a·l_b ≈ R_ab. */
  private readonly l = new Float64Array(16);
  /** Correlations recomputed from the unit vectors (consistent with them). */
  private readonly g = new Float64Array(16);
  private readonly perm = new Int32Array(4);
  private readonly dvar = new Float64Array(4);
  private readonly q2 = new Float64Array(4);
  private readonly eA = new Float64Array(8);
  private readonly eB = new Float64Array(8);
  // Path data per cross pair: R_pq, a, b, e.
  private readonly cR = new Float64Array(4);
  private readonly cA = new Float64Array(4);
  private readonly cB = new Float64Array(4);
  private readonly cE = new Float64Array(4);

  solve(R: ArrayLike<number>): void {
    this.factor(R);
    this.conditionals();
    this.pathIntegral();
  }

  /**
   * Unit vectors l_a with l_a·l_b = R_ab: Cholesky with diagonal pivoting (the remaining field of
   * largest residual variance first, so |l_ij| ≤ 1 and the factor is backward stable for PSD R,
   * Higham 1990). When every remaining residual variance is below PIVOT_TINY (an exact linear
   * dependence, up to rounding), each remaining field gets its own new direction of that variance
   * instead: this replaces a Schur complement of size ≤ PIVOT_TINY by PIVOT_TINY·I, so R moves by
   * ~1e-15 and every partial correlation stays defined (the isotropic limit). Rows are then
   * normalised to length 1.
   */
  private factor(R: ArrayLike<number>): void {
    const { l, perm, dvar } = this;
    l.fill(0);
    for (let i = 0; i < 4; i++) {
      perm[i] = i;
      dvar[i] = 1;
    }
    let col = 0;
    for (; col < 4; col++) {
      // pivot: the remaining field (perm[col..3]) of largest residual variance
      let best = col;
      for (let j = col + 1; j < 4; j++) if (dvar[perm[j]] > dvar[perm[best]]) best = j;
      const pv = perm[best];
      if (!(dvar[pv] > PIVOT_TINY)) break;
      perm[best] = perm[col];
      perm[col] = pv;
      const piv = Math.sqrt(dvar[pv]);
      l[pv * 4 + col] = piv;
      for (let j = col + 1; j < 4; j++) {
        const x = perm[j];
        let s = R[x * 4 + pv];
        for (let m = 0; m < col; m++) s -= l[x * 4 + m] * l[pv * 4 + m];
        const v = s / piv;
        l[x * 4 + col] = v;
        dvar[x] -= v * v;
      }
    }
    // an exact dependence: the remaining fields get independent directions of variance PIVOT_TINY
    for (let j = col; j < 4; j++) l[perm[j] * 4 + j] = PIVOT_EPS;
    for (let i = 0; i < 4; i++) {
      let n2 = 0;
      for (let m = 0; m < 4; m++) n2 += l[i * 4 + m] * l[i * 4 + m];
      const inv = 1 / Math.sqrt(n2);
      for (let m = 0; m < 4; m++) l[i * 4 + m] *= inv;
    }
    const g = this.g;
    for (let i = 0; i < 4; i++) {
      g[i * 4 + i] = 1;
      for (let j = 0; j < i; j++) {
        let s = 0;
        for (let m = 0; m < 4; m++) s += l[i * 4 + m] * l[j * 4 + m];
        s = clampUnit(s);
        g[i * 4 + j] = s;
        g[j * 4 + i] = s;
      }
    }
  }

  /** out ← unit vector of l_x − (l_x·l_y) l_y (the residual of x given y). */
  private residual(x: number, y: number, out: Float64Array, off: number): void {
    const l = this.l;
    const c = this.g[x * 4 + y];
    let n2 = 0;
    for (let m = 0; m < 4; m++) {
      const v = l[x * 4 + m] - c * l[y * 4 + m];
      out[off + m] = v;
      n2 += v * v;
    }
    const inv = n2 > 0 ? 1 / Math.sqrt(n2) : 0;
    for (let m = 0; m < 4; m++) out[off + m] *= inv;
  }

  /** pc[k] for the six pairs, by Gram–Schmidt on the unit vectors. */
  private conditionals(): void {
    const { l, q2, pc } = this;
    for (let k = 0; k < 6; k++) {
      const s = PAIR_S[k];
      const t = PAIR_T[k];
      this.residual(t, s, q2, 0);
      const kk = PAIR_K[k];
      const ll = PAIR_L[k];
      let a1 = 0;
      let a2 = 0;
      let b1 = 0;
      let b2 = 0;
      for (let m = 0; m < 4; m++) {
        a1 += l[kk * 4 + m] * l[s * 4 + m];
        a2 += l[kk * 4 + m] * q2[m];
        b1 += l[ll * 4 + m] * l[s * 4 + m];
        b2 += l[ll * 4 + m] * q2[m];
      }
      let nk = 0;
      let nl = 0;
      let kl = 0;
      for (let m = 0; m < 4; m++) {
        const x = l[kk * 4 + m] - a1 * l[s * 4 + m] - a2 * q2[m];
        const y = l[ll * 4 + m] - b1 * l[s * 4 + m] - b2 * q2[m];
        nk += x * x;
        nl += y * y;
        kl += x * y;
      }
      const den = nk * nl;
      pc[k] = orthant2(den > 0 ? kl / Math.sqrt(den) : 0);
    }
  }

  /** P4 by Plackett's formula along the straight path from the best block-diagonal matrix. */
  private pathIntegral(): void {
    const g = this.g;
    // Matchings {A | B}: (01|23), (02|13), (03|12); choose the smallest largest |cross correlation|.
    let best = 0;
    let bestMax = Infinity;
    for (let m = 0; m < 3; m++) {
      const a0 = 0;
      const a1 = m + 1;
      const b0 = m === 0 ? 2 : 1;
      const b1 = m === 2 ? 2 : 3;
      const mx = Math.max(
        Math.abs(g[a0 * 4 + b0]),
        Math.abs(g[a0 * 4 + b1]),
        Math.abs(g[a1 * 4 + b0]),
        Math.abs(g[a1 * 4 + b1]),
      );
      if (mx < bestMax) {
        bestMax = mx;
        best = m;
      }
    }
    const A0 = 0;
    const A1 = best + 1;
    const B0 = best === 0 ? 2 : 1;
    const B1 = best === 2 ? 2 : 3;
    // Unit residuals ê_{p̄|p}: eA[0..3] = ê_{A1|A0}, eA[4..7] = ê_{A0|A1}; likewise eB.
    const { eA, eB, l, cR, cA, cB, cE } = this;
    this.residual(A1, A0, eA, 0);
    this.residual(A0, A1, eA, 4);
    this.residual(B1, B0, eB, 0);
    this.residual(B0, B1, eB, 4);
    let hard = 1;
    for (let c = 0; c < 4; c++) {
      const pi = c >> 1; // 0: p = A0 (p̄ = A1), 1: p = A1
      const qi = c & 1; // 0: q = B0 (q̄ = B1), 1: q = B1
      const p = pi === 0 ? A0 : A1;
      const q = qi === 0 ? B0 : B1;
      const ea = pi * 4; // ê_{p̄|p}
      const eb = qi * 4; // ê_{q̄|q}
      let a = 0;
      let b = 0;
      let e = 0;
      for (let m = 0; m < 4; m++) {
        a += eA[ea + m] * l[q * 4 + m];
        b += eB[eb + m] * l[p * 4 + m];
        e += eA[ea + m] * eB[eb + m];
      }
      const R = g[p * 4 + q];
      cR[c] = R;
      cA[c] = a;
      cB[c] = b;
      cE[c] = e;
      // The integrand is singular where 1 − τ²R², var_A, var_B or 1 − r² vanish; at τ = 1 these
      // products estimate how far beyond τ = 1 that happens (0 for an exactly singular R).
      const gg = (1 - R) * (1 + R);
      const vA = (gg - a * a) / gg;
      const vB = (gg - b * b) / gg;
      const cov = e + (R * a * b) / gg;
      const oneMinusR2 = vA * vB > 0 ? Math.max(0, 1 - (cov * cov) / (vA * vB)) : 0;
      hard = Math.min(hard, gg, Math.max(0, vA) * gg, Math.max(0, vB) * gg, oneMinusR2 * gg);
    }
    if (!(hard >= 0)) hard = 0; // NaN from degenerate input: take the most careful rule
    let integral = 0;
    if (hard > 0.05) {
      integral = this.panel(0, 1, EASY_RULE);
    } else {
      // Graded panels [1 − 2^{-k}, 1 − 2^{-k-1}] in s = 1 − √(1 − τ): the feature at distance
      // `hard` from τ = 1 sits at ~√hard from s = 1, so panels down to that scale resolve it and
      // the last one, [1 − h, 1], sees it at a relative distance ≳ 1.
      let n = Math.ceil(0.5 * Math.log2(1 / Math.max(hard, 1e-300))) + 2;
      if (n > MAX_PANELS) n = MAX_PANELS;
      let lo = 0;
      let h = 0.5;
      for (let k = 0; k < n; k++) {
        const hi = k === n - 1 ? 1 : lo + h;
        integral += this.panel(lo, hi, PANEL_RULE);
        lo = hi;
        h *= 0.5;
      }
    }
    this.p4 = orthant2(g[A0 * 4 + A1]) * orthant2(g[B0 * 4 + B1]) + integral;
  }

  /** ∫ over s ∈ [lo, hi] of f(τ(s)) τ′(s), τ = 1 − (1 − s)², with the given rule. */
  private panel(lo: number, hi: number, rule: Rule): number {
    const { cR, cA, cB, cE } = this;
    const width = hi - lo;
    let sum = 0;
    for (let i = 0; i < rule.x.length; i++) {
      const s = lo + width * rule.x[i];
      const u = 1 - s;
      const tau = 1 - u * u;
      let f = 0;
      for (let c = 0; c < 4; c++) {
        const R = cR[c];
        if (R === 0) continue;
        const Rt = tau * R;
        const gg = (1 - Rt) * (1 + Rt);
        const ta = tau * cA[c];
        const tb = tau * cB[c];
        const vA = 1 - (ta * ta) / gg;
        const vB = 1 - (tb * tb) / gg;
        const cov = tau * cE[c] + (Rt * ta * tb) / gg;
        const den = vA * vB;
        const r = den > 0 ? cov / Math.sqrt(den) : 0;
        f += (R / Math.sqrt(gg)) * orthant2(r);
      }
      sum += rule.w[i] * f * 2 * u;
    }
    return sum * width * INV_2PI;
  }
}

// ---------------------------------------------------------------------------------------------
// Truncated second moments E[u_c u_d ; u_S > 0] for |S| ≤ 4.

/** Largest number of distinct fields an average involves. */
const MAX_FIELDS = 6;

/**
 * Workspace for one truncated-moment evaluation. Fields are gathered into local slots: `idx` the
 * original index, `sig` σ, and the local correlation matrix `R`.
 */
class Moment {
  readonly idx = new Int32Array(MAX_FIELDS);
  readonly sig = new Float64Array(MAX_FIELDS);
  readonly R = new Float64Array(MAX_FIELDS * MAX_FIELDS);
  /** Local slots of the truncation set after merging duplicates (ascending original index). */
  readonly set = new Int32Array(4);
  n = 0;
  m = 0;
  readonly R4 = new Float64Array(16);
  readonly orth = new Orthant4();

  /** Gather the distinct fields of `list` (length ≤ MAX_FIELDS) in ascending order; false if one has variance ≤ 0. */
  gather(C: Covariance, L: number, list: ArrayLike<number>, len: number): boolean {
    const { idx, sig, R } = this;
    let m = 0;
    for (let j = 0; j < len; j++) {
      const x = list[j];
      let pos = 0;
      while (pos < m && idx[pos] < x) pos++;
      if (pos < m && idx[pos] === x) continue;
      for (let k = m; k > pos; k--) idx[k] = idx[k - 1];
      idx[pos] = x;
      m++;
    }
    for (let j = 0; j < m; j++) {
      const v = C[idx[j] * L + idx[j]];
      if (!(v > 0)) return false;
      sig[j] = Math.sqrt(v);
    }
    for (let i = 0; i < m; i++) {
      R[i * MAX_FIELDS + i] = 1;
      for (let j = 0; j < i; j++) {
        const r = clampUnit(C[idx[i] * L + idx[j]] / (sig[i] * sig[j]));
        R[i * MAX_FIELDS + j] = r;
        R[j * MAX_FIELDS + i] = r;
      }
    }
    this.m = m;
    return true;
  }

  slot(x: number): number {
    let j = 0;
    while (this.idx[j] !== x) j++;
    return j;
  }

  /**
   * Build the truncation set from the slots of `fields` (the original indices), merging fields
   * within DUP_TOL of correlation 1 into the lowest one. Returns false if two are within DUP_TOL
   * of −1 (the orthant is then empty).
   */
  buildSet(fields: ArrayLike<number>, len: number): boolean {
    const { R, set } = this;
    let n = 0;
    // fields in ascending slot order = ascending original index
    for (let j = 0; j < this.m; j++) {
      let inS = false;
      for (let f = 0; f < len; f++) if (this.idx[j] === fields[f]) inS = true;
      if (!inS) continue;
      let merged = false;
      for (let k = 0; k < n; k++) {
        const r = R[set[k] * MAX_FIELDS + j];
        if (r <= -1 + DUP_TOL) return false;
        if (r >= 1 - DUP_TOL) merged = true;
      }
      if (!merged) set[n++] = j;
    }
    this.n = n;
    return true;
  }

  /** For |S| = 4: run the 4-field orthant on the current set. */
  solveOrthant4(): void {
    const { R, set, R4 } = this;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) R4[i * 4 + j] = R[set[i] * MAX_FIELDS + set[j]];
    this.orth.solve(R4);
  }

  /**
   * E[x_c x_d ; x_S > 0]/… written as C_cd P_S + σ_c σ_d Σ_pairs coef · P(rest | pair)/(2π), for the
   * local slots c, d and the current set; `p` = P_S and `cond(k)` the conditional orthant of pair k
   * (pairs enumerated as in PAIR_S/PAIR_T over the set's positions).
   */
  momentFromOrthants(c: number, d: number, p: number, pc: ArrayLike<number> | null, pcOff = 0): number {
    const { R, set, n, sig } = this;
    let pairs = 0;
    const rcd = R[c * MAX_FIELDS + d];
    if (n >= 2) {
      const np = n === 2 ? 1 : n === 3 ? 3 : 6;
      for (let k = 0; k < np; k++) {
        const s = set[n === 3 ? PAIR3_S[k] : PAIR_S[k]];
        const t = set[n === 3 ? PAIR3_T[k] : PAIR_T[k]];
        const rst = R[s * MAX_FIELDS + t];
        let coef: number;
        if (c === s || c === t || d === s || d === t) {
          // one of c, d is s or t: exact special forms of K/s(R_st)
          let cc = c;
          let dd = d;
          if (!(cc === s || cc === t)) {
            cc = d;
            dd = c;
          }
          const other = cc === s ? t : s;
          if (dd === other) coef = sinOf(rst);
          else if (dd === cc) coef = rst * sinOf(rst);
          else coef = R[dd * MAX_FIELDS + other] * sinOf(rst);
        } else {
          coef = pairCoefGeneral(R[c * MAX_FIELDS + s], R[c * MAX_FIELDS + t], R[d * MAX_FIELDS + s], R[d * MAX_FIELDS + t], rst);
        }
        const cond = n === 2 ? 1 : n === 3 ? 0.5 : pc![pcOff + k];
        pairs += coef * cond;
      }
    }
    return sig[c] * sig[d] * (rcd * p + pairs * INV_2PI);
  }

  /** Orthant probability of the current set (|S| ≤ 3 in closed form; 4 via solveOrthant4). */
  orthantSmall(): number {
    const { R, set, n } = this;
    if (n === 0) return 1;
    if (n === 1) return 0.5;
    if (n === 2) return orthant2(R[set[0] * MAX_FIELDS + set[1]]);
    return orthant3(R[set[0] * MAX_FIELDS + set[1]], R[set[0] * MAX_FIELDS + set[2]], R[set[1] * MAX_FIELDS + set[2]]);
  }
}

const WS = new Moment();
const LIST = new Int32Array(MAX_FIELDS);
const SETF = new Int32Array(4);

/**
 * E[u_c u_d ; u_s > 0 for s in S] for zero-mean normal u with covariance C (row-major L×L); S given
 * by its indices (repeats allowed, at most 4). 0 if any field involved has variance ≤ 0.
 */
export function truncatedMoment(C: Covariance, L: number, c: number, d: number, S: ArrayLike<number>, nS: number): number {
  const ws = WS;
  LIST[0] = c;
  LIST[1] = d;
  for (let j = 0; j < nS; j++) LIST[2 + j] = S[j];
  if (!ws.gather(C, L, LIST, 2 + nS)) return 0;
  if (!ws.buildSet(S, nS)) return 0;
  const lc = ws.slot(c);
  const ld = ws.slot(d);
  if (ws.n === 4) {
    ws.solveOrthant4();
    return ws.momentFromOrthants(lc, ld, ws.orth.p4, ws.orth.pc);
  }
  return ws.momentFromOrthants(lc, ld, ws.orthantSmall(), null);
}

/** P(u_s > 0 for s in S), |S| ≤ 4 (indices may repeat); 0 if a field has variance ≤ 0. */
export function orthantProbability(C: Covariance, L: number, S: ArrayLike<number>, nS: number): number {
  const ws = WS;
  if (!ws.gather(C, L, S, nS)) return 0;
  if (!ws.buildSet(S, nS)) return 0;
  if (ws.n === 4) {
    ws.solveOrthant4();
    return ws.orth.p4;
  }
  return ws.orthantSmall();
}

function i2(C: Covariance, L: number, a: number, b: number): number {
  const caa = C[a * L + a];
  const cbb = C[b * L + b];
  if (!(caa > 0) || !(cbb > 0)) return 0;
  if (a === b) return 0.5 * caa;
  const sa = Math.sqrt(caa);
  const sb = Math.sqrt(cbb);
  const r = clampUnit(C[a * L + b] / (sa * sb));
  return sa * sb * (r * orthant2(r) + sinOf(r) * INV_2PI);
}

function i3(C: Covariance, L: number, a: number, b: number, c: number): number {
  const caa = C[a * L + a];
  const cbb = C[b * L + b];
  const ccc = C[c * L + c];
  if (!(caa > 0) || !(cbb > 0) || !(ccc > 0)) return 0;
  const sa = Math.sqrt(caa);
  const sb = Math.sqrt(cbb);
  const sc = Math.sqrt(ccc);
  const rab = a === b ? 1 : clampUnit(C[a * L + b] / (sa * sb));
  if (a === c) return 0.5 * sa * sb * rab;
  const rbc = b === c ? 1 : clampUnit(C[b * L + c] / (sb * sc));
  const rac = clampUnit(C[a * L + c] / (sa * sc));
  // σ_b σ_c [R_bc P2(R_ac) + R_ab s(R_ac)/(2π)]
  return sb * sc * (rbc * orthant2(rac) + rab * sinOf(rac) * INV_2PI);
}

function i4(C: Covariance, L: number, a: number, b: number, c: number, d: number): number {
  if (c > d) {
    const t = c;
    c = d;
    d = t;
  }
  SETF[0] = a;
  SETF[1] = b;
  SETF[2] = c;
  SETF[3] = d;
  return truncatedMoment(C, L, c, d, SETF, 4);
}

function j2(C: Covariance, L: number, a: number, b: number): number {
  if (!(C[a * L + a] > 0) || !(C[b * L + b] > 0)) return 0;
  if (a === b) return 0.5;
  return orthant2(C[a * L + b] / Math.sqrt(C[a * L + a] * C[b * L + b]));
}

export const reluAverages: GaussianAverages = { i2, i3, i4, j2 };

/**
 * Remembers the last matrix it was shown, so per-C work (the cone split, the I4 set cache) is
 * redone only when the right-hand side is called at a new state, not for each of its sums.
 */
class LastMatrix {
  private readonly copy: Float64Array;
  private seen = false;
  constructor(size: number) {
    this.copy = new Float64Array(size);
  }
  /** Whether C differs from the last matrix shown (true the first time); C is remembered. */
  changed(C: Covariance): boolean {
    const { copy } = this;
    if (this.seen) {
      let same = true;
      for (let j = 0; j < copy.length; j++) {
        if (C[j] !== copy[j]) {
          same = false;
          break;
        }
      }
      if (same) return false;
    }
    for (let j = 0; j < copy.length; j++) copy[j] = C[j];
    this.seen = true;
    return true;
  }
}

/**
 * The ODE's sums for ReLU (types.ts, OdeSums), for L fields. On the PSD cone they equal the plain
 * double sums of `reluAverages` (up to rounding); off it they are continued (`prepare` below). They
 * share work:
 *   drift: Σ_p a_p I3(i,b,p) = Σ_p C_bp w_p + (C_ib/σ_i) Σ_p z_p with w_p = a_p P2(R_ip) and
 *          z_p = a_p σ_p s(R_ip)/(2π), so O(L) per (i, b) after O(L) per i;
 *   noise: I4(i,k,p,q) = I4(i,k,q,p), so p ≤ q only; the expensive part of a four-field I4 — P4 and
 *          the six conditional orthants, which depend only on the set {i,k,p,q} — is cached per set
 *          for the current C. The right-hand side calls noise() for every (i ≤ k) with the same C,
 *          and a set with three or four students recurs across those calls; the cache is keyed on
 *          the contents of C (compared entry by entry, L² comparisons per call), so it can never
 *          serve stale values.
 * The instance owns its workspace; calls allocate nothing.
 */
export function reluOdeSums(L: number): OdeSums {
  const w = new Float64Array(L);
  const sig = new Float64Array(L);
  const cc = new Float64Array(L * L);
  const ws = new Moment();
  const list = new Int32Array(MAX_FIELDS);
  const setList = new Int32Array(4);
  // Cache of four-field orthant data, one slot per 4-subset of the L fields (combinadic index).
  const binom = new Int32Array((L + 1) * 5);
  for (let n = 0; n <= L; n++) {
    binom[n * 5] = 1;
    for (let k = 1; k <= 4; k++) binom[n * 5 + k] = n === 0 ? 0 : binom[(n - 1) * 5 + k - 1] + binom[(n - 1) * 5 + k];
  }
  const nSets = L >= 4 ? binom[L * 5 + 4] : 0;
  const stamp = new Float64Array(nSets);
  const cached = new Float64Array(nSets * 7);
  const lastC = new LastMatrix(L * L);
  let generation = 0;
  // Off-cone continuation (see the comment at `prepare`).
  const cone = new ConeSplit(L);
  const lastConeC = new LastMatrix(L * L);
  let coneK = 0;
  let offCone = false;
  const jm = new Float64Array(L * L);
  const p4Set = new Int32Array(4);

  /**
   * The covariance the averages are evaluated at: C itself on the PSD cone, else C₊ (coneSplit.ts),
   * the Gram matrix nearest to C with the same R and T; N₋ = C − C₊ (negative semi-definite, in
   * the students' block) is then taken into account to first order by `drift` and `noise`.
   *
   * Why: the true ODE keeps the state on the cone, but its integration error does not, and near
   * the realizable fixed point (students = teachers, where C is singular) the ODE's state is
   * within ~ε_g of the boundary. The closed forms are not smooth there (asin, √(1 − ρ²)), and
   * evaluated off the cone (pairwise-clamped, or with an indefinite 4×4 in Orthant4) they have no
   * restoring part: the K = M = 4 soft committee left the cone at ε_g ≈ 1e-11 and ran to a
   * spurious fixed point with ε_g = 2.6e-7. What the true dynamics does in the directions of N is
   * linear at leading order: each student's component orthogonal to the teachers' span obeys
   * dE_⊥,i/dt = η v_i Σ_j a_j E[g′_i g′_j] E_⊥,j (the gradient's component along inputs
   * orthogonal to the teachers, with Δ linearised in them), and the η² term adds
   * η² v_i v_k Σ_jl a_j a_l E[g′_i g′_k g′_j g′_l] N_jl, so (with a_j = −v_j for students)
   *   dN_ik/dt = η v_i Σ_j a_j J_ij N_jk + η v_k Σ_j a_j J_kj N_ji + η² v_i v_k Σ_jl a_j a_l P_ikjl N_jl + O(N^{3/2}),
   * J_ij = P(u_i, u_j > 0), P_ikjl = P(u_i, u_k, u_j, u_l > 0), exact at the fixed point, where
   * Δ ≡ 0 on the teachers' span. Continuing the right-hand side by that linear law in N₋ (dR and
   * dv evaluated at C₊, dQ plus the law applied to N₋) makes the continuation restoring, as the
   * true dynamics is, so integration error no longer accumulates outside the cone. On the cone
   * nothing changes (bit for bit).
   */
  function prepare(C: Covariance, K: number): Covariance {
    if (K < 1) return C;
    if (lastConeC.changed(C) || K !== coneK) {
      coneK = K;
      offCone = cone.split(C, K);
      if (offCone) {
        const Cp = cone.cPlus;
        for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) jm[i * K + j] = j2(Cp, L, i, j);
      }
    }
    return offCone ? cone.cPlus : C;
  }

  function refreshCache(C: Covariance): void {
    if (lastC.changed(C)) generation++;
  }

  /** I4(i,k,p,q) with p ≤ q, using the set cache. */
  function i4Cached(C: Covariance, i: number, k: number, p: number, q: number): number {
    list[0] = p;
    list[1] = q;
    list[2] = i;
    list[3] = k;
    setList[0] = i;
    setList[1] = k;
    setList[2] = p;
    setList[3] = q;
    if (!ws.gather(C, L, list, 4)) return 0;
    if (!ws.buildSet(setList, 4)) return 0;
    const lp = ws.slot(p);
    const lq = ws.slot(q);
    if (ws.n !== 4) return ws.momentFromOrthants(lp, lq, ws.orthantSmall(), null);
    const s = ws.set;
    const id = ws.idx;
    const key = binom[id[s[0]] * 5 + 1] + binom[id[s[1]] * 5 + 2] + binom[id[s[2]] * 5 + 3] + binom[id[s[3]] * 5 + 4];
    const base = key * 7;
    if (stamp[key] !== generation) {
      ws.solveOrthant4();
      cached[base] = ws.orth.p4;
      for (let j = 0; j < 6; j++) cached[base + 1 + j] = ws.orth.pc[j];
      stamp[key] = generation;
    }
    return ws.momentFromOrthants(lp, lq, cached[base], cached, base + 1);
  }

  return {
    drift(C0, L_, K, a, out) {
      const C = prepare(C0, K);
      // Cc = the pairwise-clamped covariance σ_b σ_p clamp(R_bp) (0 for a field of variance ≤ 0),
      // which is what the scalar averages use.
      for (let p = 0; p < L; p++) {
        const cpp = C[p * L + p];
        sig[p] = cpp > 0 ? Math.sqrt(cpp) : 0;
      }
      for (let b = 0; b < L; b++) {
        for (let p = 0; p < L; p++) {
          const den = sig[b] * sig[p];
          cc[b * L + p] = den > 0 ? (b === p ? den : den * clampUnit(C[b * L + p] / den)) : 0;
        }
      }
      for (let i = 0; i < K; i++) {
        const si = sig[i];
        if (!(si > 0)) {
          for (let b = 0; b < L; b++) out[i * L + b] = 0;
          continue;
        }
        let zsum = 0;
        for (let p = 0; p < L; p++) {
          const sp = sig[p];
          if (a[p] === 0 || !(sp > 0)) {
            w[p] = 0;
            continue;
          }
          if (p === i) {
            w[p] = 0.5 * a[p];
            continue;
          }
          const r = clampUnit(C[i * L + p] / (si * sp));
          w[p] = a[p] * orthant2(r);
          zsum += a[p] * sp * sinOf(r) * INV_2PI;
        }
        for (let b = 0; b < L; b++) {
          if (!(sig[b] > 0)) {
            out[i * L + b] = 0;
            continue;
          }
          let s = 0;
          for (let p = 0; p < L; p++) s += cc[b * L + p] * w[p];
          out[i * L + b] = s + (cc[i * L + b] / si) * zsum;
        }
      }
      if (offCone) {
        // + Σ_j a_j J_ij N₋_jb for student b (the linear law of `prepare`; 0 for teachers)
        const nm = cone.nMinus;
        for (let i = 0; i < K; i++) {
          for (let b = 0; b < K; b++) {
            let s = 0;
            for (let j = 0; j < K; j++) s += a[j] * jm[i * K + j] * nm[j * K + b];
            out[i * L + b] += s;
          }
        }
      }
    },
    noise(C0, L_, i, k, a, sigma2) {
      // the split of the last drift call (the right-hand side calls drift first, with the same C)
      const C = prepare(C0, coneK);
      if (!(C[i * L + i] > 0) || !(C[k * L + k] > 0)) return 0;
      refreshCache(C);
      let s = 0;
      for (let p = 0; p < L; p++) {
        if (a[p] === 0) continue;
        for (let q = p; q < L; q++) {
          if (a[q] === 0) continue;
          const term = a[p] * a[q] * i4Cached(C, i, k, p, q);
          s += q === p ? term : 2 * term;
        }
      }
      if (offCone) {
        // + Σ_jl a_j a_l P(u_i, u_k, u_j, u_l > 0) N₋_jl over students j, l (the law of `prepare`)
        const nm = cone.nMinus;
        const K = coneK;
        p4Set[0] = i;
        p4Set[1] = k;
        for (let j = 0; j < K; j++) {
          if (a[j] === 0) continue;
          for (let l = j; l < K; l++) {
            if (a[l] === 0 || nm[j * K + l] === 0) continue;
            p4Set[2] = j;
            p4Set[3] = l;
            const term = a[j] * a[l] * orthantProbability(C, L, p4Set, 4) * nm[j * K + l];
            s += l === j ? term : 2 * term;
          }
        }
      }
      return sigma2 > 0 ? s + sigma2 * j2(C, L, i, k) : s;
    },
    readout(C0, L_, i, a, scale) {
      const C = prepare(C0, coneK);
      let s = 0;
      for (let p = 0; p < L; p++) if (a[p] !== 0) s += a[p] * i2(C, L, i, p);
      return scale * s;
    },
    generalizationError(C, L_, a) {
      let s = 0;
      for (let p = 0; p < L; p++) {
        if (a[p] === 0) continue;
        s += a[p] * a[p] * i2(C, L, p, p);
        for (let q = p + 1; q < L; q++) if (a[q] !== 0) s += 2 * a[p] * a[q] * i2(C, L, p, q);
      }
      return 0.5 * s;
    },
  };
}
