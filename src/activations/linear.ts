/**
 * Gaussian averages of the linear activation g(u) = u, g′(u) = 1 (a two-layer linear network).
 * With g′ ≡ 1 every average is a second moment of zero-mean normal fields:
 *   I2(a,b) = ⟨u_a u_b⟩ = C_ab,   I3(a,b,c) = ⟨u_b u_c⟩ = C_bc,   I4(a,b,c,d) = ⟨u_c u_d⟩ = C_cd,
 *   J2(a,b) = 1.
 * No regrouped OdeSums: the plain double sums (sums.ts) already cost one array read per term.
 */
import type { GaussianAverages } from './types.ts';

export const linearAverages: GaussianAverages = {
  i2: (C, L, a, b) => C[a * L + b],
  i3: (C, L, _a, b, c) => C[b * L + c],
  i4: (C, L, _a, _b, c, d) => C[c * L + d],
  j2: () => 1,
};
