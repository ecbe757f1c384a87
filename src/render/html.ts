/**
 * One standalone, offline HTML page showing every figure.
 *
 * Static figures are inlined as the committed SVG text (ids prefixed per figure, because Vega
 * numbers clip paths clip1, clip2, … in every SVG and ids must be unique in one document).
 * Interactive figures are drawn in the browser by vega-embed; vega, vega-lite and vega-embed
 * builds are inlined from node_modules, so the page needs no network (≈ 1 MB).
 *
 * The page marks its own progress so a checker (checkHtml.ts) can tell what rendered: each
 * figure gets data-rendered="true" (or data-error) and <body> gets data-gallery-done="true"
 * when all are settled. Output is deterministic: no dates, entries in the given order.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { withSharedConfig } from './config.ts';
import { FONT_FAMILY, fontFiles } from './fonts.ts';

export interface GalleryEntry {
  /** Unique within the page; letters, digits, '-', '_' (used in element ids). */
  id: string;
  title: string;
  /** Plain text (escaped; line breaks kept). */
  caption: string;
  /** A static figure: SVG text as renderSvg wrote it. */
  svg?: string;
  /** An interactive figure: a Vega-Lite spec drawn by vega-embed (the shared config is applied). */
  vegaLiteSpec?: object;
}

export interface GalleryOptions {
  /** Page title and heading. Default 'tsdyn figures'. */
  title?: string;
  /** Plain-text paragraph under the heading. */
  intro?: string;
  /**
   * Embed DejaVu Sans (regular + bold, ≈ 2 MB base64) so the page looks the same where the font
   * is not installed. Default false: without it, browsers use DejaVu Sans if present, else a
   * sans-serif fallback (the CSS below), with slightly different widths than the layout assumed.
   */
  embedFonts?: boolean;
  /**
   * Link to the live explorer (figures/explorer.html, built next to the gallery by
   * scripts/build-explorer.ts). Default 'explorer.html'; null for no link.
   */
  explorerHref?: string | null;
}

const require_ = createRequire(import.meta.url);

/**
 * Root folder of an installed package. The export maps of vega & co. block
 * 'pkg/package.json', so resolve the main entry and walk up to the package.json naming it.
 */
export function packageRoot(name: string): string {
  let dir = dirname(require_.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      /* no package.json here */
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`render/html: cannot find the package root of ${name}`);
    dir = up;
  }
}

export interface InlinedLibrary {
  name: string;
  version: string;
  path: string;
  code: string;
}

const LIBRARIES = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
] as const;

let libCache: InlinedLibrary[] | undefined;

/** The three browser builds (globals vega, vegaLite, vegaEmbed), ready to inline. */
export function galleryLibraries(): InlinedLibrary[] {
  if (libCache) return libCache;
  libCache = LIBRARIES.map(([name, file]) => {
    const root = packageRoot(name);
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const path = join(root, file);
    const code = inlineScript(readFileSync(path, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, ''), path);
    return { name, version, path, code };
  });
  return libCache;
}

/** Make JS safe inside <script>: '</script' would end the element early. */
export function inlineScript(code: string, what: string): string {
  if (code.includes('<!--')) throw new Error(`${what} contains '<!--', unsafe to inline`);
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON inside <script type="application/json">: no '<' at all, and JS-safe line separators. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Give the SVG's ids (clip paths, gradients) a per-figure prefix, and fix their references. */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/<\?xml[^>]*\?>\s*/, '')
    .replace(/(\sid=")([^"]+)"/g, `$1${prefix}-$2"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/(\s(?:xlink:)?href=")#([^"]+)"/g, `$1#${prefix}-$2"`);
}

const ID_RE = /^[A-Za-z][\w-]*$/;

const CSS = `
body { font-family: "${FONT_FAMILY}", Verdana, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-bottom: 0.4rem; }
nav ul { padding-left: 1.2rem; }
figure.figure { margin: 2.5rem 0; }
.plot { overflow-x: auto; }
.plot svg { max-width: 100%; height: auto; }
/* The SVGs name DejaVu Sans on each text; where it is missing, fall back to a sans-serif font, not the browser's serif default. */
.plot text { font-family: "${FONT_FAMILY}", Verdana, sans-serif; }
figcaption { white-space: pre-line; line-height: 1.45; max-width: 80ch; color: #333; }
figure[data-error] .plot::after { content: "This figure failed to render: " attr(data-error); color: #b00; }
`;

// Runs in the browser after the libraries. Marks each figure rendered or failed (see checkHtml.ts).
const BOOTSTRAP = `
(function () {
  var figures = Array.prototype.slice.call(document.querySelectorAll('figure.figure'));
  var jobs = figures.map(function (fig) {
    var plot = fig.querySelector('.plot');
    function fail(e) {
      fig.setAttribute('data-error', String(e && e.message || e));
      console.error('figure ' + fig.id + ': ' + (e && e.message || e));
    }
    if (fig.getAttribute('data-kind') === 'static') {
      var svg = plot.querySelector('svg');
      if (svg && svg.getBoundingClientRect().width > 0) fig.setAttribute('data-rendered', 'true');
      else fail('static SVG missing or empty');
      return Promise.resolve();
    }
    try {
      var spec = JSON.parse(document.getElementById(fig.id + '-spec').textContent);
      return vegaEmbed(plot, spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } })
        .then(function (result) {
          if (plot.querySelector('svg')) fig.setAttribute('data-rendered', 'true');
          else fail('vega-embed produced no SVG');
          return result;
        }, fail);
    } catch (e) {
      fail(e);
      return Promise.resolve();
    }
  });
  Promise.all(jobs).then(function () { document.body.setAttribute('data-gallery-done', 'true'); });
})();
`;

function fontFaces(): string {
  const f = fontFiles();
  const face = (path: string, weight: string) =>
    `@font-face { font-family: "${FONT_FAMILY}"; font-weight: ${weight}; font-style: normal; src: url(data:font/ttf;base64,${readFileSync(path).toString('base64')}) format("truetype"); }`;
  return `${face(f.regular, 'normal')}\n${face(f.bold, 'bold')}\n`;
}

/** The whole page as a string. Throws on duplicate/invalid ids or an entry with neither svg nor spec. */
export function buildGalleryHtml(entries: GalleryEntry[], opts: GalleryOptions = {}): string {
  const title = opts.title ?? 'tsdyn figures';
  const seen = new Set<string>();
  for (const e of entries) {
    if (!ID_RE.test(e.id)) throw new Error(`render/html: invalid figure id ${JSON.stringify(e.id)}`);
    if (seen.has(e.id)) throw new Error(`render/html: duplicate figure id ${e.id}`);
    seen.add(e.id);
    if (!e.svg === !e.vegaLiteSpec) throw new Error(`render/html: figure ${e.id} needs exactly one of svg or vegaLiteSpec`);
  }
  const interactive = entries.some((e) => e.vegaLiteSpec);
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${escapeHtml(title)}</title>`);
  out.push(`<style>${opts.embedFonts ? fontFaces() : ''}${CSS}</style>`);
  if (interactive) {
    for (const lib of galleryLibraries()) out.push(`<script>/* ${lib.name} ${lib.version} */\n${lib.code}\n</script>`);
  }
  out.push('</head>', '<body>', `<h1>${escapeHtml(title)}</h1>`);
  if (opts.intro) out.push(`<p>${escapeHtml(opts.intro)}</p>`);
  const explorer = opts.explorerHref === undefined ? 'explorer.html' : opts.explorerHref;
  if (explorer) out.push(`<p class="explorer-link"><a href="${escapeHtml(explorer)}">Live explorer</a>: theory and SGD recomputed in your browser for any setting.</p>`);
  out.push('<nav><ul>');
  for (const e of entries) out.push(`<li><a href="#${e.id}">${escapeHtml(e.title)}</a></li>`);
  out.push('</ul></nav>');
  for (const e of entries) {
    out.push(`<figure class="figure" id="${e.id}" data-kind="${e.svg ? 'static' : 'interactive'}">`);
    out.push(`<h2>${escapeHtml(e.title)}</h2>`);
    if (e.svg) out.push(`<div class="plot">\n${prefixSvgIds(e.svg, e.id).trimEnd()}\n</div>`);
    else {
      out.push('<div class="plot"></div>');
      out.push(`<script type="application/json" id="${e.id}-spec">${scriptJson(withSharedConfig(e.vegaLiteSpec!))}</script>`);
    }
    out.push(`<figcaption>${escapeHtml(e.caption)}</figcaption>`, '</figure>');
  }
  out.push(`<script>${BOOTSTRAP}</script>`, '</body>', '</html>', '');
  return out.join('\n');
}
