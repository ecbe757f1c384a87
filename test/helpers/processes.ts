/** Child-process helpers for the pipeline and sweep tests: run, watch, signal, and list descendants. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const NODE = process.execPath;
export const ZX = 'node_modules/.bin/zx';
export const TSX_CLI = ['--import', 'tsx', 'src/cli.ts'];

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function start(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(NODE, args, { env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const done = new Promise<Finished>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function run(args: string[], env: Record<string, string>): Promise<Finished> {
  return start(args, env).done;
}

/** Every live descendant pid of `pid` (ps, Linux). */
export function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const stack = [pid];
  while (stack.length) for (const c of children.get(stack.pop()!) ?? []) all.push(c), stack.push(c);
  return all;
}

/**
 * Whether `pid` is a live process. A zombie (exited, not yet reaped: an orphan re-parented to
 * an init that reaps late) counts as gone: it runs nothing and holds no memory.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) state …"; comm may hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resident memory of a live process in bytes (VmRSS), or 0 when it is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every 100 ms until it holds or `ms` pass. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(100);
  }
  return cond();
}

/**
 * SIGTERM `child` and wait: returns how it ended, whether every process it had started is gone
 * within 5 s, and the count `files()` gives at the stop and again `quietMs` later (equal when
 * nothing was written after the stop).
 */
export async function terminate(
  child: ChildProcess,
  done: Promise<Finished>,
  files: () => number,
  quietMs = 2000,
): Promise<{ result: Finished; workers: number; treeGone: boolean; atStop: number; later: number }> {
  const tree = descendants(child.pid!);
  child.kill('SIGTERM');
  const result = await done;
  const treeGone = await waitFor(() => tree.every((pid) => !alive(pid)), 5_000);
  const atStop = files();
  await sleep(quietMs);
  return { result, workers: tree.length, treeGone, atStop, later: files() };
}
