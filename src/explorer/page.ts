/**
 * The explorer page: controls, the two workers (ODE and SGD), the plots and the exports.
 * Runs in the browser after vega, vega-lite and vega-embed (globals). `window.tsdyn` is the
 * scripting hook: ode(config) and sim(config) return exactly the trajectories the CLI prints.
 */
import { ConfigError, validateConfig, type RunConfig } from '../config.ts';
import { explorerConfigProblem } from './admit.ts';
import type { Trajectory } from '../trajectory.ts';
import { applyControl, configToHash, controlText, CONTROLS, hashToConfig, type Control } from './controls.ts';
import type { PresetEntry } from './presets.ts';
import { cliOutputJson, EXPLORER_RUNS, type ExplorerRun } from './run.ts';
import { formatCount, formatEstimate, sgdSecondsEstimate, sgdSteps } from './cost.ts';
import { formatSeconds } from '../progress.ts';
import { alignmentRows, alignmentSpec, egRows, egSpec, heatmapSpec, heatRows, taskRows, taskSpec, type Source } from './views.ts';
import type { WorkerJob, WorkerMessage } from './worker.ts';

/** The bundled worker script and the evaluated presets (injected by scripts/build-explorer.ts). */
declare const __WORKER_SOURCE__: string;
declare const __PRESETS__: PresetEntry[];
const PRESETS = new Map(__PRESETS__.map((p) => [p.name as string, p]));
interface VegaView {
  change(name: string, cs: unknown): VegaView;
  resize(): VegaView;
  runAsync(): Promise<VegaView>;
  toSVG(): Promise<string>;
  finalize(): void;
}
declare const vega: { changeset(): { remove(f: unknown): { insert(rows: unknown[]): unknown } }; truthy: unknown };
declare const vegaEmbed: (el: HTMLElement, spec: object, opts: object) => Promise<{ view: VegaView }>;

const SOURCE_OF: Record<ExplorerRun, Source> = { ode: 'theory', sim: 'sgd' };
// A page opened without a hash shows the defaults: the hash lists differences from them
// (controls.ts), so the link to the defaults is the bare page and must reproduce them.
const DEFAULT_PRESET = 'default';
/** Redraw at most this often while records stream in (ms). */
const REDRAW_INTERVAL = 80;
/**
 * SGD starts when the ODE has finished, or after this long (ms): the ODE usually takes a
 * fraction of a second, and on a 2-core machine it would otherwise share the cores with SGD
 * and the drawing, delaying the first theory curve.
 */
const SIM_START_DELAY = 1000;
/** After a new setting, the old curves stay at most this long (ms) before the plots are cleared. */
const CLEAR_DELAY = 150;

interface RunState {
  worker?: Worker;
  traj?: Trajectory;
  /** 'running' | 'done' | 'stopped' | 'diverged' | 'error' */
  status: string;
  message?: string;
  final?: Trajectory;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const workerUrl = URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' }));

/** A link whose setting is invalid: shown, its field marked, and nothing run (not the defaults in its place). */
let linkProblem: { field: string; message: string } | null = null;
let config: RunConfig = initialConfig();
let generation = 0;
const runs: Record<ExplorerRun, RunState> = { ode: { status: 'idle' }, sim: { status: 'idle' } };
const views: Partial<Record<'eg' | 'tasks' | 'align' | 'heat', VegaView>> = {};
let followLatest = true;
/** The slider position that "follows the latest" (see redrawNow). */
let latestShared = 0;
let redrawTimer: number | undefined;
let redrawDue = 0;
let simStartTimer: number | undefined;
let lastRedraw = 0;
let redraws = 0;
/** Milliseconds from the start of the current runs to the first ODE curve on screen and to the complete one (bench). */
const timings: { started: number; firstOdeCurve?: number; completeOdeCurve?: number } = { started: 0 };

function initialConfig(): RunConfig {
  if (location.hash.length > 1) {
    try {
      return hashToConfig(location.hash);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      linkProblem = { field: e.field, message: `Link not run: ${e.message}` };
    }
  }
  return structuredClone(PRESETS.get(DEFAULT_PRESET)!.config);
}

function showMessage(text: string): void {
  $('message').textContent = text;
}

/** Show a refused setting: its message, and its control marked (the part of the field before any index). */
function showProblem(p: { field: string; message: string }): void {
  showMessage(p.message);
  const field = p.field.split(/[.[]/)[0];
  document.querySelector(`label[data-field="${CSS.escape(field)}"]`)?.classList.add('invalid');
}

// ---- controls ------------------------------------------------------------------------

function buildControls(): void {
  const preset = $<HTMLSelectElement>('preset');
  preset.append(new Option('— choose —', ''));
  for (const p of PRESETS.values()) preset.append(new Option(p.label, p.name));
  preset.addEventListener('change', () => {
    const p = PRESETS.get(preset.value);
    if (p) setConfig(structuredClone(p.config));
  });
  const form = $('controls');
  for (const control of CONTROLS as readonly Control[]) {
    const label = document.createElement('label');
    label.dataset.field = control.field;
    label.append(control.label);
    let input: HTMLInputElement | HTMLSelectElement;
    if (control.kind === 'select') {
      input = document.createElement('select');
      for (const o of control.options ?? []) input.append(new Option(o, o));
    } else {
      input = document.createElement('input');
      input.type = control.kind === 'int' || control.kind === 'number' ? 'number' : 'text';
      if (control.step) input.step = String(control.step);
      if (control.kind === 'number') input.step = 'any';
    }
    input.name = control.field;
    input.addEventListener('change', () => {
      try {
        const next = applyControl(config, control, input.value);
        label.classList.remove('invalid');
        setConfig(next);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        showProblem({ field: control.field, message: e.message });
      }
    });
    label.append(input);
    form.append(label);
  }
}

function syncControls(): void {
  const hash = configToHash(config);
  $<HTMLSelectElement>('preset').value = [...PRESETS.values()].find((p) => configToHash(p.config) === hash)?.name ?? '';
  for (const control of CONTROLS as readonly Control[]) {
    const label = document.querySelector<HTMLLabelElement>(`label[data-field="${control.field}"]`)!;
    const input = label.querySelector<HTMLInputElement | HTMLSelectElement>('input, select')!;
    input.value = controlText(control, config);
    label.classList.remove('invalid');
    label.hidden = Boolean(control.twoLayerOnly) && config.model !== 'two-layer';
  }
  // ε_g on each task: only a run with several teachers (continual learning) has them.
  $('panel-tasks').hidden = (config.teachers?.length ?? 1) < 2;
}

function setConfig(next: RunConfig, force = false): void {
  const validated = validateConfig(next);
  // A control that fires 'change' without a new value (e.g. on blur) must not restart the runs.
  if (!force && runs.ode.status !== 'idle' && configToHash(validated) === configToHash(config)) {
    syncControls();
    return;
  }
  // What the CLI would refuse (limits, engine constraints) and more records than the page keeps.
  const problem = explorerConfigProblem(validated);
  if (problem) {
    showProblem(problem);
    return;
  }
  config = validated;
  $('sgd-steps').textContent = formatCount(sgdSteps(config));
  $('sgd-time').textContent = formatEstimate(sgdSecondsEstimate(config));
  const hash = configToHash(config);
  if (location.hash !== hash && !(hash === '#' && location.hash === '')) history.replaceState(null, '', hash === '#' ? location.pathname : hash);
  syncControls();
  startAll();
}

// ---- runs ----------------------------------------------------------------------------

function setStatus(kind: ExplorerRun, text: string, fraction?: number): void {
  const el = $(`status-${kind === 'ode' ? 'ode' : 'sgd'}`);
  el.querySelector('.text')!.textContent = text;
  if (fraction !== undefined) (el.querySelector('progress') as HTMLProgressElement).value = fraction;
  el.dataset.status = runs[kind].status;
}

function stop(kind: ExplorerRun, status = 'stopped'): void {
  const r = runs[kind];
  if (r.worker) {
    r.worker.terminate();
    r.worker = undefined;
    if (r.status === 'running') {
      r.status = status;
      setStatus(kind, `${status} at t = ${fmt(r.traj?.t.at(-1) ?? 0)}`);
    }
  }
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

/** One started, idle worker per kind (the ODE one warmed up), so a new run does not wait for a worker to load and compile. */
const spareWorkers: Partial<Record<ExplorerRun, Worker>> = {};

function takeWorker(kind: ExplorerRun): Worker {
  const worker = spareWorkers[kind] ?? new Worker(workerUrl);
  spareWorkers[kind] = undefined;
  setTimeout(() => {
    if (spareWorkers[kind]) return;
    const spare = new Worker(workerUrl);
    if (kind === 'ode') spare.postMessage({ kind: 'warm-up' } satisfies WorkerJob);
    spareWorkers[kind] = spare;
  }, 0);
  return worker;
}

function start(kind: ExplorerRun, gen: number): void {
  stop(kind);
  const r: RunState = { status: 'running' };
  runs[kind] = r;
  const worker = takeWorker(kind);
  r.worker = worker;
  const started = performance.now();
  setStatus(kind, kind === 'sim' ? `starting: ${formatCount(sgdSteps(config))} steps…` : 'starting…', 0);
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
    if (gen !== generation || runs[kind] !== r) return;
    const m = e.data;
    if (m.type === 'record') {
      if (!r.traj) r.traj = { engine: kind === 'ode' ? 'ode' : 'sgd', model: config.model, K: config.K, M: config.M, N: config.N, t: [], steps: [], eg: [], Q: [], R: [], v: [], T: m.T, vTeacher: [] };
      r.traj.t.push(m.t);
      r.traj.steps.push(m.step);
      r.traj.eg.push(m.eg);
      r.traj.Q.push(m.Q);
      r.traj.R.push(m.R);
      r.traj.v.push(m.v);
      if (m.egTeachers) {
        r.traj.egTeachers ??= m.egTeachers.map(() => []);
        m.egTeachers.forEach((e, p) => r.traj!.egTeachers![p].push(e));
      }
      if (kind === 'ode') setStatus(kind, `t = ${fmt(m.t)} of ${fmt(config.tMax)}`, m.t / config.tMax);
      // The first ODE curve (two records) is drawn at once; later records wait for the throttle.
      scheduleRedraw(kind === 'ode' && r.traj.t.length === 2);
    } else if (m.type === 'progress') {
      const elapsed = (performance.now() - started) / 1000;
      const eta = m.fraction > 0 ? (elapsed * (1 - m.fraction)) / m.fraction : NaN;
      setStatus(kind, `${Math.round(m.fraction * 100)}%  ETA ${formatSeconds(eta)}`, m.fraction);
    } else if (m.type === 'done') {
      r.final = m.trajectory;
      r.traj = m.trajectory;
      r.status = 'done';
      r.worker = undefined;
      worker.terminate();
      setStatus(kind, `done in ${((performance.now() - started) / 1000).toFixed(2)} s`, 1);
      scheduleRedraw(true);
      if (kind === 'ode') startSimNow(gen);
    } else {
      const diverged = /diverged/.test(m.message);
      r.status = diverged ? 'diverged' : 'error';
      r.message = m.message;
      r.worker = undefined;
      worker.terminate();
      setStatus(kind, diverged ? 'diverged' : 'error');
      showMessage(`${kind === 'ode' ? 'Theory' : 'Simulation'}: ${m.message}`);
      scheduleRedraw(true);
      if (kind === 'ode') startSimNow(gen);
    }
  };
  worker.onerror = (e) => {
    if (gen !== generation) return;
    r.status = 'error';
    setStatus(kind, 'error');
    showMessage(`${kind} worker failed: ${e.message}`);
  };
  worker.postMessage({ kind, config });
}

function startAll(): void {
  generation += 1;
  timings.started = performance.now();
  timings.firstOdeCurve = timings.completeOdeCurve = undefined;
  showMessage('');
  followLatest = true;
  document.body.dataset.generation = String(generation);
  start('ode', generation);
  stop('sim');
  runs.sim = { status: 'waiting' };
  setStatus('sim', 'waiting for the ODE…', 0);
  window.clearTimeout(simStartTimer);
  const gen = generation;
  simStartTimer = window.setTimeout(() => startSimNow(gen), SIM_START_DELAY);
  // Clear the old curves only if the new run has drawn nothing by then: an immediate empty
  // redraw would hold the main thread just when the first ODE records arrive.
  scheduleRedraw(false, CLEAR_DELAY);
}

function startSimNow(gen: number): void {
  if (gen !== generation || runs.sim.status !== 'waiting') return;
  window.clearTimeout(simStartTimer);
  start('sim', gen);
}

// ---- plots ---------------------------------------------------------------------------

function plotWidth(): number {
  return Math.max(320, Math.min(760, $('plots').clientWidth - 140));
}

async function createViews(): Promise<void> {
  const opts = { renderer: 'svg', actions: false };
  const [eg, tasks, align, heat] = await Promise.all([
    vegaEmbed($('plot-eg'), egSpec(plotWidth()), opts),
    vegaEmbed($('plot-tasks'), taskSpec(plotWidth()), opts),
    vegaEmbed($('plot-align'), alignmentSpec(plotWidth()), opts),
    vegaEmbed($('plot-heat'), heatmapSpec(), opts),
  ]);
  views.eg = eg.view;
  views.tasks = tasks.view;
  views.align = align.view;
  views.heat = heat.view;
}

/**
 * Redraw soon: at once when `now`, else after `delay` ms or when REDRAW_INTERVAL has passed
 * since the last redraw. An earlier request replaces a later pending one.
 */
function scheduleRedraw(now = false, delay?: number): void {
  document.body.dataset.settled = 'false';
  const wait = now ? 0 : (delay ?? Math.max(0, REDRAW_INTERVAL - (performance.now() - lastRedraw)));
  const due = performance.now() + wait;
  if (redrawTimer !== undefined) {
    if (due >= redrawDue) return;
    window.clearTimeout(redrawTimer);
  }
  redrawDue = due;
  redrawTimer = window.setTimeout(() => {
    redrawTimer = undefined;
    lastRedraw = performance.now();
    void redraw();
  }, wait);
}

const replace = (rows: unknown[]) => vega.changeset().remove(vega.truthy).insert(rows);

let redrawsInFlight = 0;

async function redraw(): Promise<void> {
  redrawsInFlight += 1;
  try {
    await redrawNow();
  } finally {
    redrawsInFlight -= 1;
  }
  // Settled (for tests and the bench): no run going, nothing left to draw, nothing drawing.
  const idle = (['ode', 'sim'] as const).every((k) => runs[k].status !== 'running' && runs[k].status !== 'waiting');
  document.body.dataset.settled = String(idle && redrawTimer === undefined && redrawsInFlight === 0);
}

async function redrawNow(): Promise<void> {
  if (!views.eg || !views.tasks || !views.align || !views.heat) return;
  const ode = runs.ode.traj;
  const sim = runs.sim.traj;
  const gen = generation;
  const slider = $<HTMLInputElement>('time-slider');
  const n = Math.max(ode?.t.length ?? 0, sim?.t.length ?? 0);
  slider.max = String(Math.max(0, n - 1));
  // Following the latest record: while SGD is behind the ODE, the latest record both have,
  // so the simulation and theory heatmaps show the same time.
  const both = ode && sim && sim.t.length > 0 ? Math.min(ode.t.length, sim.t.length) : n;
  latestShared = Math.max(0, both - 1);
  if (followLatest) slider.value = String(latestShared);
  const j = Number(slider.value);
  const times = (ode && j < ode.t.length ? ode : sim)?.t;
  $('time-label').textContent = `t = ${times ? fmt(times[j] ?? 0) : 0}`;
  await Promise.all([
    // resize(): the axis labels change with the data, and autosize must make room for them.
    views.eg.change('eg', replace([...egRows(ode, SOURCE_OF.ode), ...egRows(sim, SOURCE_OF.sim)])).resize().runAsync(),
    views.tasks.change('tasks', replace([...taskRows(ode, SOURCE_OF.ode), ...taskRows(sim, SOURCE_OF.sim)])).resize().runAsync(),
    views.align.change('align', replace(alignmentRows(sim, ode))).resize().runAsync(),
    views.heat.change('heat', replace(heatRows({ theory: ode, sgd: sim }, j))).resize().runAsync(),
  ]);
  redraws += 1;
  document.body.dataset.redraws = String(redraws);
  if (gen === generation && (ode?.t.length ?? 0) >= 2) {
    const elapsed = performance.now() - timings.started;
    timings.firstOdeCurve ??= elapsed;
    if (runs.ode.status === 'done') timings.completeOdeCurve ??= elapsed;
  }
  if (gen === generation) {
    document.body.dataset.odeRecords = String(ode?.t.length ?? 0);
    document.body.dataset.simRecords = String(sim?.t.length ?? 0);
  }
}

// ---- exports -------------------------------------------------------------------------

function download(name: string, text: string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function downloadRun(kind: ExplorerRun): void {
  const r = runs[kind];
  if (!r.final) {
    showMessage(`Nothing to download yet: the ${kind === 'ode' ? 'ODE' : 'SGD'} run is ${r.status}.`);
    return;
  }
  download(`tsdyn-${kind}.json`, cliOutputJson(kind, config, r.final), 'application/json');
}

function wireButtons(): void {
  $('run').addEventListener('click', () => startAll());
  $('stop').addEventListener('click', () => {
    if (runs.sim.status === 'waiting') {
      runs.sim.status = 'stopped';
      setStatus('sim', 'stopped before it started');
      scheduleRedraw(true);
    } else stop('sim');
  });
  $('download-ode').addEventListener('click', () => downloadRun('ode'));
  $('download-sim').addEventListener('click', () => downloadRun('sim'));
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-svg]')) {
    const which = b.dataset.svg as keyof typeof views;
    b.addEventListener('click', async () => {
      const svg = await views[which]?.toSVG();
      if (svg) download(`tsdyn-${which}.svg`, svg, 'image/svg+xml');
    });
  }
  const slider = $<HTMLInputElement>('time-slider');
  slider.addEventListener('input', () => {
    followLatest = Number(slider.value) >= latestShared;
    scheduleRedraw(true);
  });
  window.addEventListener('hashchange', () => {
    try {
      const next = hashToConfig(location.hash);
      if (configToHash(next) !== configToHash(config)) setConfig(next);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      showProblem({ field: e.field, message: `Link not run: ${e.message}` });
    }
  });
}

// ---- scripting hook ------------------------------------------------------------------

/** window.tsdyn: the CLI's runs in the page (synchronous, on the calling thread). */
const hook = {
  ode: (c: unknown): Trajectory => EXPLORER_RUNS.ode(validateConfig(c)),
  sim: (c: unknown): Trajectory => EXPLORER_RUNS.sim(validateConfig(c)),
  /** The exact text `tsdyn ode|sim --config FILE` prints for this config. */
  json: (kind: ExplorerRun, c: unknown): string => {
    const cfg = validateConfig(c);
    return cliOutputJson(kind, cfg, EXPLORER_RUNS[kind](cfg));
  },
  get config(): RunConfig {
    return structuredClone(config);
  },
  setConfig: (c: unknown) => setConfig(validateConfig(c)),
  configToHash,
  hashToConfig,
  presets: [...PRESETS.keys()],
  timings: () => ({ ...timings }),
  status: () => ({ ode: runs.ode.status, sim: runs.sim.status, odeRecords: runs.ode.traj?.t.length ?? 0, simRecords: runs.sim.traj?.t.length ?? 0 }),
};
(window as unknown as { tsdyn: typeof hook }).tsdyn = hook;

async function main(): Promise<void> {
  buildControls();
  wireButtons();
  syncControls();
  await createViews();
  document.body.dataset.ready = 'true';
  // A bad link runs nothing: the message names its field until the user picks a setting.
  if (linkProblem) showProblem(linkProblem);
  else setConfig(config, true);
}

main().catch((e) => {
  showMessage(`The explorer failed to start: ${(e as Error).message}`);
  console.error(e);
});
