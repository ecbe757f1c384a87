/**
 * The run cache heals itself: a missing, empty, truncated, `{}`, unparsable, misplaced or edited
 * cache file is reported by its path and recomputed, and the figure built from the healed cache
 * is exactly the committed snapshot.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { runOde } from '../src/engines.ts';
import { cacheFileText, cacheRunPath, readCacheEntry, writeCacheEntry } from '../src/runs/cache.ts';
import { run, ZX } from './helpers/processes.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const traj = runOde(validateConfig({ N: 50, K: 2, M: 2, tMax: 1, recordPoints: 5, studentScale: 0.5 }));
const meta = { label: 'test', engine: 'ode', backend: 'cpu' };

/** Each kind of damage, applied to a good cache file's text. */
const DAMAGE: Record<string, { corrupt: (text: string, otherText: string) => string; reason: string }> = {
  empty: { corrupt: () => '', reason: 'empty file' },
  truncated: { corrupt: (t) => t.slice(0, Math.floor(t.length / 2)), reason: 'not valid JSON' },
  'empty object': { corrupt: () => '{}\n', reason: 'not a tsdyn-run-cache/1 entry' },
  garbage: { corrupt: () => 'garbage\u0000\u0001', reason: 'not valid JSON' },
  'another run': { corrupt: (_t, other) => other, reason: 'holds the run' },
  'edited value': { corrupt: (t) => t.replace(/"eg":\[([-\d.e]+),/, (_m, x) => `"eg":[${Number(x) * 1.01},`), reason: 'checksum mismatch' },
};

describe('cache files: each kind of damage is detected', () => {
  const dir = join(tmp, 'unit');
  it('a good file is a hit with the exact trajectory; a missing one is missing', () => {
    writeCacheEntry(dir, 'a'.repeat(24), meta, traj);
    expect(readCacheEntry(dir, 'a'.repeat(24))).toEqual({ status: 'hit', trajectory: JSON.parse(JSON.stringify(traj)), backend: 'cpu' });
    expect(readCacheEntry(dir, 'b'.repeat(24))).toEqual({ status: 'missing' });
  });

  it.each(Object.entries(DAMAGE))('%s', (_kind, { corrupt, reason }) => {
    const key = 'c'.repeat(24);
    const good = cacheFileText(key, meta, traj);
    const damaged = corrupt(good, cacheFileText('d'.repeat(24), meta, traj));
    expect(damaged).not.toBe(good); // the damage was applied
    writeFileSync(cacheRunPath(dir, key), damaged);
    const r = readCacheEntry(dir, key);
    expect(r.status).toBe('corrupt');
    if (r.status === 'corrupt') {
      expect(r.path).toBe(cacheRunPath(dir, key));
      expect(r.reason).toContain(reason);
    }
  });
});

describe('pipeline on a damaged cache (finite-size, ci preset)', () => {
  it('names every damaged file, recomputes it, and rebuilds the committed snapshot exactly', async () => {
    const env = { TSDYN_CACHE_DIR: join(tmp, 'cache'), TSDYN_OUTPUT_DIR: join(tmp, 'out') };
    const args = [ZX, 'pipeline/figures.mjs', '--only=finite-size', '--preset', 'ci'];
    const first = await run(args, env);
    expect(first.code, first.stderr).toBe(0);
    const snapshot = 'snapshots/ci/finite-size.json';
    expect(readFileSync(join(tmp, 'out', snapshot), 'utf8')).toBe(readFileSync(snapshot, 'utf8'));

    const runsDir = join(tmp, 'cache', 'runs');
    const files = readdirSync(runsDir).filter((f) => f.endsWith('.json')).sort();
    const kinds = Object.keys(DAMAGE);
    expect(files.length).toBeGreaterThan(kinds.length);
    const damaged = kinds.map((kind, i) => {
      const path = join(runsDir, files[i]);
      writeFileSync(path, DAMAGE[kind].corrupt(readFileSync(path, 'utf8'), readFileSync(join(runsDir, files[files.length - 1]), 'utf8')));
      return { kind, path };
    });
    const missing = join(runsDir, files[kinds.length]);
    rmSync(missing);
    rmSync(join(tmp, 'out'), { recursive: true });

    const second = await run(args, env);
    expect(second.code, second.stderr).toBe(0);
    for (const { kind, path } of damaged) expect(second.stderr, kind).toContain(`cache: ${path}: ${DAMAGE[kind].reason}`);
    expect(second.stderr).toContain(`(${kinds.length + 1} computed,`);
    // Healed: every file verifies again, and the snapshot is the committed one.
    for (const f of files) expect(readCacheEntry(join(tmp, 'cache'), f.replace(/\.json$/, '')).status).toBe('hit');
    expect(readFileSync(join(tmp, 'out', snapshot), 'utf8')).toBe(readFileSync(snapshot, 'utf8'));
  });
});
