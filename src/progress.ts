/**
 * Progress reporting for long jobs: a single updating line on a terminal (what runs, how
 * far, ETA); silent when stderr is not a TTY or CI is set, so CI logs stay clean.
 */
export interface Progress {
  update(fraction: number): void;
  done(): void;
}

export function progressEnabled(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI && !process.env.TSDYN_QUIET;
}

export function createProgress(label: string, enabled = progressEnabled()): Progress {
  if (!enabled) return { update() {}, done() {} };
  const start = Date.now();
  let last = 0;
  return {
    update(fraction: number) {
      const now = Date.now();
      if (now - last < 200 && fraction < 1) return;
      last = now;
      const elapsed = (now - start) / 1000;
      const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : NaN;
      const pct = (100 * fraction).toFixed(1).padStart(5);
      process.stderr.write(`\r${label}: ${pct}%  elapsed ${formatSeconds(elapsed)}  ETA ${formatSeconds(eta)}   `);
    },
    done() {
      process.stderr.write(`\r${label}: done in ${formatSeconds((Date.now() - start) / 1000)}${' '.repeat(30)}\n`);
    },
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}
