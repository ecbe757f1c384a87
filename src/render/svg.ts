/**
 * Vega-Lite spec → SVG text, byte-deterministic and diff-friendly, with no browser.
 *
 * Determinism (see shared/rendering-notes.md):
 *  - text is measured with pinned font files (textMetrics.ts), not the machine's fonts;
 *  - `resetSVGDefIds()` before each render: clip-path/gradient ids otherwise keep counting
 *    across renders in one process;
 *  - `setRandom` seeded before each render: bootstrap CIs and `sample` use Vega's random;
 *  - renders are serialized, so concurrent calls cannot interleave the two globals above;
 *  - numbers in attributes are rounded (formatSvg), so last-bit float noise
 *    (`translate(130.00000000000003,…)`) cannot change the bytes across Node versions.
 * Temporal fields depend on the process time zone: use numeric time, or UTC.
 *
 * Every spec gets the shared config of config.ts (DejaVu Sans everywhere, white background).
 */
import * as vega from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';
import { withSharedConfig } from './config.ts';
import { installTextMetrics } from './textMetrics.ts';

export interface RenderSvgOptions {
  /** Seed for Vega's random generator (bootstrap CIs, `sample`). Default 1. */
  seed?: number;
  /** Extra Vega-Lite config, merged over the spec's config (fonts are still forced; see config.ts). */
  config?: Config;
  /** Run formatSvg on the output (rounding + line breaks). Default true. */
  format?: boolean;
  /** Decimals kept in geometry attributes by formatSvg. Default 3. */
  decimals?: number;
}

/** The vega functions used here that vega's .d.ts does not declare. */
const vg = vega as unknown as {
  setRandom(r: () => number): void;
  randomLCG(seed: number): () => number;
  resetSVGDefIds(): void;
};

// Renders share process-global state (def ids, random): run them one at a time.
let queue: Promise<unknown> = Promise.resolve();

export function renderSvg(spec: TopLevelSpec, opts: RenderSvgOptions = {}): Promise<string> {
  const run = queue.then(() => renderNow(spec, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function renderNow(spec: TopLevelSpec, opts: RenderSvgOptions): Promise<string> {
  installTextMetrics();
  const vgSpec = compile(withSharedConfig(spec, opts.config)).spec;
  vg.resetSVGDefIds();
  vg.setRandom(vg.randomLCG(opts.seed ?? 1));
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  return opts.format === false ? svg : formatSvg(svg, { decimals: opts.decimals });
}

// ---------------------------------------------------------------------------------------------
// Post-processing

/**
 * Attributes holding geometry: numbers rounded to `decimals` (default 3, like Vega's own path
 * coordinates). Path data (`d`) is left as Vega wrote it: it is already rounded.
 */
const GEOMETRY_ATTRS = new Set([
  'transform', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'dx', 'dy', 'width', 'height', 'r', 'cx', 'cy', 'rx', 'ry',
  'stroke-width', 'stroke-dasharray', 'stroke-dashoffset', 'stroke-miterlimit', 'font-size',
  'opacity', 'fill-opacity', 'stroke-opacity', 'offset', 'viewBox',
]);
/** Attributes never touched: names, references and embedded data (base64 can look numeric). */
const SKIP_ATTRS = new Set(['id', 'class', 'href', 'xlink:href', 'src', 'font-family', 'xmlns', 'xmlns:xlink', 'version']);
/** Elements whose content is text: no line breaks inside them (whitespace would be rendered). */
const TEXT_ELEMENTS = new Set(['text', 'title', 'desc', 'style', 'textPath', 'script']);

// A number not glued to a word (ids like clip12, colours like #1e5e8a are left alone).
const NUMBER = /(?<![\w.#])-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?(?![\w.])/gi;

function tidy(x: number): string {
  return x === 0 ? '0' : String(x); // no "-0"
}

/** Geometry: at most `decimals` decimals, trailing zeros dropped; shorter tokens are kept as is. */
function roundGeometry(value: string, decimals: number): string {
  return value.replace(NUMBER, (tok) => {
    const frac = /\.(\d*)/.exec(tok)?.[1] ?? '';
    if (frac.length <= decimals && !/e/i.test(tok)) return tok;
    return tidy(Number(Number(tok).toFixed(decimals)));
  });
}

/** Other attributes (aria-label, …) carry data values: drop float noise (> 9 significant digits → 6). */
function roundNoise(value: string): string {
  return value.replace(NUMBER, (tok) => {
    const digits = tok.replace(/e.*$/i, '').replace(/[-.]/g, '').replace(/^0+/, '');
    if (digits.length <= 9) return tok;
    return tidy(Number(Number(tok).toPrecision(6)));
  });
}

function roundAttributes(tag: string, decimals: number): string {
  return tag.replace(/(\s)([^\s=/>]+)="([^"]*)"/g, (all, sp: string, name: string, value: string) => {
    if (SKIP_ATTRS.has(name) || name.startsWith('data-')) return all;
    const v = GEOMETRY_ATTRS.has(name) ? roundGeometry(value, decimals) : roundNoise(value);
    return `${sp}${name}="${v}"`;
  });
}

export interface FormatSvgOptions {
  /** Decimals kept in geometry attributes (transform, x, y, width, …). Default 3. */
  decimals?: number;
  /** Round numbers at all (false: line breaks only). Default true. */
  round?: boolean;
}

/**
 * Make Vega's one-line SVG stable and reviewable:
 *  - numbers in attributes are rounded: geometry to 3 decimals (a shift of at most 0.0005 px,
 *    the precision Vega already uses for paths; it removes float noise such as
 *    130.00000000000003 and last-bit differences between Node versions), long float noise in
 *    other attributes (aria-label) to 6 significant digits; names, ids, hrefs are untouched;
 *  - a line break goes before every tag, except inside text elements, whose whitespace would
 *    be rendered; whitespace between other elements is not rendered;
 *  - the output ends with a newline. Idempotent.
 */
export function formatSvg(svg: string, opts: FormatSvgOptions = {}): string {
  const decimals = opts.decimals ?? 3;
  const round = opts.round ?? true;
  let out = '';
  let i = 0;
  let textDepth = 0;
  const breakLine = () => {
    if (textDepth === 0 && out.length > 0 && !out.endsWith('\n')) out += '\n';
  };
  while (i < svg.length) {
    const lt = svg.indexOf('<', i);
    if (lt < 0) {
      out += svg.slice(i);
      break;
    }
    out += svg.slice(i, lt); // character data: untouched
    let end: number;
    if (svg.startsWith('<!--', lt)) end = svg.indexOf('-->', lt) + 3;
    else if (svg.startsWith('<![CDATA[', lt)) end = svg.indexOf(']]>', lt) + 3;
    else {
      let j = lt + 1;
      let quote = '';
      for (; j < svg.length; j++) {
        const c = svg[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      end = j + 1;
    }
    if (end <= lt) end = svg.length; // unterminated: copy the rest
    const tag = svg.slice(lt, end);
    const m = /^<(\/?)([A-Za-z][\w:.-]*)/.exec(tag);
    if (!m) {
      breakLine();
      out += tag;
    } else {
      const closing = m[1] === '/';
      const isText = TEXT_ELEMENTS.has(m[2]);
      breakLine(); // before updating the depth: no break before </text>, a break before <text
      out += closing || !round ? tag : roundAttributes(tag, decimals);
      if (isText) textDepth += closing ? -1 : tag.endsWith('/>') ? 0 : 1;
    }
    i = end;
  }
  return out.endsWith('\n') ? out : out + '\n';
}
