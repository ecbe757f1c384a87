/**
 * Side-effect helpers for the CLI and pipeline: atomic writes (temp file + rename, so an
 * interrupted run never leaves a partial file), the CLI's `--out` target checks, and stable JSON.
 */
import { accessSync, constants, fstatSync, lstatSync, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    // A stale temp file of a killed process with this pid is ours to replace; 'wx' then creates
    // the temp file afresh, so a link planted at its name is never followed.
    rmSync(tmp, { force: true });
    writeFileSync(tmp, content, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * JSON for files reviewers diff: nested structure indented, and every object that holds only
 * scalars (a plotted data row, an encoding channel) on one line, so a changed data point shows
 * as one changed line instead of a changed 2 MB line. Formatting newlines are the only raw
 * newlines in JSON text (strings escape theirs), so collapsing them inside a flat object is safe.
 */
export function toReviewJson(value: unknown): string {
  return `${JSON.stringify(value, null, 1).replace(/\{\n\s*([^{}[\]]*?)\n\s*\}/g, (_m, body: string) => `{${body.replace(/\n\s*/g, ' ')}}`)}\n`;
}

/** JSON with a trailing newline; key order is insertion order, so output is deterministic. */
export function toJson(value: unknown, indent = 0): string {
  return `${JSON.stringify(value, null, indent || undefined)}\n`;
}

/**
 * Where `--out` writes: a regular file (atomically, at its real path so a symlink stays a
 * symlink), or straight to the process's stdout/stderr when the target *is* one of them
 * (`-`, /dev/stdout, /dev/fd/1, or a file that fd 1/2 already points at).
 */
export type OutTarget = { kind: 'file'; path: string } | { kind: 'fd'; fd: 1 | 2 };

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function fdStats(fd: number): Stats | null {
  try {
    return fstatSync(fd);
  } catch {
    return null;
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Check an `--out` path before any computation, so an unusable target fails in milliseconds
 * rather than after the run: refuse an empty path, a directory, a special file (device, FIFO,
 * socket) that is not our own stdout/stderr, the config file itself, a missing folder, and a
 * folder we cannot create files in (probed by creating and removing the temp file).
 */
export function resolveOutTarget(out: string, configPath?: string): OutTarget {
  if (out === '') throw new UsageError('--out: must name a file (got an empty string; use - for stdout)');
  if (out === '-') return { kind: 'fd', fd: 1 };
  let st: Stats | null = null;
  try {
    st = statSync(out);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new UsageError(`--out: ${out}: a parent of it is not a directory`);
    if (code === 'EACCES') throw new UsageError(`--out: ${out}: permission denied`);
    if (code !== 'ENOENT') throw new UsageError(`--out: ${out}: cannot be used (${code})`);
    let dangling = false;
    try {
      dangling = lstatSync(out).isSymbolicLink();
    } catch {
      /* does not exist at all: fine */
    }
    if (dangling) throw new UsageError(`--out: ${out} is a symbolic link to a missing file`);
  }
  if (st) {
    for (const fd of [1, 2] as const) {
      const fst = fdStats(fd);
      if (fst && sameFile(st, fst)) return { kind: 'fd', fd };
    }
    if (!st.isFile()) throw new UsageError(`--out: ${out} is ${kindOf(st)}, not a regular file (use - for stdout)`);
    if (configPath !== undefined) {
      try {
        if (sameFile(st, statSync(configPath))) throw new UsageError(`--out: ${out} is the config file; refusing to overwrite it`);
      } catch (e) {
        if (e instanceof UsageError) throw e;
      }
    }
  }
  if (out.endsWith('/')) throw new UsageError(`--out: ${out} names a directory, not a file`);
  const path = st ? realpathSync(out) : resolve(out);
  const folder = dirname(path);
  let dirStat: Stats;
  try {
    dirStat = statSync(folder);
  } catch {
    throw new UsageError(`--out: folder ${dirname(out)} does not exist`);
  }
  if (!dirStat.isDirectory()) throw new UsageError(`--out: ${dirname(out)} is not a directory`);
  const probe = tempPathFor(path);
  try {
    accessSync(folder, constants.W_OK);
    writeFileSync(probe, '', { flag: 'wx' });
    rmSync(probe, { force: true });
  } catch (e) {
    throw new UsageError(`--out: cannot create files in ${dirname(out)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return { kind: 'file', path };
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Write `text` to a checked target: atomically for a file, directly for stdout/stderr. */
export function writeOutTarget(target: OutTarget, text: string): void {
  if (target.kind === 'fd') {
    (target.fd === 1 ? process.stdout : process.stderr).write(text);
    return;
  }
  try {
    writeFileAtomic(target.path, text);
  } catch (e) {
    throw new UsageError(`--out: writing ${target.path} failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
