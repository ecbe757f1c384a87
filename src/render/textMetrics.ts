/**
 * Real text widths for headless Vega, from the pinned DejaVu Sans files laid out by fontkit.
 *
 * Why fontkit (pure JavaScript) and not a canvas: the widths must be identical on every machine
 * and installable from the npm registry alone. @napi-rs/canvas measured the same widths (checked
 * to 0 px difference on axis labels, Greek, sub/superscripts, kerning pairs, regular and bold), but
 * its lock-file entries name per-platform binary packages that a registry mirror may lack, which
 * breaks `npm ci`. fontkit applies the font's own GPOS kerning and GSUB shaping, as a browser does.
 *
 * How Vega measures (vega-scenegraph 6, src/util/text.js): `textMetrics.width(item, text)` is
 * called by mark bounds (marks/text.js, which sizes axes/legends and drives label-overlap
 * removal), by vega-label, and by label truncation (`widthGetter`). At load time vega-scenegraph
 * asks vega-canvas for a canvas; in Node that means `import('canvas')`, which is not installed,
 * so `width` stays `estimateWidth` = ~~(0.8 × characters × fontSize): labels come out too
 * wide, and axes drop ticks they have room for. Vega supports replacing `textMetrics.width`
 * with a user function (its `widthGetter` has a branch for that, used by vl-convert), which is
 * what we do. The internal `measureWidth` cannot be reused: it draws on a module-private
 * canvas context that is null here.
 *
 * Semantics kept from Vega's measureWidth: `text` is stringified and trimmed; fontSize defaults
 * to 11 and a size <= 0 measures 0. Every text is measured as DejaVu Sans whatever family the
 * item names (the shared config in svg.ts sets DejaVu Sans everywhere); only weight (normal /
 * bold) and style (normal / italic) are taken from the item.
 *
 * Known difference from Vega's canvas path: a label longer than its `limit` is measured at full
 * width for bounds (Vega would measure the truncated text). The same function must return raw
 * widths when Vega's truncation calls it, and the two calls cannot be told apart. Drawn text is
 * still truncated correctly; only the reserved space is larger. Default limits (axis 180 px,
 * legend 160 px) are rarely reached by our labels.
 */
import * as fontkit from 'fontkit';
import * as vega from 'vega';
import { fontFiles } from './fonts.ts';

/** The part of a Vega scenegraph item that text measurement reads. */
export interface TextItem {
  fontSize?: number | string | null;
  fontWeight?: number | string | null;
  fontStyle?: string | null;
  limit?: number;
}

type WidthFn = (item: TextItem, text: unknown) => number;

/** vega-scenegraph's exported `textMetrics` object (untyped in vega's .d.ts). */
interface VegaTextMetrics {
  width: WidthFn;
  height: (item: TextItem) => number;
  estimateWidth: WidthFn;
  measureWidth: WidthFn;
}

export function vegaTextMetrics(): VegaTextMetrics {
  const tm = (vega as unknown as { textMetrics?: VegaTextMetrics }).textMetrics;
  if (!tm) throw new Error('render/textMetrics: vega does not export textMetrics (vega version changed?)');
  return tm;
}

type Face = 'regular' | 'bold' | 'oblique' | 'boldOblique';
const faces = new Map<Face, fontkit.Font>();
const cache = new Map<string, number>();
const CACHE_MAX = 50_000;

function fontSize(item: TextItem): number {
  return item.fontSize != null ? +item.fontSize || 0 : 11;
}

/** Only two weights and two styles exist in the pinned files: map Vega's values onto them. */
function faceOf(item: TextItem): Face {
  const w = item.fontWeight;
  const bold = w === 'bold' || w === 'bolder' || (w != null && Number(w) >= 600);
  const s = item.fontStyle;
  const italic = s === 'italic' || s === 'oblique';
  return italic ? (bold ? 'boldOblique' : 'oblique') : bold ? 'bold' : 'regular';
}

function loadFace(face: Face): fontkit.Font {
  let font = faces.get(face);
  if (!font) {
    const opened = fontkit.openSync(fontFiles()[face]);
    if (!('layout' in opened)) throw new Error(`render/textMetrics: ${fontFiles()[face]} is a font collection, expected one face`);
    font = opened;
    faces.set(face, font);
  }
  return font;
}

/** Width in px of `text` set in the pinned DejaVu Sans with the item's size, weight, style. */
export function measureTextWidth(text: unknown, item: TextItem = {}): number {
  const s = text == null ? '' : String(text).trim();
  const size = fontSize(item);
  if (size <= 0 || !s) return 0;
  const face = faceOf(item);
  const key = `${face}\u0000${s}`;
  let em = cache.get(key);
  if (em === undefined) {
    const font = loadFace(face);
    em = font.layout(s).advanceWidth / font.unitsPerEm;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, em);
  }
  return em * size;
}

const hook: WidthFn = (item, text) => measureTextWidth(text, item);

/** Point Vega's text measurement at measureTextWidth. Idempotent; safe to call before each render. */
export function installTextMetrics(): void {
  const tm = vegaTextMetrics();
  if (tm.width !== hook) tm.width = hook;
}

export function textMetricsInstalled(): boolean {
  return vegaTextMetrics().width === hook;
}
