/**
 * The figure pipeline's guarantees:
 *  (a) every committed full-preset snapshot satisfies its figure's replication tolerances
 *      (each tolerance states why it has its size), and was made from the current configs;
 *  (b) re-running the reduced 'ci' preset from scratch reproduces snapshots/ci exactly, so a
 *      changed formula, sampler or seed handling turns this red;
 *  (c) rendering the committed Vega-Lite specs reproduces the committed SVGs byte for byte.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { executeRun } from '../src/figures/execute.ts';
import { FIGURES } from '../src/figures/registry.ts';
import { configHash, sha256 } from '../src/figures/runKey.ts';
import type { Snapshot } from '../src/figures/types.ts';
import { renderSvg } from '../src/render/svg.ts';
import { GALLERY_PATH, snapshotPath, specPath, svgPath } from '../pipeline/outputs.ts';
import { checkHtmlInChromium } from '../src/render/checkHtml.ts';
import type { Trajectory } from '../src/trajectory.ts';

function readSnapshot(name: string, preset: 'full' | 'ci'): Snapshot {
  return JSON.parse(readFileSync(snapshotPath(name, preset), 'utf8')) as Snapshot;
}

describe.each(FIGURES.map((f) => [f.name, f] as const))('figure %s', (name, fig) => {
  it('(a) committed snapshot satisfies every replication tolerance', () => {
    const snap = readSnapshot(name, 'full');
    const failures: string[] = [];
    for (const tol of fig.tolerances)
      for (const p of snap.panels) if (!tol.check(p, snap)) failures.push(`${p.panel}: ${tol.name} — measured ${tol.measured(p, snap)}`);
    expect(failures).toEqual([]);
  });

  it('(a) committed snapshot was made from the current configs', () => {
    const snap = readSnapshot(name, 'full');
    const runs = fig.runs('full');
    for (const p of snap.panels) {
      const sim = runs.find((r) => r.id === `${p.panel}/sgd`);
      expect(sim, `run for panel ${p.panel}`).toBeDefined();
      const expected = sha256(`${configHash({ engine: 'sgd', config: sim!.config })}:${configHash({ engine: 'ode', config: sim!.config })}`).slice(0, 16);
      expect(p.configHash).toBe(expected);
    }
  });

  it('(b) re-running the ci preset reproduces snapshots/ci exactly', () => {
    const results = new Map<string, Trajectory>();
    for (const run of fig.runs('ci')) results.set(run.id, executeRun(run));
    const built = fig.build(results, 'ci');
    expect(JSON.parse(JSON.stringify(built.snapshot))).toEqual(readSnapshot(name, 'ci'));
  });

  it('(c) rendering the committed spec reproduces the committed SVG byte for byte', async () => {
    expect(existsSync(specPath(name))).toBe(true);
    const spec = JSON.parse(readFileSync(specPath(name), 'utf8'));
    const svg = await renderSvg(spec);
    expect(svg === readFileSync(svgPath(name), 'utf8')).toBe(true);
  });
});

describe('gallery (figures/index.html)', () => {
  it('lists every figure with its caption and the interactive specialization figure', () => {
    const html = readFileSync(GALLERY_PATH, 'utf8');
    for (const fig of FIGURES) {
      expect(html).toContain(`id="${fig.name}"`);
      expect(html).toContain(fig.title.replace(/&/g, '&amp;'));
    }
    expect(html).toContain('specialization-interactive');
  });

  it.skipIf(!existsSync('/usr/bin/chromium'))('loads in headless Chromium with no console errors and renders every figure', async () => {
    const result = await checkHtmlInChromium(GALLERY_PATH, { timeoutMs: 120_000 });
    expect(result.consoleErrors).toEqual([]);
    expect(result.failedFigures).toEqual([]);
    expect(result.figureCount).toBe(FIGURES.length + 1);
  });
});
