/**
 * The ODE as a stepping engine (src/model/stepping.ts): the state is the packed vector
 * [Q, R, v] (rhs.ts), with R over every teacher's units. Each phase integrates with the
 * right-hand side of its teacher: the combined teacher's readout with only that teacher's
 * block non-zero, so R to the other teachers' units moves as the student's weights move
 * (Lee, Goldt & Saxe 2021, the ODE of continual learning). The integrator restarts at a
 * phase boundary, where the right-hand side jumps. With heads "multi" the heads not in use
 * wait outside the integrated state (they do not move).
 */
import type { RunConfig } from '../config.ts';
import { activeReadout, headCount, headOf, teacherCount, type Phase } from '../model/schedule.ts';
import type { Observation, SteppingEngine } from '../model/stepping.ts';
import { integrateDopri5, integrateRk4 } from './integrators.ts';
import { DivergenceError } from '../model/divergence.ts';
import type { OrderParams } from '../model/orderParams.ts';
import { twoLayerRhs } from './rhs.ts';
import { odeParamsFor, type SolveOptions } from './solve.ts';

interface OdeState {
  config: RunConfig;
  init: OrderParams;
  /** [Q (K·K), R (K·ΣM), v of the head in use (K)]. */
  y: Float64Array;
  heads: Float64Array[];
  /** The head whose values are in y. */
  head: number;
}

/** The ODE engine from initial order parameters (over every teacher's units: init.M = ΣM). */
export function odeEngine(init: OrderParams, options: Pick<SolveOptions, 'method' | 'rtol' | 'atol' | 'h'> = {}): SteppingEngine<OdeState> {
  return {
    label: 'ODE',
    init(config) {
      const { K, M } = init;
      const y = new Float64Array(K * K + K * M + K);
      y.set(init.Q, 0);
      y.set(init.R, K * K);
      y.set(init.v, K * K + K * M);
      const heads = Array.from({ length: headCount(config) }, () => init.v.slice());
      return { state: { config, init, y, heads, head: 0 }, T: init.T, vTeacher: init.vTeacher };
    },
    advance(state, phase, recordAt, record) {
      const { config, init, y } = state;
      const { K, M } = init;
      const vOff = K * K + K * M;
      const head = headOf(config, phase.teacher);
      if (head !== state.head) {
        state.heads[state.head].set(y.subarray(vOff));
        y.set(state.heads[head], vOff);
        state.head = head;
      }
      const vTeacher = teacherCount(config) === 1 ? init.vTeacher : activeReadout(init.vTeacher, config.M, phase.teacher);
      const f = twoLayerRhs(odeParamsFor(config, { ...init, vTeacher }));
      const times = recordAt.map((s) => s / config.N);
      // A divergence found at a record is the driver's, already worded; one inside the integrator is worded here.
      let recording = false;
      const onOutput = (j: number, _t: number, yNow: Float64Array) => {
        y.set(yNow);
        recording = true;
        record(recordAt[j]);
        recording = false;
      };
      const t0 = phase.fromStep / config.N;
      try {
        if (options.method === 'rk4') integrateRk4(f, y, t0, times, options.h ?? 0.01, onOutput);
        else integrateDopri5(f, y, t0, times, onOutput, { rtol: options.rtol ?? 1e-8, atol: options.atol ?? 1e-10 });
      } catch (e) {
        if (!(e instanceof DivergenceError) || recording) throw e;
        throw new DivergenceError(e.t, `ODE diverged at t=${Number(e.t.toPrecision(6))} with lr=${config.lr}: ${e.message}`);
      }
    },
    observe(state): Observation {
      const { K, M } = state.init;
      const { y } = state;
      const vOff = K * K + K * M;
      const heads = state.heads.map((h, i) => (i === state.head ? y.slice(vOff) : h.slice()));
      return { Q: y.slice(0, K * K), R: y.slice(K * K, vOff), heads };
    },
  };
}
