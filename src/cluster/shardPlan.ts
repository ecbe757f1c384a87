/**
 * Packing runs into the shards of a SLURM job array (src/cluster/executor.ts), from the run
 * scheduler's cost model (expectedSeconds: seconds on one core).
 *
 * CPU shards. A task has C CPUs (--cpus-per-task) and runs its shard on C workers, so a shard
 * of cost c takes about c/C seconds. The count S is
 *
 *   S = max(⌈total / (target·C)⌉, min(slots, ⌈total / (MIN_SHARD_SECONDS·C)⌉)),
 *
 * capped by the number of runs and by the cluster's MaxArraySize: shards of about the target
 * wall time (--shard-minutes), or more and shorter ones when that would leave slots (tasks the
 * cluster runs at once) idle, but none much shorter than MIN_SHARD_SECONDS, whose task start
 * and scheduling would then cost more than its work. The runs are packed longest first, each
 * into the shard with the least work so far (LPT; Graham 1969: within 4/3 of the best
 * makespan), so the shards end together.
 *
 * GPU shards (webgpu runs). A GPU's throughput grows with the size of its batches
 * (docs/gpu.md), so the runs are split over the GPUs available (the slots), not by
 * time, and compatible runs (one `group`, batchKey in src/gpu/engine.ts) stay together.
 *
 * Every shard's results are one JSON file read back as one string, so a shard also holds at
 * most maxShardBytes of expected output (src/resources.ts); that can raise S.
 */

/**
 * A shard shorter than this (seconds of work) is not worth its own task: a task starts ≈ 1 s
 * after the array is submitted on the test cluster (bench/slurm.ts), a few seconds on a busy one.
 * Splitting a small study over every idle slot still shortens its wall time; below this the
 * starts would cost more than the work they spread.
 */
export const MIN_SHARD_SECONDS = 3;

export interface ShardItem {
  /** Expected seconds on one core. */
  cost: number;
  /** Expected bytes of its result in the results file. */
  bytes: number;
  /** GPU shards: runs of one group batch together. */
  group?: string;
}

export interface ShardPlanOptions {
  /** Target wall seconds of one shard. */
  targetSeconds: number;
  /** CPUs of one task (the runner's workers). */
  cpusPerTask: number;
  /** Tasks the cluster runs at once (the array's %P). */
  slots: number;
  /** Most shards (the cluster's MaxArraySize less shards already planned). */
  maxShards: number;
  /** Most expected result bytes in one shard. */
  maxShardBytes: number;
  /** GPU shards: split evenly over the slots, groups kept together. */
  gpu?: boolean;
}

export interface Shard<J> {
  jobs: J[];
  /** Σ cost of its runs (one-core seconds). */
  cost: number;
  bytes: number;
}

export class ShardPlanError extends Error {}

/** The shard count before the byte limit (see the module comment). */
export function shardCount(total: number, n: number, o: ShardPlanOptions): number {
  if (n === 0) return 0;
  const cap = Math.min(n, o.maxShards);
  if (o.gpu) return Math.max(1, Math.min(cap, o.slots));
  const byTarget = Math.ceil(total / (o.targetSeconds * o.cpusPerTask));
  const bySlots = Math.min(o.slots, Math.ceil(total / (MIN_SHARD_SECONDS * o.cpusPerTask)));
  return Math.max(1, Math.min(cap, Math.max(byTarget, bySlots)));
}

/** Pack `jobs` into shards; the costliest shard first. Throws ShardPlanError when maxShards cannot hold them. */
export function planShards<J extends ShardItem>(jobs: readonly J[], o: ShardPlanOptions): Shard<J>[] {
  if (!jobs.length) return [];
  const total = jobs.reduce((a, j) => a + j.cost, 0);
  const totalBytes = jobs.reduce((a, j) => a + j.bytes, 0);
  const big = jobs.find((j) => j.bytes > o.maxShardBytes);
  if (big) throw new ShardPlanError(`one run's results would be ${big.bytes} bytes, over the ${o.maxShardBytes} a shard's results file may hold`);
  let S = Math.max(shardCount(total, jobs.length, o), Math.ceil(totalBytes / o.maxShardBytes));
  for (;;) {
    if (S > Math.min(jobs.length, o.maxShards)) {
      throw new ShardPlanError(`the runs need more than ${o.maxShards} shards (MaxArraySize) to keep each shard's results under ${o.maxShardBytes} bytes`);
    }
    const shards = o.gpu ? packInOrder(jobs, S, o.maxShardBytes) : packLongestFirst(jobs, S, o.maxShardBytes);
    if (shards) return shards.filter((s) => s.jobs.length > 0).sort((a, b) => b.cost - a.cost);
    S++; // the byte limit did not fit S shards: one more
  }
}

/** LPT: costliest run first, into the shard with the least cost that has room; null when one does not fit. */
function packLongestFirst<J extends ShardItem>(jobs: readonly J[], S: number, maxBytes: number): Shard<J>[] | null {
  const shards: Shard<J>[] = Array.from({ length: S }, () => ({ jobs: [], cost: 0, bytes: 0 }));
  const order = [...jobs].sort((a, b) => b.cost - a.cost);
  for (const j of order) {
    let best: Shard<J> | null = null;
    for (const s of shards) if (s.bytes + j.bytes <= maxBytes && (best === null || s.cost < best.cost)) best = s;
    if (!best) return null;
    best.jobs.push(j);
    best.cost += j.cost;
    best.bytes += j.bytes;
  }
  return shards;
}

/**
 * GPU shards: the runs sorted by group (then costliest first) and cut into S consecutive
 * pieces of about equal cost, so a group is split only where a cut falls in it.
 */
function packInOrder<J extends ShardItem>(jobs: readonly J[], S: number, maxBytes: number): Shard<J>[] | null {
  const order = [...jobs].sort((a, b) => ((a.group ?? '') < (b.group ?? '') ? -1 : (a.group ?? '') > (b.group ?? '') ? 1 : b.cost - a.cost));
  const total = order.reduce((a, j) => a + j.cost, 0);
  const shards: Shard<J>[] = [{ jobs: [], cost: 0, bytes: 0 }];
  let before = 0; // cost in the shards before the current one
  for (const j of order) {
    let cur = shards[shards.length - 1];
    const full = cur.jobs.length > 0 && (before + cur.cost + j.cost / 2 > (total * shards.length) / S || cur.bytes + j.bytes > maxBytes);
    if (full) {
      if (shards.length === S) return null;
      before += cur.cost;
      cur = { jobs: [], cost: 0, bytes: 0 };
      shards.push(cur);
    }
    cur.jobs.push(j);
    cur.cost += j.cost;
    cur.bytes += j.bytes;
  }
  return shards;
}

/** The expected wall seconds of a shard on C CPUs: its cost over C, at least its longest run. */
export function shardSeconds(shard: Shard<ShardItem>, cpusPerTask: number): number {
  return Math.max(shard.cost / cpusPerTask, ...shard.jobs.map((j) => j.cost));
}

/**
 * The array's expected wall time with `slots` tasks at once: the shards started costliest
 * first, each on the slot that frees first (list scheduling), ignoring queue waits.
 */
export function expectedWallSeconds(shardSecs: readonly number[], slots: number): number {
  const free = new Array<number>(Math.max(1, Math.min(slots, shardSecs.length))).fill(0);
  for (const s of [...shardSecs].sort((a, b) => b - a)) {
    let k = 0;
    for (let i = 1; i < free.length; i++) if (free[i] < free[k]) k = i;
    free[k] += s;
  }
  return Math.max(0, ...free);
}
