/**
 * figures/explorer.html in Debian's headless Chromium (playwright-core, no browser download),
 * opened from file://: offline, no console errors, the page's engines give what the CLI
 * prints, controls redraw the plots (checked in the rendered SVG), divergence is a message,
 * the URL hash round-trips. Screenshots at two settings go to test-artifacts/explorer/ (not
 * committed). Runtime ≈ 40 s on 2 cores.
 *
 * Page vs CLI: the same code, the same seed streams, the same record times, but not the same
 * Math library. Chromium's V8 and Node 20's V8 (11.3) round Math.exp, log, asin and pow
 * differently in the last bit for a few percent of arguments (measured: exp 10%, log 7%,
 * asin 6% of 20 000 random arguments; sqrt identical). So the JSON has the same structure,
 * the same t and steps exactly, and every number within MATH_BOUND of the CLI's, relative to
 * the size of that quantity (see compareRuns): 1-ulp differences (1.1e-16 relative) carried
 * through the dynamics; measured ≤ 1.1e-14 on the cases below, ≤ 1.3e-11 entry by entry over
 * Figures 1 and 2's K = 4 runs (up to 2.4 million SGD steps). The bound leaves room for that
 * growth, and the power check shows that a run at η(1 + 1e-7) already breaks it. Where the
 * two Maths agree, the text is byte-identical, and the test then requires exactly that.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPLORER_PATH } from '../scripts/build-explorer.ts';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { twoLayerConfig } from '../src/figures/twoLayer/index.ts';
import { chromiumAvailable, CHROMIUM_PATH, openExplorer, waitSettled, type ExplorerSession } from '../src/explorer/chromium.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'explorer');
const available = chromiumAvailable();
if (!available) console.warn(`explorer browser tests skipped: ${CHROMIUM_PATH} not found (.ci/run installs Debian's chromium)`);

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-explorer-cli-'));

/** Relative bound on page-vs-CLI numbers (see the header). */
const MATH_BOUND = 1e-10;

interface Comparison {
  /** Differences in anything but finite numbers (keys, lengths, strings), and in t and steps. */
  structural: string[];
  /**
   * max |a − b| / scale, where scale is the largest |b| of the same quantity at the same record
   * (the K×K matrix Q[j], the vector v[j], …) or, for series such as ε_g, of the whole series:
   * ε_g near 0 is a difference of O(1) terms, so its last bits are relative to those.
   */
  maxRel: number;
  differing: number;
}

const maxAbs = (x: unknown): number => (Array.isArray(x) ? Math.max(0, ...x.map(maxAbs)) : typeof x === 'number' ? Math.abs(x) : 0);
const PER_RECORD = new Set(['Q', 'R', 'v']);

function compareRuns(page: any, cli: any): Comparison {
  const out: Comparison = { structural: [], maxRel: 0, differing: 0 };
  const walk = (a: any, b: any, path: string, scale: number) => {
    if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && !/^\.(t|steps)\[/.test(path)) {
      if (a !== b) {
        out.differing += 1;
        out.maxRel = Math.max(out.maxRel, Math.abs(a - b) / Math.max(scale, 1e-300));
      }
    } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) a.forEach((x, i) => walk(x, b[i], `${path}[${i}]`, scale));
    else if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && JSON.stringify(Object.keys(a)) === JSON.stringify(Object.keys(b))) {
      for (const k of Object.keys(a)) {
        if (PER_RECORD.has(k) && Array.isArray(b[k]) && Array.isArray(a[k]) && a[k].length === b[k].length) a[k].forEach((rec: unknown, j: number) => walk(rec, b[k][j], `${path}.${k}[${j}]`, maxAbs(b[k][j])));
        else walk(a[k], b[k], `${path}.${k}`, maxAbs(b[k]));
      }
    } else if (a !== b) out.structural.push(path);
  };
  walk(page, cli, '', 0);
  return out;
}

/** Page output vs CLI output: byte-identical, or the same structure with numbers within MATH_BOUND. */
function expectSameRun(pageText: string, cliText: string): Comparison {
  const c = compareRuns(JSON.parse(pageText), JSON.parse(cliText));
  expect(c.structural).toEqual([]);
  expect(c.maxRel).toBeLessThanOrEqual(MATH_BOUND);
  if (c.differing === 0) expect(pageText === cliText).toBe(true);
  return c;
}

/** What `tsdyn <command> --config FILE` prints. */
function cliStdout(command: 'ode' | 'sim', config: object): string {
  const file = join(tmp, `${command}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', command, '--config', file], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  if (r.status !== 0) throw new Error(`tsdyn ${command} failed: ${r.stderr}`);
  return r.stdout;
}

/** Configs that exercise every code path the page shares with the CLI (kept small: the CLI runs each twice). */
const CASES: Record<string, object> = {
  'soft committee': { K: 3, M: 2, N: 200, lr: 0.8, tMax: 30, seed: 4, studentScale: 0.5 },
  'two-layer, two teachers, multi-head schedule': {
    model: 'two-layer', K: 2, M: 1, N: 150, lr: 0.5, tMax: 20, seed: 3, studentScale: 0.5, trainSecondLayer: true,
    teachers: [{}, { featureSimilarity: 0.5 }], schedule: [{ teacher: 0, until: 10 }, { teacher: 1, until: 20 }], heads: 'multi',
  },
  'two-layer, noise, minibatch, string seed': {
    model: 'two-layer',
    K: 2,
    M: 3,
    N: 150,
    lr: 0.3,
    sigma: 0.4,
    batchSize: 3,
    tMax: 20,
    seed: 'explorer',
    studentScale: 0.5,
    studentVScale: 1,
    vTeacher: [1.6, 1.2, 0.4],
    recordScale: 'linear',
    recordEvery: 0.5,
  },
  'test-set estimate, frozen v': { model: 'two-layer', K: 2, M: 2, N: 100, tMax: 10, seed: 9, trainSecondLayer: false, studentVScale: 0.7, testSamples: 50, recordPoints: 20 },
};

describe.skipIf(!available)('explorer page in Chromium', () => {
  let s: ExplorerSession;
  const heatRects = () => s.page.locator('#plot-heat svg .mark-rect.role-mark path').count();
  const egPaths = () => s.page.$$eval('#plot-eg svg .mark-line path', (ps) => ps.map((p) => p.getAttribute('d') ?? ''));

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await openExplorer(EXPLORER_PATH);
    await s.open('#K=3&M=2&N=200&tMax=60&studentScale=0.5');
    await waitSettled(s.page);
  }, 60_000);

  afterAll(async () => {
    await s?.close();
  });

  it('loads from file:// with no network request and no console error, and draws both runs', async () => {
    const status = await s.page.evaluate(() => (window as any).tsdyn.status());
    expect(status).toMatchObject({ ode: 'done', sim: 'done' });
    expect(status.odeRecords).toBeGreaterThan(50);
    expect((await egPaths()).filter((d) => d.length > 100)).toHaveLength(2);
    expect(s.networkRequests).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
    await s.page.screenshot({ path: join(ARTIFACTS, 'soft-committee-K3-M2.png'), fullPage: true });
  });

  it('"Download SVG" gives the drawn plot, and a preset sets its figure’s config', async () => {
    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.click('button[data-svg="eg"]')]);
    const svg = readFileSync((await download.path())!, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<path[^>]+d="M[^"]{100,}/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(await s.page.inputValue('#preset')).toBe('');
    await s.page.selectOption('#preset', 'two-layer');
    await s.page.waitForFunction(() => (window as any).tsdyn.config.model === 'two-layer');
    const config = await s.page.evaluate(() => (window as any).tsdyn.config);
    expect(JSON.parse(JSON.stringify(config))).toEqual(JSON.parse(JSON.stringify(twoLayerConfig(4, 1, 'full'))));
    expect(await s.page.inputValue('#preset')).toBe('two-layer');
    expect(await s.page.inputValue('label[data-field="vTeacher"] input')).toBe('[1.6,1.2,0.8,0.4]');
    await s.open('#K=3&M=2&N=200&tMax=60&studentScale=0.5');
    await waitSettled(s.page);
  }, 60_000);

  it('the continual-learning preset draws ε_g on each task (theory and SGD); a one-teacher run hides that panel', async () => {
    expect(await s.page.isHidden('#panel-tasks')).toBe(true);
    await s.page.selectOption('#preset', 'forgetting');
    await s.page.waitForFunction(() => (window as any).tsdyn.config.heads === 'multi');
    await waitSettled(s.page);
    expect(await s.page.isVisible('#panel-tasks')).toBe(true);
    // Two tasks × (ODE, SGD): four drawn lines.
    const lines = await s.page.$$eval('#plot-tasks svg .mark-line path', (ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 100).length);
    expect(lines).toBe(4);
    expect(s.consoleErrors).toEqual([]);
    await s.page.screenshot({ path: join(ARTIFACTS, 'forgetting.png'), fullPage: true });
    await s.open('#K=3&M=2&N=200&tMax=60&studentScale=0.5');
    await waitSettled(s.page);
    expect(await s.page.isHidden('#panel-tasks')).toBe(true);
  }, 120_000);

  for (const [name, raw] of Object.entries(CASES)) {
    it(`window.tsdyn.ode/sim give the CLI's JSON (byte-identical, or within the Math bound): ${name}`, async () => {
      for (const command of ['ode', 'sim'] as const) {
        const fromPage = await s.page.evaluate(([c, cfg]) => (window as any).tsdyn.json(c, cfg), [command, raw] as const);
        const fromCli = cliStdout(command, raw);
        const c = expectSameRun(fromPage, fromCli);
        console.log(`explorer vs CLI, ${name}, ${command}: ${c.differing} numbers differ, max relative difference ${c.maxRel.toExponential(2)}`);
        // The trajectory object itself, not only its printed form: exactly what tsdyn.json printed
        // after the provenance and config that head every printed run (src/runJson.ts).
        const traj = await s.page.evaluate(([c, cfg]) => (window as any).tsdyn[c](cfg), [command, raw] as const);
        const { provenance: _p, config: _c, ...printed } = JSON.parse(fromPage);
        expect(traj).toEqual(printed);
      }
    }, 60_000);
  }

  it('power check: η off by 1e-7 relative, or another seed, breaks the bound', async () => {
    const raw = CASES['soft committee'] as { lr: number };
    for (const command of ['ode', 'sim'] as const) {
      const cli = JSON.parse(cliStdout(command, raw));
      const nudged = JSON.parse(await s.page.evaluate(([c, cfg]) => (window as any).tsdyn.json(c, cfg), [command, { ...raw, lr: raw.lr * (1 + 1e-7) }] as const));
      expect(compareRuns(nudged, cli).maxRel).toBeGreaterThan(MATH_BOUND);
      const otherSeed = JSON.parse(await s.page.evaluate(([c, cfg]) => (window as any).tsdyn.json(c, cfg), [command, { ...raw, seed: 5 }] as const));
      expect(compareRuns(otherSeed, cli).maxRel).toBeGreaterThan(1e-3);
    }
  }, 30_000);

  it('"Download JSON" gives what the CLI prints for the page’s config', async () => {
    const config = (await s.page.evaluate(() => (window as any).tsdyn.config)) as RunConfig;
    for (const [button, command] of [['#download-ode', 'ode'], ['#download-sim', 'sim']] as const) {
      const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.click(button)]);
      const text = readFileSync((await download.path())!, 'utf8');
      // Exactly what the page's own tsdyn.json prints (same browser Math), and the CLI's run.
      expect(text === (await s.page.evaluate(([c, cfg]) => (window as any).tsdyn.json(c, cfg), [command, config] as const))).toBe(true);
      expectSameRun(text, cliStdout(command, config));
    }
  }, 60_000);

  it('moving a control redraws the plots (rendered SVG) and updates the URL hash', async () => {
    const before = await egPaths();
    expect(await heatRects()).toBe(3 * 2 + 3 * 3 + 3 * 2 + 3 * 3);
    await s.page.fill('label[data-field="K"] input', '2');
    await s.page.dispatchEvent('label[data-field="K"] input', 'change');
    await s.page.waitForFunction(() => (window as any).tsdyn.config.K === 2);
    await waitSettled(s.page);
    // Two sources × (R: K×M + Q: K×K) cells at K = 2.
    expect(await heatRects()).toBe(2 * (2 * 2 + 2 * 2));
    const after = await egPaths();
    expect(after).toHaveLength(2);
    expect(after).not.toEqual(before);
    expect(new URL(s.page.url()).hash).toBe('#N=200&K=2&M=2&tMax=60&studentScale=0.5');
    // The time slider picks the record the heatmaps show.
    const cells = () => s.page.$$eval('#plot-heat svg .mark-rect.role-mark path', (ps) => ps.map((p) => p.getAttribute('fill')).join());
    const last = await cells();
    await s.page.fill('#time-slider', '3');
    await s.page.dispatchEvent('#time-slider', 'input');
    await s.page.waitForFunction(() => document.getElementById('time-label')!.textContent !== 't = 60');
    await waitSettled(s.page);
    expect(await cells()).not.toBe(last);
  }, 60_000);

  it('the link to the defaults (the bare page) reproduces the defaults', async () => {
    await s.open('#K=2&M=2&N=100&tMax=5');
    await s.page.evaluate(() => (window as any).tsdyn.setConfig({}));
    expect(new URL(s.page.url()).hash).toBe('');
    await s.open('');
    const loaded = await s.page.evaluate(() => (window as any).tsdyn.config);
    expect(JSON.parse(JSON.stringify(loaded))).toEqual(JSON.parse(JSON.stringify(validateConfig({}))));
    // The page says what in-page SGD costs before it runs, for the setting shown.
    const cost = () => s.page.evaluate(() => [document.getElementById('sgd-steps')!.textContent, document.getElementById('sgd-time')!.textContent]);
    expect(await cost()).toEqual(['1.57·10⁶', '12s']);
    await s.open('#K=2&M=2&N=100&tMax=5');
    expect(await cost()).toEqual(['500', 'under a second']);
  }, 60_000);

  it('the URL hash round-trips a config (reload from the link gives the same config)', async () => {
    const config = validateConfig({ model: 'two-layer', K: 3, M: 2, N: 120, lr: 0.4, sigma: 0.2, seed: '12', tMax: 40, studentScale: 0.5, studentVScale: 1, vTeacher: [1.5, 0.5] });
    await s.page.evaluate((c) => (window as any).tsdyn.setConfig(c), config);
    const hash = new URL(s.page.url()).hash;
    await s.open(hash);
    const loaded = await s.page.evaluate(() => (window as any).tsdyn.config);
    expect(JSON.parse(JSON.stringify(loaded))).toEqual(JSON.parse(JSON.stringify(config)));
    expect(await s.page.inputValue('label[data-field="seed"] input')).toBe('12');
    expect(await s.page.inputValue('label[data-field="vTeacher"] input')).toBe('[1.5,0.5]');
    await waitSettled(s.page);
    await s.page.screenshot({ path: join(ARTIFACTS, 'two-layer-K3-M2-noisy.png'), fullPage: true });
    expect(s.consoleErrors).toEqual([]);
  }, 60_000);

  it('a diverging η shows a message and the page stays responsive', async () => {
    await s.open('#K=2&M=2&N=300&lr=400&tMax=50&seed=1&studentScale=0.5');
    await s.page.waitForFunction(() => /diverged/.test(document.getElementById('message')!.textContent ?? ''), undefined, { timeout: 30_000 });
    await waitSettled(s.page);
    const message = await s.page.textContent('#message');
    expect(message).toMatch(/diverged at t=[\d.]+ with lr=400/);
    expect(await s.page.evaluate(() => (window as any).tsdyn.status())).toMatchObject({ sim: 'diverged', ode: 'diverged' });
    // Responsive: a control still works and the next run completes.
    await s.page.fill('label[data-field="lr"] input', '0.5');
    await s.page.dispatchEvent('label[data-field="lr"] input', 'change');
    await s.page.waitForFunction(() => (window as any).tsdyn.config.lr === 0.5);
    await waitSettled(s.page);
    expect(await s.page.textContent('#message')).toBe('');
    expect(await s.page.evaluate(() => (window as any).tsdyn.status())).toMatchObject({ sim: 'done', ode: 'done' });
    expect(s.consoleErrors).toEqual([]);
    expect(s.networkRequests).toEqual([]);
  }, 60_000);

  it('a run that would keep too many records is refused with a message naming the field', async () => {
    // N = 1000: 10⁵ steps, so a record every 0.001 really is 100001 records (at N = 50 the
    // records closer than one step coincide: 5001, which the page runs).
    await s.open('#recordScale=linear&recordEvery=0.001&tMax=100&N=1000');
    await s.page.waitForFunction(() => /recordEvery/.test(document.getElementById('message')!.textContent ?? ''));
    expect(await s.page.textContent('#message')).toMatch(/^config\.recordEvery: 100001 records is more than the page keeps \(20000\)/);
    expect(await s.page.evaluate(() => (window as any).tsdyn.status())).toMatchObject({ ode: 'idle', sim: 'idle' });
    // The same grid at N = 50 keeps 5001 records (one per step), as the CLI would: it runs.
    await s.open('#recordScale=linear&recordEvery=0.001&tMax=100&N=50');
    await waitSettled(s.page);
    expect(await s.page.textContent('#message')).toBe('');
    expect(await s.page.evaluate(() => (window as any).tsdyn.status())).toMatchObject({ ode: 'done', sim: 'done' });
  });

  it('a link with a bad value shows a message naming the field, marks it, and runs nothing (not the defaults)', async () => {
    await s.open('#K=0');
    await s.page.waitForFunction(() => /config\.K/.test(document.getElementById('message')!.textContent ?? ''));
    expect(await s.page.textContent('#message')).toBe('Link not run: config.K: must be an integer ≥ 1, got 0');
    expect(await s.page.getAttribute('label[data-field="K"]', 'class')).toContain('invalid');
    await s.page.waitForTimeout(500);
    expect(await s.page.evaluate(() => (window as any).tsdyn.status())).toMatchObject({ ode: 'idle', sim: 'idle', odeRecords: 0, simRecords: 0 });
  });

  it('a link the CLI\'s resource model refuses (N = 3·10⁷) is refused with its line, and nothing runs', async () => {
    await s.open('#N=30000000');
    await s.page.waitForFunction(() => /config\.tMax/.test(document.getElementById('message')!.textContent ?? ''));
    expect(await s.page.textContent('#message')).toMatch(/^config\.tMax: this run draws about 6\.0e10 samples .* \(tsdyn sim refuses it too\)$/);
    expect(await s.page.getAttribute('label[data-field="tMax"]', 'class')).toContain('invalid');
    await s.page.waitForTimeout(500);
    expect(await s.page.evaluate(() => (window as any).tsdyn.status())).toMatchObject({ ode: 'idle', sim: 'idle', odeRecords: 0, simRecords: 0 });
    // A setting the CLI accepts runs from there.
    await s.open('#N=200&K=2&M=2&tMax=20');
    await waitSettled(s.page);
    expect(await s.page.textContent('#message')).toBe('');
  });

  it('Stop SGD stops a long run and keeps what it drew', async () => {
    await s.open('#N=784&tMax=5000');
    await s.page.waitForFunction(() => Number(document.body.dataset.simRecords ?? 0) > 5, undefined, { timeout: 30_000 });
    await s.page.click('#stop');
    await s.page.waitForFunction(() => (window as any).tsdyn.status().sim === 'stopped');
    expect(await s.page.textContent('#status-sgd .text')).toMatch(/^stopped at t = /);
    const n = await s.page.evaluate(() => (window as any).tsdyn.status().simRecords);
    await s.page.waitForTimeout(300);
    expect(await s.page.evaluate(() => (window as any).tsdyn.status().simRecords)).toBe(n);
  }, 60_000);
});

describe.skipIf(!available)('explorer layout in Chromium (a laptop and a phone)', () => {
  /** Where the sidebar, its preset selector, the first plot heading and the page's width are. */
  const layout = (s: ExplorerSession) =>
    s.page.evaluate(() => {
      const box = (el: Element | null) => {
        const r = el!.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      };
      return {
        sidebar: box(document.getElementById('sidebar')),
        preset: box(document.getElementById('preset')),
        heading: box(document.querySelector('#plots .panel h2')),
        plots: box(document.getElementById('plots')),
        pageWidth: document.documentElement.scrollWidth,
        windowWidth: window.innerWidth,
      };
    });

  it('1280×800: the preset selector stays in the left column and clear of the first heading', async () => {
    const s = await openExplorer(EXPLORER_PATH, { width: 1280, height: 800 });
    try {
      await s.open();
      const l = await layout(s);
      mkdirSync(ARTIFACTS, { recursive: true });
      await s.page.screenshot({ path: join(ARTIFACTS, 'layout-1280x800.png') });
      expect(l.preset.right).toBeLessThanOrEqual(l.sidebar.right + 0.5);
      expect(l.preset.right).toBeLessThanOrEqual(l.heading.left);
      expect(l.plots.left).toBeGreaterThan(l.sidebar.right); // two columns
      expect(l.pageWidth).toBeLessThanOrEqual(l.windowWidth);
      expect(s.consoleErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('390×844 (a phone): one column, nothing wider than the screen', async () => {
    const s = await openExplorer(EXPLORER_PATH, { width: 390, height: 844 });
    try {
      await s.open();
      const l = await layout(s);
      mkdirSync(ARTIFACTS, { recursive: true });
      await s.page.screenshot({ path: join(ARTIFACTS, 'layout-390x844.png'), fullPage: true });
      expect(l.pageWidth).toBeLessThanOrEqual(l.windowWidth);
      expect(l.preset.right).toBeLessThanOrEqual(l.windowWidth);
      expect(l.plots.top).toBeGreaterThanOrEqual(l.sidebar.bottom); // the plots come below the controls
      expect(s.consoleErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
