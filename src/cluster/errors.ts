/**
 * A problem with the cluster or the SLURM options (sbatch missing or unreachable, a partition
 * that does not exist, a cache the nodes cannot see, --slurm-args sbatch refuses): one line,
 * exit 1 from every command (the figure pipeline exits 2 for its own command-line errors),
 * and nothing submitted.
 */
import { UsageError } from '../errors.ts';

export class ClusterError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}
