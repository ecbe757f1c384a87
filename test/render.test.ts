/**
 * The rendering layer: deterministic, diffable SVG; a picture unchanged by formatting; real
 * text metrics; LTTB downsampling; the offline gallery (and, where Chromium is installed, that
 * it renders every figure without console errors).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, checkHtmlInChromium } from '../src/render/checkHtml.ts';
import { lttb } from '../src/render/downsample.ts';
import { exampleSpec } from './helpers/renderExample.ts';
import { FONT_FAMILY, fontFileList } from '../src/render/fonts.ts';
import { buildGalleryHtml, galleryLibraries } from '../src/render/html.ts';
import { svgToPixels, svgToPng } from './helpers/png.ts';
import { formatSvg, renderSvg } from '../src/render/svg.ts';
import { installTextMetrics, measureTextWidth, textMetricsInstalled, vegaTextMetrics } from '../src/render/textMetrics.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-render-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Fraction of RGBA bytes that differ between two rasterizations of the same size. */
function pixelDiff(a: string, b: string): { sameSize: boolean; fraction: number } {
  const pa = svgToPixels(a);
  const pb = svgToPixels(b);
  if (pa.width !== pb.width || pa.height !== pb.height) return { sameSize: false, fraction: 1 };
  let diff = 0;
  for (let i = 0; i < pa.pixels.length; i++) if (pa.pixels[i] !== pb.pixels[i]) diff++;
  return { sameSize: true, fraction: diff / pa.pixels.length };
}

const transforms = (svg: string) => svg.match(/transform="[^"]*"/g) ?? [];

describe('renderSvg', () => {
  it('is byte-identical across calls in one process, also with another render in between', async () => {
    const a = await renderSvg(exampleSpec());
    const b = await renderSvg(exampleSpec());
    await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' } } } as TopLevelSpec);
    const c = await renderSvg(exampleSpec());
    expect(a === b).toBe(true);
    expect(a === c).toBe(true); // clip-path ids restart at every render
    expect(a).toMatch(/clip-path="url\(#clip1\)"/);
  });

  it('renders concurrent calls deterministically', async () => {
    const [a, b] = await Promise.all([renderSvg(exampleSpec()), renderSvg(exampleSpec())]);
    expect(a === b).toBe(true);
  });

  it('is byte-identical in a separate process', async () => {
    const out = join(tmp, 'proc.svg');
    execFileSync(process.execPath, ['--import', 'tsx', 'test/helpers/renderExample.ts', out, join(tmp, 'proc.png')], { stdio: 'pipe' });
    expect(readFileSync(out, 'utf8') === (await renderSvg(exampleSpec()))).toBe(true);
  });

  it('has no float noise in transforms, line breaks between tags, and a final newline', async () => {
    const raw = await renderSvg(exampleSpec(), { format: false });
    // The check below is meaningful: Vega's own output has such noise.
    expect(transforms(raw).some((t) => /\d\.\d{4,}/.test(t))).toBe(true);
    expect(raw.includes('\n')).toBe(false);

    const svg = await renderSvg(exampleSpec());
    const ts = transforms(svg);
    expect(ts.length).toBeGreaterThan(20);
    for (const t of ts) {
      expect(t).not.toMatch(/\de[-+]?\d/i);
      expect(t).not.toMatch(/\d\.\d{4,}/);
      expect(t).not.toMatch(/\.\d*0[,)\s]/); // trailing zeros stripped
    }
    expect(svg.split('\n').length).toBeGreaterThan(200);
    expect(svg.endsWith('</svg>\n')).toBe(true);
    expect(svg).toMatch(/\n<g/);
    expect(svg).toMatch(/\n<\/g>/);
    expect(svg).toMatch(/\n<path/);
    expect(svg).toMatch(/\n<text[^\n]*<\/text>\n/); // text content stays on one line
  });

  it('draws the faceted log-log chart as specified: two panels, theory dashed, simulation solid, DejaVu Sans', async () => {
    const svg = await renderSvg(exampleSpec());
    expect(svg.match(/role-column-header/g)?.length).toBe(1);
    expect(svg).toContain('K = 2, M = 2');
    expect(svg).toContain('K = 4, M = 4 (longer plateau)');
    const lines = svg.split('\n').filter((l) => /^<path[^>]*aria-roledescription="line mark"/.test(l));
    expect(lines.length).toBe(4); // 2 panels × {simulation, theory}
    expect(lines.filter((l) => l.includes('stroke-dasharray="6,4"') && l.includes('stroke="#e45756"')).length).toBe(2);
    expect(lines.filter((l) => l.includes('stroke="#4c78a8"') && l.includes('stroke-dasharray="1,0"')).length).toBe(2);
    // Independent y: each panel has its own y axis.
    expect(svg.match(/aria-label="Y-axis titled 'generalization error ε_g' for a log scale/g)?.length).toBe(2);
    const families = new Set([...svg.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]));
    expect([...families]).toEqual([FONT_FAMILY]);
  });

  it('seeds Vega random numbers: a spec with a sample transform renders identically', async () => {
    const values = Array.from({ length: 500 }, (_, i) => ({ x: i, y: (i * 7919) % 101 }));
    const spec = {
      data: { values },
      transform: [{ sample: 40 }],
      mark: 'point',
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    } as TopLevelSpec;
    const a = await renderSvg(spec);
    const b = await renderSvg(spec);
    expect(a === b).toBe(true);
    expect(a === (await renderSvg(spec, { seed: 2 }))).toBe(false); // the seed is what fixes it
  });
});

describe('formatSvg', () => {
  it('rounds geometry, strips noise, breaks lines outside text, and leaves names and text alone', () => {
    const raw =
      '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><defs><clipPath id="clip12"><rect x="0" y="0" width="80.12345678" height="30"/></clipPath></defs>' +
      '<g transform="translate(130.00000000000003,2.5e-14)" clip-path="url(#clip12)" aria-label="x: 0.30000000000000004; y: 1e-7; t: 12.5">' +
      '<path d="M0,0h68.12890625v11Z" fill="#1e5e8a"/><text transform="translate(1.23456,-0.00001)" font-size="10px">a  0.123456 <tspan>b</tspan></text></g></svg>';
    const out = formatSvg(raw);
    expect(out).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">\n<defs>\n<clipPath id="clip12">\n<rect x="0" y="0" width="80.123" height="30"/>\n</clipPath>\n</defs>\n' +
        '<g transform="translate(130,0)" clip-path="url(#clip12)" aria-label="x: 0.3; y: 1e-7; t: 12.5">\n' +
        '<path d="M0,0h68.12890625v11Z" fill="#1e5e8a"/>\n<text transform="translate(1.235,0)" font-size="10px">a  0.123456 <tspan>b</tspan></text>\n</g>\n</svg>\n',
    );
    expect(formatSvg(out)).toBe(out); // idempotent
    expect(formatSvg(raw, { round: false })).toContain('translate(130.00000000000003,2.5e-14)');
  });

  it('keeps the picture: line breaks change no pixel; rounding moves nothing visibly', async () => {
    const raw = await renderSvg(exampleSpec(), { format: false });
    // Line breaks alone: identical pixels.
    const broken = formatSvg(raw, { round: false });
    expect(broken).not.toBe(raw);
    expect(pixelDiff(raw, broken)).toEqual({ sameSize: true, fraction: 0 });
    // Rounding to 3 decimals shifts elements by at most 0.0005 px; the rasterizer's subpixel
    // coverage may flip on a handful of edge pixels, never more.
    const formatted = formatSvg(raw);
    const d = pixelDiff(raw, formatted);
    expect(d.sameSize).toBe(true);
    expect(d.fraction).toBeLessThan(1e-4);
    // And a sanity check that pixelDiff sees real changes.
    expect(pixelDiff(raw, raw.replace('stroke-dasharray="6,4"', 'stroke-dasharray="1,0"')).fraction).toBeGreaterThan(1e-4);
  });

  it('is pixel-identical where rounding only removes float noise', async () => {
    const spec = {
      width: 200,
      height: 100,
      data: { values: [0, 1, 2, 3, 4, 5].map((x) => ({ x, y: x * x })) },
      mark: 'line',
      encoding: { x: { field: 'x', type: 'quantitative', axis: { title: null } }, y: { field: 'y', type: 'quantitative', axis: { title: null } } },
    } as TopLevelSpec;
    const raw = await renderSvg(spec, { format: false });
    expect(pixelDiff(raw, formatSvg(raw))).toEqual({ sameSize: true, fraction: 0 });
  });
});

describe('text metrics', () => {
  it('is hooked into Vega (idempotently) and differs from the 0.8 × chars × size fallback', () => {
    installTextMetrics();
    installTextMetrics();
    expect(textMetricsInstalled()).toBe(true);
    const tm = vegaTextMetrics();
    const label = 'generalization error ε_g (long axis label)';
    const measured = tm.width({ fontSize: 11 }, label);
    const fallback = Math.floor(0.8 * label.length * 11);
    expect(tm.estimateWidth({ fontSize: 11 }, label)).toBe(fallback);
    expect(Math.abs(measured - fallback)).toBeGreaterThan(0.2 * fallback);
  });

  it('drives the layout: same-length labels of narrow and wide letters get different margins', async () => {
    const chart = (label: string) =>
      renderSvg({
        data: { values: [{ k: label, v: 1 }, { k: `${label}.`, v: 2 }] },
        mark: 'bar',
        encoding: { y: { field: 'k', type: 'nominal' }, x: { field: 'v', type: 'quantitative' } },
      } as TopLevelSpec);
    const margin = (svg: string) => Number(/<svg[^>]*width="(\d+)"/.exec(svg)?.[1]);
    const narrow = margin(await chart('iiiiiiiiiiii'));
    const wide = margin(await chart('MMMMMMMMMMMM'));
    // 12 × (M − i) advance at 10 px ≈ 69 px (the 0.8 × chars estimate would make them equal).
    expect(wide - narrow).toBeGreaterThan(60);
    expect(wide - narrow).toBeLessThan(80);
  });

  it('measures DejaVu Sans advance widths', () => {
    // DejaVu Sans: units per em 2048; advance of M = 1767, i = 569, digits = 1303, comma = 651.
    expect(measureTextWidth('M', { fontSize: 100 })).toBeCloseTo((1767 / 2048) * 100, 3);
    expect(measureTextWidth('i', { fontSize: 100 })).toBeCloseTo((569 / 2048) * 100, 3);
    expect(measureTextWidth('1,000', { fontSize: 10 })).toBeCloseTo(((4 * 1303 + 651) / 2048) * 10, 3);
    const regular = measureTextWidth('time t = steps / N', { fontSize: 11 });
    const bold = measureTextWidth('time t = steps / N', { fontSize: 11, fontWeight: 'bold' });
    expect(bold).toBeGreaterThan(regular * 1.05);
    expect(measureTextWidth('time t = steps / N', { fontSize: 11, fontWeight: 700 })).toBe(bold);
    // Vega's conventions: trimmed text, default size 11, size <= 0 or empty text measure 0.
    expect(measureTextWidth('  M ', {})).toBeCloseTo((1767 / 2048) * 11, 3);
    expect(measureTextWidth('M', { fontSize: 0 })).toBe(0);
    expect(measureTextWidth(null)).toBe(0);
  });
});

describe('lttb', () => {
  const xs = Array.from({ length: 1000 }, (_, i) => i);

  it('returns all indices when n <= nOut', () => {
    expect(lttb([1, 2, 3], [4, 5, 6], 3)).toEqual([0, 1, 2]);
    expect(lttb([1, 2, 3], [4, 5, 6], 10)).toEqual([0, 1, 2]);
  });

  it('returns nOut increasing indices with the first and the last', () => {
    const ys = xs.map((x) => Math.sin(x / 30) + 0.3 * Math.sin(x * 1.7));
    for (const nOut of [2, 3, 10, 137, 999]) {
      const kept = lttb(xs, ys, nOut);
      expect(kept.length).toBe(nOut);
      expect(kept[0]).toBe(0);
      expect(kept[nOut - 1]).toBe(999);
      for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeGreaterThan(kept[i - 1]);
    }
    expect(lttb(xs, ys, 50)).toEqual(lttb(xs, ys, 50));
    expect(() => lttb(xs, ys, 1)).toThrow(RangeError);
    expect(() => lttb(xs, ys.slice(1), 10)).toThrow(RangeError);
  });

  it('keeps the corner of a step', () => {
    const ys = xs.map((x) => (x < 500 ? 0 : 1));
    const kept = lttb(xs, ys, 20);
    expect(kept.includes(499) || kept.includes(500)).toBe(true);
  });

  it('works in log space on log axes: keeps an early spike and skips non-positive values', () => {
    const ts = Array.from({ length: 2000 }, (_, i) => 0.1 * 10 ** ((4 * i) / 1999));
    const ys = ts.map((t) => 1 / (1 + t));
    const spike = 120; // t ≈ 0.17
    ys[spike] = 50;
    ys[1500] = 0; // a zero cannot be drawn on a log axis
    const kept = lttb(ts, ys, 100, { logX: true, logY: true });
    expect(kept.length).toBe(100);
    expect(kept).toContain(spike);
    expect(kept).not.toContain(1500);
    // In log x, kept points are spread evenly over decades (not crowded at large t).
    const earlyDecade = kept.filter((i) => ts[i] < 1).length;
    expect(earlyDecade).toBeGreaterThan(15);
  });
});

describe('gallery HTML', () => {
  const entries = async () => {
    const svg = await renderSvg(exampleSpec());
    return [
      { id: 'static-a', title: 'Figure <1>', caption: 'ε_g vs t; <b>not bold</b> & "quoted"\nsecond line', svg },
      { id: 'static-b', title: 'Figure 2', caption: 'The same SVG again: its clip ids must not clash.', svg },
      { id: 'interactive', title: 'Figure 1 (interactive)', caption: 'Drawn by vega-embed.', vegaLiteSpec: exampleSpec() as object },
    ];
  };

  it('inlines the libraries and the figures, escapes text, and is deterministic', async () => {
    const e = await entries();
    const html = buildGalleryHtml(e);
    expect(buildGalleryHtml(e)).toBe(html);
    const libs = galleryLibraries();
    expect(libs.map((l) => l.name)).toEqual(['vega', 'vega-lite', 'vega-embed']);
    for (const lib of libs) {
      expect(html).toContain(`/* ${lib.name} ${lib.version} */`);
      expect(html).toContain(lib.code.slice(0, 500));
      expect(html).toContain(lib.code.slice(-500));
    }
    expect(html).not.toMatch(/sourceMappingURL/);
    // One </script> per <script>: nothing inlined ends a script early.
    expect(html.match(/<script/g)?.length).toBe(html.match(/<\/script>/g)?.length);
    expect(html.match(/\n<svg /g)?.length).toBe(2); // the static figures, each on its own line
    expect(html).toContain('id="static-a-clip1"');
    expect(html).toContain('url(#static-b-clip1)');
    expect(html).not.toMatch(/id="clip1"/);
    expect(html).toContain('Figure &lt;1&gt;');
    expect(html).toContain('&lt;b&gt;not bold&lt;/b&gt; &amp; &quot;quoted&quot;\nsecond line');
    expect(html).not.toContain('<b>not bold</b>');
    expect(html).toContain('<script type="application/json" id="interactive-spec">');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org|vega\.github\.io)[^"'\s]*\.(js|css)/); // nothing to fetch
  });

  it('omits the libraries when every figure is static, and rejects bad entries', async () => {
    const [a] = await entries();
    const html = buildGalleryHtml([a]);
    expect(html).not.toContain('/* vega ');
    expect(html.length).toBeLessThan(100_000);
    expect(() => buildGalleryHtml([a, a])).toThrow(/duplicate/);
    expect(() => buildGalleryHtml([{ ...a, id: 'bad id' }])).toThrow(/invalid/);
    expect(() => buildGalleryHtml([{ id: 'x', title: 't', caption: 'c' }])).toThrow(/exactly one/);
  });

  const hasChromium = existsSync(CHROMIUM_PATH);

  it.skipIf(!hasChromium)('renders every figure in headless Chromium without console errors', async () => {
    const e = await entries();
    const path = join(tmp, 'gallery.html');
    writeFileSync(path, buildGalleryHtml(e));
    const shot = join(tmp, 'gallery.png');
    const r = await checkHtmlInChromium(path, { screenshotPath: shot });
    expect(r.consoleErrors).toEqual([]);
    expect(r.failedFigures).toEqual([]);
    expect(r.figureCount).toBe(e.length);
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  });

  it.skipIf(!hasChromium)('reports a figure that fails in the browser', async () => {
    const [a] = await entries();
    const path = join(tmp, 'broken.html');
    const broken = { id: 'broken', title: 'Broken', caption: 'An unknown mark type.', vegaLiteSpec: { data: { values: [{ x: 1 }] }, mark: 'no-such-mark' } };
    writeFileSync(path, buildGalleryHtml([a, broken]));
    const r = await checkHtmlInChromium(path);
    expect(r.figureCount).toBe(1);
    expect(r.failedFigures.length).toBe(1);
    expect(r.consoleErrors.join('\n')).toMatch(/broken/);
  });

  it('gives a clear error when Chromium is missing', async () => {
    await expect(checkHtmlInChromium(join(tmp, 'none.html'), { chromiumPath: join(tmp, 'no-chromium') })).rejects.toThrow(/apt-get install -y chromium/);
  });
});

describe('png', () => {
  it('rasterizes with the pinned fonts only', async () => {
    expect(fontFileList().every((p) => existsSync(p))).toBe(true);
    const png = svgToPng(await renderSvg(exampleSpec()), { width: 600 });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(600); // IHDR width
  });
});
