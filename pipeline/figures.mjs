#!/usr/bin/env zx
/**
 * make figures: plan every run of every figure, compute the missing ones in parallel (one
 * long-lived process per core, longest runs first), then build figures/, snapshots/ and the gallery.
 *
 *   npx zx pipeline/figures.mjs [--only NAME[,NAME]] [--preset full|ci] [--jobs N]
 *
 * Without --preset both presets are built: 'full' (published settings: SVGs, gallery,
 * snapshots/) and 'ci' (the reduced runs CI repeats: snapshots/ci/). Unchanged runs come from
 * .cache/. On a terminal a progress line shows what runs, how far and the ETA; in CI
 * (CI set, or no TTY) only one summary line per preset is printed.
 */
import os from 'node:os';

$.verbose = false;
$.quiet = true;
const tsx = 'node_modules/.bin/tsx';
const presets = argv.preset ? [String(argv.preset)] : ['full', 'ci'];
const only = argv.only ? ['--only', String(argv.only)] : [];
const jobs = Number(argv.jobs ?? os.availableParallelism?.() ?? os.cpus().length);
const tty = Boolean(process.stderr.isTTY) && !process.env.CI;

function fmt(s) {
  if (!Number.isFinite(s)) return '--';
  const r = Math.round(s);
  return r < 60 ? `${r}s` : `${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s`;
}

for (const preset of presets) {
  const started = Date.now();
  const planned = JSON.parse((await $`${tsx} pipeline/tasks.ts plan --preset ${preset} ${only}`).stdout);
  const todo = planned.filter((r) => !r.cached).sort((a, b) => b.cost - a.cost);
  const totalCost = todo.reduce((a, r) => a + r.cost, 0);
  let doneCost = 0;
  let done = 0;
  const running = new Set();
  const computeSeconds = new Map(); // figure → seconds of run time (summed over workers)
  const show = () => {
    if (!tty) return;
    const elapsed = (Date.now() - started) / 1000;
    const eta = doneCost > 0 ? (elapsed * (totalCost - doneCost)) / doneCost : NaN;
    const now = [...running].slice(0, 2).join(', ');
    process.stderr.write(`\r\x1b[K[${preset}] runs ${done}/${todo.length} (${planned.length - todo.length} cached)  running: ${now}  ETA ${fmt(eta)}`);
  };
  const timer = tty ? setInterval(show, 500) : null;
  const queue = [...todo];
  // One long-lived `tasks.ts serve` process per core, fed the next run when it reports one done.
  async function worker() {
    if (!queue.length) return;
    const proc = $`${tsx} pipeline/tasks.ts serve`;
    let current = null;
    const feed = () => {
      current = queue.shift() ?? null;
      if (!current) return proc.stdin.end();
      running.add(`${current.figure} ${current.id}`);
      proc.stdin.write(`${current.key}\n`);
      show();
    };
    let pending = '';
    proc.stdout.on('data', (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const [word, key, seconds] = line.split(' ');
        if (!current || word !== 'done' || key !== current.key) continue;
        running.delete(`${current.figure} ${current.id}`);
        computeSeconds.set(current.figure, (computeSeconds.get(current.figure) ?? 0) + Number(seconds));
        done += 1;
        doneCost += current.cost;
        feed();
      }
    });
    feed();
    try {
      await proc;
    } catch (e) {
      if (timer) clearInterval(timer);
      const label = current ? `${current.figure} ${current.id}` : 'a run';
      process.stderr.write(`\n${label} failed:\n${e.stderr || e.message}\n`);
      process.exit(1);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  if (timer) clearInterval(timer);
  if (tty) process.stderr.write(`\r\x1b[K[${preset}] building figures…`);
  try {
    await $`${tsx} pipeline/tasks.ts build --preset ${preset} ${only}`;
  } catch (e) {
    process.stderr.write(`\nbuild failed:\n${e.stderr || e.message}\n`);
    process.exit(1);
  }
  const line = `[${preset}] ${planned.length} runs (${todo.length} computed, ${planned.length - todo.length} cached) in ${fmt((Date.now() - started) / 1000)}`;
  const perFigure = [...computeSeconds].map(([f, s]) => `${f} ${s.toFixed(0)}s`).join(', ');
  process.stderr.write(`${tty ? '\r\x1b[K' : ''}${line}${perFigure ? ` — run time per figure (one core): ${perFigure}` : ''}\n`);
}
