/**
 * Web Worker entry: runs one engine call (ode or sim, exactly as the CLI does) and streams
 * its records back as they are made. The page stops a run by terminating the worker.
 */
import { validateConfig } from '../config.ts';
import type { Trajectory } from '../trajectory.ts';
import { EXPLORER_RUNS, type ExplorerRun } from './run.ts';

export interface WorkerJob {
  kind: ExplorerRun | 'warm-up';
  config?: unknown;
}

/**
 * A spare worker integrates this small ODE while it waits for a job, so V8 has compiled the
 * right-hand side before the reader's run: cold, the first records of a K = 6 run took
 * ~0.4 s longer (measured in the bench). Nothing is posted back.
 */
const WARM_UP_CONFIG = { K: 4, M: 4, N: 100, tMax: 10, recordPoints: 5, studentScale: 0.5 };

export type WorkerMessage =
  | { type: 'record'; index: number; t: number; step: number; eg: number; Q: number[][]; R: number[][]; v: number[]; T: number[][]; egTeachers?: number[] }
  | { type: 'progress'; fraction: number }
  | { type: 'done'; trajectory: Trajectory }
  | { type: 'error'; message: string };

interface WorkerScope {
  onmessage: ((e: { data: WorkerJob }) => void) | null;
  postMessage(m: WorkerMessage): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { kind, config: raw } = e.data;
  if (kind === 'warm-up') {
    EXPLORER_RUNS.ode(validateConfig(WARM_UP_CONFIG));
    return;
  }
  try {
    const config = validateConfig(raw);
    const onRecord = (traj: Trajectory) => {
      const j = traj.t.length - 1;
      const egTeachers = traj.egTeachers?.map((e) => e[j]);
      scope.postMessage({ type: 'record', index: j, t: traj.t[j], step: traj.steps[j], eg: traj.eg[j], Q: traj.Q[j], R: traj.R[j], v: traj.v[j], T: traj.T, ...(egTeachers ? { egTeachers } : {}) });
    };
    const onProgress = (fraction: number) => scope.postMessage({ type: 'progress', fraction });
    const trajectory = EXPLORER_RUNS[kind](config, onRecord, onProgress);
    scope.postMessage({ type: 'done', trajectory });
  } catch (err) {
    scope.postMessage({ type: 'error', message: (err as Error).message });
  }
};
