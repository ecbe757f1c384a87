/**
 * Fault injection: unbounded input and quiet wrong statistics: every
 * JSON file tsdyn reads goes through one bounded, strict reader (src/jsonFile.ts). Each hostile
 * file, given to every command that reads that kind of file (`sim --config`, `sweep --config`,
 * `batch --jobs`), ends in one line naming the file, exit 1, nothing on disk, within seconds,
 * with memory bounded (/dev/zero is read only up to the cap). The reader's own rules (line
 * splitting of the scan, duplicate keys in nested objects, surrogate pairs) are unit-tested too.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstInvalidUtf8, JsonContentError, readJson, scanJson } from '../src/jsonFile.ts';
import { expandSweep, SweepError, validateSweep } from '../src/sweep/spec.ts';
import { CLI, runCli } from './helpers/cli.ts';
import { rssBytes } from './helpers/processes.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-faults-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const config = { model: 'soft-committee', N: 60, K: 2, M: 2, tMax: 1, recordEvery: 0.5, recordScale: 'linear' };
const MiB = 2 ** 20;

/** Hostile file contents (bytes), each with the line its refusal must match. */
const HOSTILE: [name: string, make: () => Buffer, message: RegExp][] = [
  ['9 MiB (over the 8 MiB cap of a config or sweep)', () => Buffer.from(`{"description": "${'x'.repeat(9 * MiB)}"}`), /is larger than 8\.0 MiB, the most a \w+ file may be \(9\.0 MiB; refused before reading\)/],
  ['nested 5000 deep', () => Buffer.from(`{"base": ${'['.repeat(5000)}${']'.repeat(5000)}}`), /is nested deeper than 32 levels/],
  ['a duplicate key', () => Buffer.from('{"K": 2, "K": 3}'), /has the key "K" twice in \w+ \(line 1, column 10\); JSON keeps only the last/],
  ['invalid UTF-8', () => Buffer.concat([Buffer.from('{"description": "a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]), /is not valid UTF-8 \(byte 18\); refused instead of replacing it/],
  ['an overlong UTF-8 encoding', () => Buffer.concat([Buffer.from('{"description": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), /is not valid UTF-8 \(byte 17\)/],
  ['a lone surrogate escape', () => Buffer.from('{"description": "a\\ud800b"}'), /has an unpaired UTF-16 surrogate escape at line 1, column 19/],
  ['a lone low surrogate escape', () => Buffer.from('{"description": "\\udc00"}'), /has an unpaired UTF-16 surrogate escape/],
];

/** The commands and how each names the file kind. */
const READERS: [command: string, args: (file: string, dir: string) => string[]][] = [
  ['sim --config', (f) => ['sim', '--config', f]],
  ['sweep --config', (f, dir) => ['sweep', '--config', f, '--out', join(dir, 'out')]],
  ['batch --jobs', (f, dir) => ['batch', '--jobs', f, '--out', join(dir, 'results.json'), '--software']],
];

describe('hostile files: one line naming the file, exit 1, nothing written', () => {
  for (const [name, make, message] of HOSTILE) {
    for (const [command, args] of READERS) {
      // The 9 MiB case is for configs and sweeps (a jobs file may be 256 MiB).
      if (command === 'batch --jobs' && name.startsWith('9 MiB')) continue;
      it(`${command}: ${name}`, () => {
        const dir = join(tmp, `${command}-${name}`.replace(/[^A-Za-z0-9]+/g, '_'));
        mkdirSync(dir, { recursive: true });
        const file = join(dir, 'input.json');
        writeFileSync(file, make());
        const r = runCli(args(file, dir), { env: { TSDYN_CACHE_DIR: join(dir, 'cache') } });
        expect(r.code, r.stderr.join('\n')).toBe(1);
        expect(r.stderr).toHaveLength(1);
        expect(r.stderr[0]).toMatch(message);
        expect(r.stderr[0]).toContain(file);
        expect(r.stdout).toBe('');
        expect(readdirSync(dir)).toEqual(['input.json']);
        expect(r.seconds).toBeLessThan(10);
      });
    }
  }

  it('a jobs file over its 256 MiB cap is refused from its size, before reading', () => {
    const file = join(tmp, 'huge-jobs.json');
    // A sparse file: 300 MiB long, no disk used, never read.
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 300 * MiB);
    closeSync(fd);
    const r = runCli(['batch', '--jobs', file, '--out', join(tmp, 'never.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([`tsdyn batch: --jobs: ${file} is larger than 256 MiB, the most a jobs file may be (300 MiB; refused before reading)`]);
    expect(r.seconds).toBeLessThan(10);
  });
});

describe('/dev/zero as a config: refused at the cap, memory bounded', () => {
  for (const command of ['sim', 'sweep'] as const) {
    it(`${command} --config /dev/zero: one line within seconds, resident memory under 300 MB`, async () => {
      const child = spawn(process.execPath, [CLI, command, '--config', '/dev/zero', ...(command === 'sweep' ? ['--out', join(tmp, 'zero-out')] : [])], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CI: 'true' },
      });
      let stderr = '';
      child.stderr!.on('data', (c) => (stderr += c));
      let peak = 0;
      const poll = setInterval(() => (peak = Math.max(peak, rssBytes(child.pid!))), 10);
      const started = performance.now();
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      clearInterval(poll);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/\/dev\/zero is larger than 8\.0 MiB, the most a (config|sweep) file may be \(reading stopped there\)/);
      expect((performance.now() - started) / 1000).toBeLessThan(10);
      expect(peak).toBeLessThan(300e6);
    });
  }
});

describe('seeds and keys: no value silently lost or merged', () => {
  it('sweep seeds 1 and "1" (one seed: its streams are named "1:init", "1:data") are refused as one seed listed twice', () => {
    const file = join(tmp, 'seeds.json');
    writeFileSync(file, JSON.stringify({ base: config, seeds: [1, '1'], engines: ['sgd'] }));
    const r = runCli(['sweep', '--config', file, '--out', join(tmp, 'seeds-out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual(['tsdyn sweep: sweep.seeds[1]: seed "1" is the same seed as 1 (sweep.seeds[0]): seeds are named by their text']);
    // Power check: distinct seeds (1 and "01" have different text, so different streams) run.
    expect(expandSweep(validateSweep({ base: config, seeds: [1, '01'], engines: ['sgd'] }))).toHaveLength(2);
  });

  it('a grid listing a field twice would lose a value: refused naming the object', () => {
    const file = join(tmp, 'dup-grid.json');
    writeFileSync(file, '{"base": {"N": 60, "K": 2, "M": 2, "tMax": 1}, "grid": {"lr": [0.1, 0.2], "sigma": [0], "lr": [0.5]}}');
    const r = runCli(['sweep', '--config', file, '--out', join(tmp, 'dup-out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([`tsdyn sweep: sweep: ${file} has the key "lr" twice in sweep.grid (line 1, column 89); JSON keeps only the last, so one value would be lost`]);
    // Power check: without the reader, JSON.parse keeps one list and the grid loses 0.1, 0.2.
    expect(() => validateSweep(JSON.parse('{"grid": {"lr": [0.1, 0.2], "lr": [0.5]}}'))).not.toThrow(SweepError);
  });

  it('two seeds that differ only in an invalid byte cannot collide: the file is refused', () => {
    const a = Buffer.concat([Buffer.from('{"base": {"N": 60, "K": 2, "M": 2, "tMax": 1}, "seeds": ["s'), Buffer.from([0xff]), Buffer.from('", "s'), Buffer.from([0xfe]), Buffer.from('"]}')]);
    const file = join(tmp, 'bad-seeds.json');
    writeFileSync(file, a);
    const r = runCli(['sweep', '--config', file, '--out', join(tmp, 'bad-seeds-out')]);
    expect(r.code).toBe(1);
    expect(r.stderr[0]).toMatch(/is not valid UTF-8 \(byte 59\)/);
    // Power check: a lenient decoder makes both seeds the same string.
    expect(new TextDecoder().decode(Buffer.from([0x73, 0xff]))).toBe(new TextDecoder().decode(Buffer.from([0x73, 0xfe])));
  });
});

describe('the reader (src/jsonFile.ts)', () => {
  it('accepts what JSON allows: equal keys in different objects, escaped keys, surrogate pairs, deep but ≤ 32', () => {
    expect(scanJson('{"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 1}, {"k": 2}]}', 'x', 32)).toBeNull();
    expect(scanJson('{"\\u0041": 1, "B": 2, "s": "\\ud83d\\ude00 \\" \\\\ \\n"}', 'x', 32)).toBeNull();
    expect(scanJson(`${'['.repeat(32)}${']'.repeat(32)}`, 'x', 32)).toBeNull();
  });

  it('finds a duplicate written with an escape, deep in arrays, with its path', () => {
    expect(scanJson('{"base": {"init": {"Q": [[1]], "\\u0051": [[2]]}}}', 'config', 32)).toMatch(/^has the key "Q" twice in config\.base\.init /);
    expect(scanJson('{"results": [{"id": "a"}, {"id": "b", "id": "c"}]}', 'results', 32)).toMatch(/twice in results\.results\[1\] /);
  });

  it('refuses 33 levels and a high surrogate followed by anything but a low one', () => {
    expect(scanJson(`${'['.repeat(33)}${']'.repeat(33)}`, 'x', 32)).toMatch(/nested deeper than 32 levels/);
    expect(scanJson('["\\ud800\\u0041"]', 'x', 32)).toMatch(/unpaired/);
    expect(scanJson('["\\ud800"]', 'x', 32)).toMatch(/unpaired/);
  });

  it('names the first invalid UTF-8 byte (truncated sequences, surrogates encoded in UTF-8, past U+10FFFF)', () => {
    expect(firstInvalidUtf8(Buffer.from('héllo ✓ 😀'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x9c]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
  });

  it('reads a FIFO piece by piece and stops at the cap', async () => {
    const fifo = join(tmp, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `head -c ${9 * MiB} /dev/zero > "${fifo}"`]);
    expect(() => readJson(fifo, 'config')).toThrow(JsonContentError);
    writer.kill();
  });
});
