/**
 * Whether the compute nodes can see a path. A task reads its shard file and writes its results
 * beside it, and runs the runner (dist/cli.js) from the checkout, so the cache and the
 * checkout must be on a file system every node mounts (home, project, scratch). What is
 * certainly not shared is refused before anything is submitted: a folder each machine has its
 * own of (/tmp, /dev/shm, /run, /var/run), and any folder on a memory file system (tmpfs,
 * ramfs). Nothing else can be told apart from the login node: a path that passes may still
 * be missing on the nodes, which then fails its tasks (the error names the node).
 *
 * All of this concerns other machines only: when every node of the partition the jobs go to is
 * this machine (a workstation running SLURM, a one-node test cluster), the tasks see this
 * machine's /tmp and memory file systems, so nothing is node-local (onlyThisHost).
 */
import { realpathSync, statfsSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

/** Folders every node has its own of. */
export const NODE_LOCAL_FOLDERS = ['/tmp', '/dev/shm', '/run', '/var/run'] as const;

/** statfs f_type of the memory file systems (linux/magic.h). */
const MEMORY_FS = { 0x01021994: 'tmpfs', 0x858458f6: 'ramfs' } as const;

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
function realPathOf(path: string): string {
  let p = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(p), ...rest);
    } catch {
      const up = dirname(p);
      if (up === p) return resolve(path);
      rest.unshift(p.slice(up.length + (up.endsWith(sep) ? 0 : 1)));
      p = up;
    }
  }
}

/** Why the nodes cannot see `path` (a phrase, after "<what> <path> "), or null when it may be shared. */
export function nodeLocalProblem(path: string, fsType = (p: string): number | null => {
  try {
    return Number(statfsSync(p).type);
  } catch {
    return null;
  }
}): string | null {
  const real = realPathOf(path);
  const local = NODE_LOCAL_FOLDERS.find((f) => real === f || real.startsWith(`${f}/`));
  if (local) return `is under ${local}, which every node has its own of`;
  // The file system of the nearest existing folder (the path itself may not exist yet).
  let probe = real;
  for (;;) {
    const t = fsType(probe);
    if (t !== null) {
      const name = MEMORY_FS[t as keyof typeof MEMORY_FS];
      return name ? `is on a ${name} (memory) file system, which is this machine's alone` : null;
    }
    const up = dirname(probe);
    if (up === probe) return null;
    probe = up;
  }
}

/** The first label of a host name (`node7.cluster.org` → `node7`), lower case (DNS ignores case). */
const shortName = (host: string) => host.toLowerCase().split('.')[0];

/**
 * Whether a node's host name (sinfo %n) names this machine (`host`, os.hostname()): the same
 * name, or the same first label where one of the two is a bare name (`node7` and
 * `node7.cluster.org`); two fully qualified names must be equal (`a.x.org` is not `a.y.org`).
 */
export function isThisHost(node: string, host: string): boolean {
  const n = node.trim().toLowerCase();
  const h = host.trim().toLowerCase();
  if (!n || !h) return false;
  if (n === h) return true;
  return (!n.includes('.') || !h.includes('.')) && shortName(n) === shortName(h);
}

/**
 * Whether every node the tasks may run on is this machine, so that they see its node-local
 * folders: false for an empty list (a partition without nodes says nothing about where tasks
 * will run, so nothing can be taken as shared).
 */
export function onlyThisHost(nodes: readonly string[], host: string): boolean {
  return nodes.length > 0 && nodes.every((n) => isThisHost(n, host));
}
