/**
 * The results file of `tsdyn batch` (read back by `import-batch`, pipeline/batch.ts): each
 * result carries a sha256 of its own id and content, so an entry edited, damaged or moved to
 * another id (two runs' trajectories swapped) is refused on import even when both runs start
 * from the same point (src/runs/integrity.ts can tell runs apart only by their start).
 */
import { sha256 } from '../runs/hash.ts';
import type { RunResult } from '../result.ts';

export type BatchResultEntry = RunResult & { id: string; sha256?: string };

/** sha256 of an entry's id and result (status, t, reason, trajectory), without its own sha256. */
export function batchResultChecksum(entry: BatchResultEntry): string {
  const { sha256: _own, ...rest } = entry;
  return sha256(JSON.stringify(rest));
}
