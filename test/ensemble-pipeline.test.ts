/**
 * The ensemble preset through the real pipeline (buildPreset: plan, the worker-process
 * scheduler, the verified cache, build, writing): a tiny ensemble figure (N = 100, 4 seeds,
 * t ≤ 2) into a temp output folder and cache. Its snapshot goes to snapshots/ensemble/, its
 * SVG and spec are written, the gallery is not, and a rerun from the cache writes the same bytes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ensembleFigure } from '../src/figures/ensemble/index.ts';
import { tinyEnsembleSettings } from './helpers/ensembleTiny.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-ensemble-'));
// pipeline/figureFiles.ts reads the output folder when loaded: set it first, then import.
process.env.TSDYN_OUTPUT_DIR = join(tmp, 'out');
process.env.TSDYN_CACHE_DIR = join(tmp, 'cache');
process.env.CI = 'true';
const { buildPreset } = await import('../pipeline/figures.ts');

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ensemble preset through the pipeline', () => {
  const fig = ensembleFigure(tinyEnsembleSettings(100, 4));
  const out = join(tmp, 'out');
  const files = [join(out, 'snapshots', 'ensemble', `${fig.name}.json`), join(out, 'figures', `${fig.name}.svg`), join(out, 'figures', 'data', `${fig.name}.vl.json`)];

  it('writes the snapshot under snapshots/ensemble/, the SVG, the spec and figures/ensemble.html, not the default gallery; a cached rerun gives the same bytes', async () => {
    await buildPreset('ensemble', [fig], 2);
    for (const f of files) expect(existsSync(f), f).toBe(true);
    expect(existsSync(join(out, 'figures', 'index.html'))).toBe(false);
    expect(existsSync(join(out, 'figures', 'ensemble.html'))).toBe(true);
    const snapshot = JSON.parse(readFileSync(files[0], 'utf8'));
    expect(snapshot.figure).toBe(fig.name);
    expect(snapshot.preset).toBe('ensemble');
    expect(snapshot.panels[0].seeds).toBe(4);
    const first = files.map((f) => readFileSync(f, 'utf8'));
    rmSync(join(out), { recursive: true });
    // The rerun must come from the cache, not from a (deterministic) recomputation.
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await buildPreset('ensemble', [fig], 2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/\[ensemble\] 8 runs \(0 computed, 8 cached\)/);
    } finally {
      stderr.mockRestore();
    }
    expect(files.map((f) => readFileSync(f, 'utf8'))).toEqual(first);
  });
});
