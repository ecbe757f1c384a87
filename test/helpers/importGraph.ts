/**
 * The import graph of src/ and the layer table of docs/architecture.md, for the architecture
 * test. Imports are read with TypeScript's own pre-processor (static, type-only, re-exports and
 * dynamic `import()`), resolved to repository paths.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export type Graph = Map<string, string[]>;

export interface Layer {
  rank: number;
  name: string;
  /** Files, and folders ending in `/` (everything under them). */
  paths: string[];
}

/** Source files under `dir` (repository-relative), .ts and .mjs, declaration files left out. */
export function sourceFiles(root: string, dir = 'src'): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(join(root, d)).sort()) {
      const p = `${d}/${f}`;
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (/\.(ts|mjs)$/.test(f) && !/\.d\.m?ts$/.test(f)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Each file's relative imports, as repository paths. */
export function importGraph(root: string, files: readonly string[]): Graph {
  const graph: Graph = new Map();
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(join(root, f), 'utf8'), true, true);
    const targets = info.importedFiles.map((i) => i.fileName).filter((n) => n.startsWith('.')).map((n) => relative(root, resolve(root, dirname(f), n)));
    graph.set(f, [...new Set(targets)]);
  }
  return graph;
}

/** The ```layers block of a markdown text: one line per layer, `RANK NAME PATH…`. */
export function parseLayers(markdown: string): Layer[] {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown);
  if (!block) throw new Error('no ```layers block');
  return block[1]
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [rank, name, ...paths] = line.trim().split(/\s+/);
      if (!/^\d+$/.test(rank) || !name || !paths.length) throw new Error(`layers: cannot read ${JSON.stringify(line)}`);
      return { rank: Number(rank), name, paths };
    });
}

/** The layer of a file: the one whose path holds it most closely (a file named outright beats its folder). */
export function layerOf(layers: readonly Layer[], file: string): Layer | undefined {
  let best: Layer | undefined;
  let bestLength = -1;
  for (const layer of layers) {
    for (const p of layer.paths) {
      const holds = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (holds && p.length > bestLength) {
        best = layer;
        bestLength = p.length;
      }
    }
  }
  return best;
}

/** Imports from a layer to a higher one, as `from → to`. */
export function upwardImports(graph: Graph, layers: readonly Layer[]): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = layerOf(layers, from);
    for (const to of targets) {
      const b = layerOf(layers, to);
      if (a && b && b.rank > a.rank) out.push(`${from} (${a.name}) → ${to} (${b.name})`);
    }
  }
  return out;
}

/** The cycles of the graph: its strongly connected components with more than one file (Tarjan), or a file importing itself. */
export function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}
