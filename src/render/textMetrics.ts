/**
 * Real text widths for headless Vega, measured with @napi-rs/canvas and the pinned DejaVu Sans.
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
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import * as vega from 'vega';
import { MEASURE_FAMILY, registerFonts } from './fonts.ts';

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

let ctx: SKRSContext2D | undefined;
const cache = new Map<string, number>();
const CACHE_MAX = 50_000;

function fontSize(item: TextItem): number {
  return item.fontSize != null ? +item.fontSize || 0 : 11;
}

/** Only two weights and two styles exist in the pinned files: map Vega's values onto them. */
function canvasFont(item: TextItem): string {
  const w = item.fontWeight;
  const bold = w === 'bold' || w === 'bolder' || (w != null && Number(w) >= 600);
  const s = item.fontStyle;
  const italic = s === 'italic' || s === 'oblique';
  return `${italic ? 'italic ' : ''}${bold ? 'bold ' : ''}${fontSize(item)}px ${MEASURE_FAMILY}`;
}

/** Width in px of `text` set in the pinned DejaVu Sans with the item's size, weight, style. */
export function measureTextWidth(text: unknown, item: TextItem = {}): number {
  const s = text == null ? '' : String(text).trim();
  if (fontSize(item) <= 0 || !s) return 0;
  const font = canvasFont(item);
  const key = `${font}\u0000${s}`;
  let width = cache.get(key);
  if (width === undefined) {
    if (!ctx) {
      registerFonts();
      ctx = createCanvas(1, 1).getContext('2d');
    }
    ctx.font = font;
    width = ctx.measureText(s).width;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, width);
  }
  return width;
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
