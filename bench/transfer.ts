/**
 * `npx tsx bench/transfer.ts`: result transfer from a worker is linear in its size.
 * Two measurements:
 *
 *  1. Splitting one reply line of SIZE MB arriving in 64 KiB pipe chunks: src/runs/lines.ts
 *     (each chunk searched once) against the scheduler's former loop (append to one string,
 *     search it from the start after every chunk), at SIZE and 2·SIZE: the ratio of the two
 *     times says linear (≈ 2) or quadratic (≈ 4).
 *  2. One SGD run whose JSON is ≈ 50 MB (N = 100, K = M = 4, 70 001 records) through
 *     `tsdyn sim --out` and through `tsdyn sweep --jobs 1` (worker, pipe, checks, cache write,
 *     table), wall time of the bundled CLI (dist/cli.js; run `node scripts/build.mjs` first).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSplitter } from '../src/runs/lines.ts';

const CHUNK = 64 * 1024;

function splitNew(text: string): number {
  const s = new LineSplitter();
  let n = 0;
  for (let i = 0; i < text.length; i += CHUNK) n += s.push(text.slice(i, i + CHUNK)).length;
  return n;
}

/** The scheduler's loop as it was (pending += chunk; search from 0). */
function splitOld(text: string): number {
  let pending = '';
  let n = 0;
  for (let i = 0; i < text.length; i += CHUNK) {
    pending += text.slice(i, i + CHUNK);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      pending = pending.slice(nl + 1);
      n++;
    }
  }
  return n;
}

function time(f: () => unknown): number {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
}

const line = (mb: number) => `${'1234567890,'.repeat(Math.round((mb * 1e6) / 11))}\n`;
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const mb of [16, 32]) {
  const text = line(mb);
  const tNew = Math.min(time(() => splitNew(text)), time(() => splitNew(text)));
  const tOld = time(() => splitOld(text));
  console.log(`split one ${mb} MB line in 64 KiB chunks: lines.ts ${tNew.toFixed(3)} s, former loop ${tOld.toFixed(2)} s`);
}

const dir = mkdtempSync(join(tmpdir(), 'tsdyn-bench-transfer-'));
try {
  const base = { model: 'soft-committee', N: 100, K: 4, M: 4, tMax: 700, recordEvery: 0.01, recordScale: 'linear', studentScale: 0.5 };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(base));
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ base, engines: ['sgd'] }));
  const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
  const env = { ...process.env, CI: 'true', TSDYN_CACHE_DIR: join(dir, 'cache') };
  const sim = time(() => execFileSync(process.execPath, [cli, 'sim', '--config', join(dir, 'run.json'), '--out', join(dir, 'out.json')], { env }));
  const sweep = time(() => execFileSync(process.execPath, [cli, 'sweep', '--config', join(dir, 'sweep.json'), '--out', join(dir, 'sweep'), '--jobs', '1'], { env, stdio: 'ignore' }));
  const size = execFileSync('stat', ['-c', '%s', join(dir, 'out.json')], { encoding: 'utf8' }).trim();
  console.log(`one run of ${(Number(size) / 1e6).toFixed(1)} MB: tsdyn sim ${sim.toFixed(1)} s, tsdyn sweep ${sweep.toFixed(1)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
