/**
 * The Vega-Lite config every figure gets, static (svg.ts) or interactive (html.ts). Kept apart
 * from svg.ts so the HTML builder does not load Vega and the canvas just to read it.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './fonts.ts';

/**
 * Font settings forced onto every spec. Text is always measured as DejaVu Sans (see
 * textMetrics.ts), so the SVG must name that font everywhere, or the drawn text would not
 * match the layout.
 */
export const FONT_CONFIG = {
  font: FONT_FAMILY,
  axis: { labelFont: FONT_FAMILY, titleFont: FONT_FAMILY },
  legend: { labelFont: FONT_FAMILY, titleFont: FONT_FAMILY },
  header: { labelFont: FONT_FAMILY, titleFont: FONT_FAMILY },
  title: { font: FONT_FAMILY, subtitleFont: FONT_FAMILY },
  text: { font: FONT_FAMILY },
} satisfies Config;

/** Defaults placed under the spec's own config (the spec wins, except for fonts). */
export const DEFAULT_CONFIG = {
  background: 'white',
  // Our labels are numbers and short names; a generous limit avoids truncation, whose bounds
  // the custom text measurement cannot reproduce exactly (see textMetrics.ts).
  axis: { labelLimit: 300 },
  legend: { labelLimit: 300 },
} satisfies Config;

type Plain = Record<string, unknown>;
const isPlain = (x: unknown): x is Plain => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Deep merge of plain objects; later arguments win; arrays and scalars are replaced. Inputs are not modified. */
export function mergeConfig(...configs: (object | undefined)[]): Plain {
  const out: Plain = {};
  for (const c of configs) {
    if (!c) continue;
    for (const [k, v] of Object.entries(c)) {
      out[k] = isPlain(v) ? mergeConfig(isPlain(out[k]) ? out[k] : undefined, v) : v;
    }
  }
  return out;
}

/** The spec with DEFAULT_CONFIG under its config, `extra` over it, and FONT_CONFIG forced last. */
export function withSharedConfig<T extends object>(spec: T, extra?: Config): T {
  const own = (spec as { config?: object }).config;
  return { ...spec, config: mergeConfig(DEFAULT_CONFIG, own, extra, FONT_CONFIG) } as T;
}

export type { Config, TopLevelSpec };
