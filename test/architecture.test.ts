/**
 * The layers of docs/architecture.md hold in the code: every source file of src/ is placed in
 * one layer, no import runs from a layer up to a higher one, and the imports form no cycle.
 * Power: the same checks, run on graphs with a planted upward import or cycle, report them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../src/root.ts';
import { cycles, importGraph, layerOf, parseLayers, sourceFiles, upwardImports, type Graph } from './helpers/importGraph.ts';

const layers = parseLayers(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
const files = sourceFiles(ROOT);
const graph = importGraph(ROOT, files);

describe('docs/architecture.md: the layers of src/', () => {
  it('the table names existing paths, each once, with distinct ranks from 0 up', () => {
    const paths = layers.flatMap((l) => l.paths);
    for (const p of paths) expect(existsSync(join(ROOT, p)), p).toBe(true);
    expect(new Set(paths).size).toBe(paths.length);
    expect(layers.map((l) => l.rank).sort((a, b) => a - b)).toEqual(layers.map((_, i) => i));
  });

  it('places every source file of src/', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => !layerOf(layers, f))).toEqual([]);
  });

  it('reads static, type-only and dynamic imports', () => {
    expect(graph.get('src/trajectory.ts')).toContain('src/model/engineNames.ts'); // import type
    expect(graph.get('src/cli.ts')).toContain('src/commands/run.ts'); // import()
    expect(graph.get('src/commands/worker.mjs')).toContain('src/runs/watchdog.mjs'); // .mjs
  });

  it('no import runs up a layer', () => {
    expect(upwardImports(graph, layers)).toEqual([]);
  });

  it('the imports form no cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('power: a planted upward import and a planted cycle are reported', () => {
    const planted: Graph = new Map(graph);
    planted.set('src/config.ts', [...graph.get('src/config.ts')!, 'src/runs/scheduler.ts']);
    expect(upwardImports(planted, layers)).toEqual(['src/config.ts (model) → src/runs/scheduler.ts (runs)']);
    const cyclic: Graph = new Map(graph);
    cyclic.set('src/runs/hash.ts', [...graph.get('src/runs/hash.ts')!, 'src/runs/cache.ts']);
    expect(cycles(cyclic)).toEqual([['src/runs/cache.ts', 'src/runs/hash.ts']]);
  });
});
