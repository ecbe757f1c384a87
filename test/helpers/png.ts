/**
 * SVG → PNG with resvg, for people and agents to look at a figure (the SVG stays the artifact).
 * resvg gets the same pinned DejaVu files the layout was measured with, and no system fonts, so
 * the picture is the same on every machine.
 */
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { FONT_FAMILY, fontFileList } from '../../src/render/fonts.ts';

export interface PngOptions {
  /** Output width in px (height follows the aspect ratio). Default: the SVG's size × `zoom`. */
  width?: number;
  /** Scale factor when no width is given. Default 2 (readable on high-density screens). */
  zoom?: number;
  /** Background colour under transparent parts. Default: none (Vega-Lite paints white itself). */
  background?: string;
}

function resvgOptions(opts: PngOptions): ResvgRenderOptions {
  return {
    font: {
      loadSystemFonts: false,
      fontFiles: fontFileList(),
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    fitTo: opts.width ? { mode: 'width', value: Math.round(opts.width) } : { mode: 'zoom', value: opts.zoom ?? 2 },
    ...(opts.background ? { background: opts.background } : {}),
    logLevel: 'error',
  };
}

/** Rasterize and return RGBA pixels (used by tests to compare pictures). */
export function svgToPixels(svg: string, opts: PngOptions = {}): { width: number; height: number; pixels: Buffer } {
  const img = new Resvg(svg, resvgOptions(opts)).render();
  return { width: img.width, height: img.height, pixels: img.pixels };
}

/** Rasterize and encode as PNG. */
export function svgToPng(svg: string, opts: PngOptions = {}): Buffer {
  return new Resvg(svg, resvgOptions(opts)).render().asPng();
}
