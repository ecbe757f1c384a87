/**
 * The explorer page's pure parts (URL hash, controls, presets, plot rows) and its build
 * (self-contained, deterministic, committed file current, no Node-only code in the bundle).
 * The page itself is driven in Chromium by explorer-browser.test.ts. Runtime ≈ 5 s (two builds).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildExplorer, bundleForBrowser, EXPLORER_PATH } from '../scripts/build-explorer.ts';
import { ConfigError, DEFAULT_CONFIG, OPTIONAL_FIELDS, validateConfig } from '../src/config.ts';
import { runOde } from '../src/engines.ts';
import { applyControl, configToHash, CONTROLS, hashToConfig } from '../src/explorer/controls.ts';
import { EXPLORER_LIMITS, explorerConfigProblem } from '../src/explorer/admit.ts';
import { checkResources, DEFAULT_LIMITS } from '../src/resources.ts';
import { runCli } from './helpers/cli.ts';
import { PRESETS, presetTable } from '../src/explorer/presets.ts';
import { alignmentRows, egRows, heatRows, prefix, taskRows } from '../src/explorer/views.ts';
import { softCommitteeConfig } from '../src/figures/softCommittee/index.ts';
import { twoLayerConfig } from '../src/figures/twoLayer/index.ts';
import { FIGURES } from '../src/figures/registry.ts';

/** A config as JSON sees it (validateConfig writes `init: undefined`). */
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
const control = (field: string) => CONTROLS.find((c) => c.field === field)!;

describe('explorer: URL hash', () => {
  it('round-trips every preset and configs with string seeds, arrays and init', () => {
    const configs = [
      ...presetTable().map((p) => p.config),
      validateConfig({ seed: '12' }),
      validateConfig({ seed: 'a b&c=d#e', model: 'two-layer', vTeacher: [1.5, 0.5, 1, 2], K: 3 }),
      validateConfig({ K: 1, M: 1, init: { Q: [[0.25]], R: [[0.1]], T: [[1]] }, tMax: 3, recordScale: 'linear' }),
    ];
    for (const c of configs) expect(plain(hashToConfig(configToHash(c)))).toEqual(plain(c));
    expect(configToHash(validateConfig({}))).toBe('#');
    expect(configToHash(validateConfig({ model: 'two-layer', K: 3 }))).toBe('#model=two-layer&K=3');
  });

  it('a string seed that looks like a number stays a string (power: encoded raw it would read back as 12)', () => {
    const c = validateConfig({ seed: '12' });
    expect(hashToConfig(configToHash(c)).seed).toBe('12');
    expect(hashToConfig('#seed=12').seed).toBe(12);
  });

  it('a bad hash fails like the CLI, naming the field', () => {
    expect(() => hashToConfig('#K=0')).toThrow(/^config\.K: must be an integer ≥ 1, got 0$/);
    expect(() => hashToConfig('#bogus=1')).toThrow(ConfigError);
  });
});

describe('explorer: what the page refuses to run', () => {
  it('a link with a bad value names its field (the page then runs nothing, not the defaults)', () => {
    let err: unknown;
    try {
      hashToConfig('#K=0');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('K');
  });

  it('N = 3·10⁷ is refused like `tsdyn sim` refuses it, naming the field, with the CLI\'s own line', () => {
    const c = hashToConfig('#N=30000000');
    const p = explorerConfigProblem(c);
    expect(p).toEqual({ field: 'tMax', message: expect.stringMatching(/^config\.tMax: this run draws about 6\.0e10 samples .* over the limit 1\.0e10 \(tsdyn sim refuses it too\)$/) });
    const file = join(mkdtempSync(join(tmpdir(), 'tsdyn-explorer-')), 'c.json');
    writeFileSync(file, JSON.stringify({ N: 30000000 }));
    const cli = runCli(['sim', '--config', file]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toEqual([`tsdyn: ${p!.message.replace(' (tsdyn sim refuses it too)', '')}; raise it with --max-samples or TSDYN_MAX_SAMPLES`]);
  });

  it('refuses exactly what the CLI\'s resource model refuses for ode or sgd (default limits), plus more than 20 000 records', () => {
    const configs = [
      { N: 30000000 }, { N: 1e6, tMax: 100 }, { N: 1e9, tMax: 1e-3, recordEvery: 1e-4 }, { K: 3000, tMax: 10 }, { tMax: 5e6, recordScale: 'log' as const },
      { tMax: 1e7, recordScale: 'log' as const }, { batchSize: 1e6, tMax: 1 }, {},
    ];
    for (const raw of configs) {
      const c = validateConfig(raw);
      const cliRefuses = (['ode', 'sgd'] as const).some((e) => {
        try {
          checkResources(e, c, { ...DEFAULT_LIMITS, heapBytes: EXPLORER_LIMITS.heapBytes });
          return false;
        } catch {
          return true;
        }
      });
      expect(explorerConfigProblem(c) !== null, JSON.stringify(raw)).toBe(cliRefuses);
    }
    // Power check: the list has both kinds.
    expect(configs.map((r) => explorerConfigProblem(validateConfig(r)) !== null)).toContain(false);
    expect(configs.map((r) => explorerConfigProblem(validateConfig(r)) !== null)).toContain(true);
    expect(explorerConfigProblem(validateConfig({ recordScale: 'linear', recordEvery: 0.001, tMax: 100, N: 1000 }))).toEqual({ field: 'recordEvery', message: expect.stringMatching(/^config\.recordEvery: 100001 records is more than the page keeps \(20000\)/) });
  });
});

describe('explorer: controls', () => {
  it('applies a control and validates', () => {
    const c = applyControl(DEFAULT_CONFIG, control('K'), '3');
    expect(c.K).toBe(3);
    expect(applyControl(c, control('seed'), 'abc').seed).toBe('abc');
    expect(applyControl(c, control('seed'), '7').seed).toBe(7);
    const two = applyControl(applyControl(c, control('model'), 'two-layer'), control('vTeacher'), '[2, 1, 1, 0.5]');
    expect(two.vTeacher).toEqual([2, 1, 1, 0.5]);
    expect(applyControl(two, control('vTeacher'), 'ones').vTeacher).toBe('ones');
    // Back to the soft committee: v* must be ones, so the control resets it.
    expect(applyControl(two, control('model'), 'soft-committee').vTeacher).toBe('ones');
  });

  it('rejects bad input with one line naming the field', () => {
    expect(() => applyControl(DEFAULT_CONFIG, control('lr'), '-1')).toThrow(/^config\.lr: must be > 0, got -1$/);
    expect(() => applyControl(DEFAULT_CONFIG, control('N'), '')).toThrow(/^config\.N: /);
    expect(() => applyControl(DEFAULT_CONFIG, control('K'), '2.5')).toThrow(/^config\.K: /);
  });

  it('every control names a RunConfig field', () => {
    for (const c of CONTROLS) expect(Object.hasOwn(DEFAULT_CONFIG, c.field) || (OPTIONAL_FIELDS as readonly string[]).includes(c.field)).toBe(true);
  });
});

describe('explorer: presets', () => {
  it('are the figures’ own full-preset settings', () => {
    expect(PRESETS['soft-committee'].config()).toEqual(softCommitteeConfig(4, 'full'));
    expect(PRESETS['two-layer'].config()).toEqual(twoLayerConfig(4, 1, 'full'));
    for (const p of presetTable()) expect(plain(validateConfig(p.config))).toEqual(plain(p.config));
  });
  it('each figure preset is a config that figure actually runs (full preset)', () => {
    for (const p of presetTable()) {
      const fig = FIGURES.find((f) => p.name === f.name || p.name.startsWith(`${f.name}-`));
      if (!fig) continue; // 'default': the CLI's defaults, no figure
      const configs = new Set(fig.runs('full').map((r) => JSON.stringify(plain(r.config))));
      expect(configs.has(JSON.stringify(plain(p.config))), `preset ${p.name} is not one of ${fig.name}'s runs`).toBe(true);
    }
  });
});

describe('explorer: plot rows', () => {
  const cfg = validateConfig({ model: 'two-layer', N: 100, K: 3, M: 2, tMax: 5, recordEvery: 0.5, recordScale: 'linear', studentScale: 0.5, studentVScale: 1 });
  const ode = runOde(cfg);

  it('ε_g rows skip t = 0 (not on a log axis) and keep the rest', () => {
    const rows = egRows(ode, 'theory');
    expect(rows.length).toBe(ode.t.length - 1);
    expect(rows[0]).toEqual({ t: ode.t[1], eg: ode.eg[1], source: 'theory (ODE)' });
  });

  it('alignment of a run with itself is 1 for Q, R and v; with a different run it is not', () => {
    const self = alignmentRows(ode, ode);
    expect(self.length).toBe(3 * (ode.t.length - 1));
    for (const r of self) expect(r.alignment).toBeCloseTo(1, 12);
    const other = runOde({ ...cfg, seed: 5 });
    expect(Math.min(...alignmentRows(other, ode).map((r) => r.alignment))).toBeLessThan(0.99);
    // Streaming: only the records both runs have so far.
    expect(alignmentRows(prefix(ode, 4), ode).length).toBe(3 * 3);
  });

  it('task rows: ε_g on each task of a several-teacher run (none for one teacher), and prefix keeps them', () => {
    expect(taskRows(ode, 'theory')).toEqual([]);
    const two = runOde(validateConfig({ ...cfg, teachers: [{}, { featureSimilarity: 0.5 }], schedule: [{ teacher: 0, until: 2 }, { teacher: 1, until: 5 }] }));
    const rows = taskRows(two, 'sgd');
    expect(rows.length).toBe(2 * (two.t.length - 1));
    expect(rows.find((r) => r.task === 'task 2' && r.t === two.t[3])).toEqual({ t: two.t[3], eg: two.egTeachers![1][3], source: 'simulation (SGD)', task: 'task 2' });
    expect(taskRows(prefix(two, 3), 'sgd').length).toBe(2 * 2);
  });

  it('heatmap cells are R (K×M) and Q (K×K) of the chosen record', () => {
    const rows = heatRows({ theory: ode }, 3);
    expect(rows.length).toBe(3 * 2 + 3 * 3);
    expect(rows.find((r) => r.panel === 'R · theory' && r.row === 2 && r.col === 1)!.value).toBe(ode.R[3][2][1]);
    expect(rows.find((r) => r.panel === 'Q · theory' && r.row === 0 && r.col === 2)!.value).toBe(ode.Q[3][0][2]);
    expect(heatRows({ theory: ode }, ode.t.length)).toEqual([]);
  });
});

describe('explorer: build', () => {
  it('is deterministic, self-contained and matches the committed figures/explorer.html', async () => {
    const a = await buildExplorer();
    const b = await buildExplorer();
    expect(a.html).toBe(b.html);
    // No external resources (the page's CSP also forbids any fetch; the browser test watches requests).
    const markup = a.html.replace(/<script>[\s\S]*?<\/script>/g, '');
    expect(markup.length).toBeLessThan(10_000);
    expect(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=/.test(markup)).toBe(false);
    expect(a.html.includes("connect-src 'none'")).toBe(true);
    expect(a.bytes.total).toBeLessThan(1.5 * 1024 * 1024);
    const fresh = readFileSync(EXPLORER_PATH, 'utf8') === a.html;
    expect(fresh, 'figures/explorer.html is stale: run npx tsx scripts/build-explorer.ts').toBe(true);
  }, 60_000);

  it('fails when page code reaches a Node-only API (power check of the isolation)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdyn-explorer-'));
    const entry = join(dir, 'leak.ts');
    writeFileSync(entry, `import { writeFileAtomic } from ${JSON.stringify(join(process.cwd(), 'src/io.ts'))};\n(globalThis as any).w = writeFileAtomic;\n`);
    await expect(bundleForBrowser(entry)).rejects.toThrow(/reaches Node-only code: node:fs\.(mkdirSync|writeFileSync|renameSync|rmSync)/);
  }, 30_000);
});
