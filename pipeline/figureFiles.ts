/**
 * Where the pipeline writes, and the rendering of built figures to committed files:
 *   figures/NAME.svg            the figure (byte-deterministic)
 *   figures/data/NAME.vl.json   its Vega-Lite spec with the plotted data (re-rendered by tests)
 *   figures/index.html          the offline gallery (with the interactive figure)
 *   snapshots/NAME.json         metrics of the full preset; snapshots/<preset>/NAME.json for the others (PRESETS[preset].snapshotDir)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, type BuiltFigure, type FigureDefinition, type GalleryName, type Preset } from '../src/figures/types.ts';
import { toReviewJson, writeFileAtomic } from '../src/io.ts';
import { StagedFiles } from '../src/outputFolder.ts';
import { buildGalleryHtml } from '../src/render/html.ts';
import { renderSvg } from '../src/render/svg.ts';
import { ROOT } from '../src/root.ts';

export { ROOT };

/** Where figures/ and snapshots/ are written: the repository, or TSDYN_OUTPUT_DIR (tests build into a temp folder). */
export const OUT = process.env.TSDYN_OUTPUT_DIR || ROOT;

export function snapshotPath(name: string, preset: Preset): string {
  return join(OUT, PRESETS[preset].snapshotDir, `${name}.json`);
}

export function svgPath(name: string): string {
  return join(OUT, 'figures', `${name}.svg`);
}

export function specPath(name: string): string {
  return join(OUT, 'figures', 'data', `${name}.vl.json`);
}

/**
 * Which backend made a figure's runs, as snapshots and captions record it: 'cpu',
 * or 'webgpu: <adapter name>' when its SGD runs ran on the GPU (ODE and sampler runs always
 * run on the CPU). Added here, in the pipeline, so figure modules stay backend-agnostic.
 */
export function withBackend<S extends object>(snapshot: S, backend: string): S & { backend: string } {
  return { ...snapshot, backend };
}

/** The caption sentence naming the backend (from the snapshot's `backend` field). */
export function backendSentence(backend: string | undefined): string {
  if (backend === undefined) return '';
  if (backend === 'cpu') return ' Computed on the CPU (TypeScript engines).';
  return ` SGD runs computed on WebGPU (${backend.replace(/^webgpu: /, '')}, Philox random stream); ODE and sampler runs on the CPU.`;
}

export const GALLERY_PATH = join(OUT, 'figures', 'index.html');
/** The ensemble preset's own page: its figures that have been built, with their captions. */
export const ENSEMBLE_GALLERY_PATH = join(OUT, 'figures', 'ensemble.html');

/**
 * Write the figures' specs and SVGs, then the gallery. They go through `staged` (the caller's
 * snapshots may already be in it) and appear together: nothing is renamed into place until
 * every file is written, so a full disk leaves the previous outputs as they were. The gallery
 * is made from the files on disk, so it is written after they are in place.
 */
export async function renderFigureOutputs(
  figures: { fig: FigureDefinition; built: BuiltFigure }[],
  opts: { gallery: GalleryName | null } = { gallery: 'default' },
  staged: StagedFiles = new StagedFiles('pipeline'),
): Promise<void> {
  try {
    for (const { fig, built } of figures) {
      staged.write(specPath(fig.name), toReviewJson(built.spec));
      staged.write(svgPath(fig.name), await renderSvg(built.spec as never));
      if (built.interactiveSpec) staged.write(join(OUT, 'figures', 'data', `${fig.name}.interactive.vl.json`), toReviewJson(built.interactiveSpec));
    }
  } catch (e) {
    staged.abort();
    throw e;
  }
  staged.commit();
  // The gallery embeds every figure's SVG, so it is rebuilt after any figure changes (also
  // with --only): it is made from the files on disk and costs no runs.
  if (opts.gallery === 'default') await writeGallery();
  else if (opts.gallery === 'ensemble') writeFileAtomic(ENSEMBLE_GALLERY_PATH, await ensembleGalleryHtml());
}

/** The backend recorded in a figure's snapshot (undefined: none recorded). */
function snapshotBackend(name: string, preset: Preset = 'full'): string | undefined {
  try {
    const b = (JSON.parse(readFileSync(snapshotPath(name, preset), 'utf8')) as { backend?: unknown }).backend;
    return typeof b === 'string' ? b : undefined;
  } catch {
    return undefined;
  }
}

/** A page entry: the committed SVG, with the preset's caption and the sentence naming its snapshot's backend. */
function svgEntry(fig: FigureDefinition, preset: Preset) {
  return { id: fig.name, title: fig.title, caption: fig.caption(preset) + backendSentence(snapshotBackend(fig.name, preset)), svg: readFileSync(svgPath(fig.name), 'utf8') };
}

/** The preset whose figures a page shows (PRESETS[preset].gallery). */
function presetOfGallery(gallery: GalleryName): Preset {
  return (Object.keys(PRESETS) as Preset[]).find((p) => PRESETS[p].gallery === gallery)!;
}

/** The gallery is built from the committed outputs, so it is always consistent with them. */
export async function writeGallery(): Promise<void> {
  writeFileAtomic(GALLERY_PATH, await galleryHtml());
}

/** The gallery's HTML as the current figures/ outputs and captions give it. */
export async function galleryHtml(): Promise<string> {
  const { figuresOfPreset } = await import('../src/figures/registry.ts');
  const preset = presetOfGallery('default');
  const entries = [];
  for (const fig of figuresOfPreset(preset)) {
    entries.push(svgEntry(fig, preset));
    const interactive = join(OUT, 'figures', 'data', `${fig.name}.interactive.vl.json`);
    try {
      const spec = JSON.parse(readFileSync(interactive, 'utf8'));
      entries.push({ id: `${fig.name}-interactive`, title: `${fig.title} (interactive)`, caption: 'Move the slider to step through time.', vegaLiteSpec: spec });
    } catch {
      /* no interactive variant */
    }
  }
  return buildGalleryHtml(entries);
}

/**
 * The ensemble page as the current outputs give it: the ensemble preset's figures whose SVG
 * exists (the SGD ensembles appear once a GPU session has made them), with their captions.
 */
export async function ensembleGalleryHtml(): Promise<string> {
  const { figuresOfPreset } = await import('../src/figures/registry.ts');
  const preset = presetOfGallery('ensemble');
  const entries = figuresOfPreset(preset)
    .filter((fig) => existsSync(svgPath(fig.name)))
    .map((fig) => svgEntry(fig, preset));
  return buildGalleryHtml(entries, { title: 'tsdyn ensemble figures (make figures PRESET=ensemble)', explorerHref: '' });
}
