/**
 * Outputs that appear together or not at all. A command that writes
 * several files (`tsdyn sweep --out DIR`: table.csv, table.jsonl, plot.svg, …) or fills a
 * folder (an import into the run cache):
 *
 * 1. checks the target before any work (`OutputFolder.check`, `checkWritableFolder`): the path
 *    is a folder or can become one (no regular file on the way), a file can be created there
 *    (probed, so a read-only folder, a read-only filesystem and an immutable folder are all
 *    caught, as root too), and the filesystem has room for the expected size;
 * 2. writes every file into a staging folder next to the target (same filesystem), so a full
 *    disk or an error while writing leaves only the staging folder, which is then removed;
 * 3. moves the files into place with renames, which need no space and cannot half-happen:
 *    a new folder is one rename; into an existing folder, one rename per file, with stale
 *    outputs of an earlier run (e.g. a plot this run does not make) removed.
 *
 * A staging folder left by a process that was killed (SIGKILL) is removed by the next check.
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, statfsSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';
import { bytes } from './sizes.ts';

/** Room kept free beyond the estimate: metadata, and estimates that are rough. */
const SPACE_MARGIN = 1 << 20;

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw e;
  }
}

/** Whether a process with this pid exists (for stale staging folders and stale cluster locks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove staging folders `.<prefix>.<pid>.tmp` in `folder` whose process is gone. */
function removeStaleStaging(folder: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.(.+)\.(\d+)\.tmp$/.exec(name);
    if (!m || m[1] !== prefix || Number(m[2]) === process.pid || processAlive(Number(m[2]))) continue;
    rmSync(join(folder, name), { recursive: true, force: true });
  }
}

/**
 * Check that files can be created in `folder` (which must exist) and that its filesystem has
 * `needBytes` free; one-line UsageError naming the option otherwise. Probes by creating and
 * removing a folder, so permissions, read-only mounts and the immutable attribute all count.
 */
export function checkWritableFolder(folder: string, option: string, needBytes = 0): void {
  const probe = join(folder, `.tsdyn-probe.${process.pid}.tmp`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (e) {
    throw new UsageError(`${option}: cannot create files in ${folder} (${codeOf(e)})`);
  }
  checkFreeSpace(folder, option, needBytes);
}

/** Refuse when the filesystem of `folder` has less than `needBytes` (+ a margin) available. */
export function checkFreeSpace(folder: string, option: string, needBytes: number): void {
  let free: number;
  try {
    const s = statfsSync(folder);
    free = Number(s.bavail) * Number(s.bsize);
  } catch {
    return; // no statfs here: the write itself reports a full disk
  }
  if (free < needBytes + SPACE_MARGIN) {
    throw new UsageError(`${option}: ${folder} has ${bytes(free)} free, the outputs need about ${bytes(needBytes)} (no space left on its device)`);
  }
}

/**
 * The nearest existing folder at or above `path` (which need not exist), refusing a regular
 * file on the way (`a/file.txt/out`): where `path` will be created, and what to probe.
 */
export function nearestFolder(path: string, option: string): string {
  const abs = resolve(path);
  let anchor = abs;
  for (;;) {
    let st: Stats | null;
    try {
      st = statOrNull(anchor);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a regular file further up; keep climbing to name it.
      if (code !== 'ENOTDIR') throw new UsageError(`${option}: ${path}: cannot be used (${code})`);
      st = null;
    }
    if (st) {
      if (!st.isDirectory()) throw new UsageError(anchor === abs ? `${option}: ${path} exists and is not a folder` : `${option}: ${path}: ${anchor} is a file, not a folder`);
      return anchor;
    }
    const up = dirname(anchor);
    if (up === anchor) throw new UsageError(`${option}: ${path}: no existing folder above it`);
    anchor = up;
  }
}

/**
 * Check, creating nothing, that `folder` (existing or not) can be created and written and has
 * room for `needBytes`: its nearest existing ancestor is probed.
 */
export function checkTargetFolder(folder: string, option: string, needBytes = 0): void {
  checkWritableFolder(nearestFolder(folder, option), `${option} ${folder}`, needBytes);
}

/** A file's content: text, or pieces written one after another (for outputs larger than a string). */
export type FileContent = string | Uint8Array | (() => Iterable<string>);

function writeContent(path: string, content: FileContent): void {
  const fd = openSync(path, 'wx');
  try {
    if (typeof content === 'function') {
      for (const piece of content()) writeAll(fd, piece);
    } else writeAll(fd, content);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** A checked output folder (see the module comment). */
export class OutputFolder {
  private constructor(
    /** The target folder, as given. */
    readonly dir: string,
    private readonly abs: string,
    /** The nearest existing folder at or above the target (where it will be created). */
    private readonly anchor: string,
    private readonly option: string,
  ) {}

  /**
   * Check `dir` before any work: a folder, or a path whose nearest existing ancestor is a
   * folder; files can be created there; `needBytes` fit. One-line UsageError otherwise.
   */
  static check(dir: string, option: string, needBytes: number): OutputFolder {
    if (dir === '') throw new UsageError(`${option}: must name a folder`);
    const abs = resolve(dir);
    const anchor = nearestFolder(dir, option);
    const out = new OutputFolder(dir, abs, anchor, option);
    removeStaleStaging(anchor, out.stagingPrefix());
    checkWritableFolder(anchor, `${option} ${dir}`, needBytes);
    return out;
  }

  private targetExists(): boolean {
    return this.anchor === this.abs;
  }

  private stagingPrefix(): string {
    return this.targetExists() ? 'tsdyn-out' : `${basename(this.abs)}`;
  }

  /**
   * Write `files` (name → content) and move them into the target together. `known`: every
   * name this command may write; those not in `files` are removed from an existing target so
   * no output of an earlier run is left beside this run's.
   */
  write(files: Map<string, FileContent>, known: readonly string[]): void {
    const staging = join(this.anchor, `.${this.stagingPrefix()}.${process.pid}.tmp`);
    rmSync(staging, { recursive: true, force: true });
    try {
      mkdirSync(staging);
      for (const [name, content] of files) writeContent(join(staging, name), content);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw new UsageError(`${this.option}: writing ${this.dir} failed (${codeOf(e)}); nothing was written`);
    }
    try {
      if (!this.targetExists() && statOrNull(this.abs) === null) {
        mkdirSync(dirname(this.abs), { recursive: true });
        renameSync(staging, this.abs);
        return;
      }
      for (const name of files.keys()) renameSync(join(staging, name), join(this.abs, name));
      for (const name of known) if (!files.has(name)) rmSync(join(this.abs, name), { force: true });
      rmdirSync(staging);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw new UsageError(`${this.option}: moving the outputs into ${this.dir} failed (${codeOf(e)})`);
    }
  }
}

/** Files being staged now (aborted by a stop signal: src/runs/scheduler.ts installStopHandlers). */
const activeStaging = new Set<StagedFiles>();

/** Remove the temp files of every StagedFiles not yet committed (on a stop). */
export function abortStagedFiles(): void {
  for (const s of [...activeStaging]) s.abort();
}

/**
 * Files anywhere (the pipeline's snapshots, SVGs and specs; a batch import's cache entries)
 * written together or not at all: each is first written as a temp file beside its target
 * (`.NAME.PID.tmp`), and only when all are written are they renamed into place. A failed write
 * (full disk) removes the temps and leaves every target as it was.
 */
export class StagedFiles {
  private staged: { tmp: string; path: string }[] = [];

  constructor(private readonly option: string) {
    activeStaging.add(this);
  }

  write(path: string, content: FileContent): void {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    try {
      mkdirSync(dirname(path), { recursive: true });
      rmSync(tmp, { force: true });
      this.staged.push({ tmp, path });
      writeContent(tmp, content);
    } catch (e) {
      this.abort();
      throw new UsageError(`${this.option}: writing ${path} failed (${codeOf(e)}); nothing was written`);
    }
  }

  /** Rename every staged file into place (renames need no space). */
  commit(): void {
    try {
      for (const { tmp, path } of this.staged) renameSync(tmp, path);
    } catch (e) {
      this.abort();
      throw new UsageError(`${this.option}: moving the outputs into place failed (${codeOf(e)})`);
    }
    this.staged = [];
    activeStaging.delete(this);
  }

  abort(): void {
    for (const { tmp } of this.staged) rmSync(tmp, { force: true });
    this.staged = [];
    activeStaging.delete(this);
  }
}
