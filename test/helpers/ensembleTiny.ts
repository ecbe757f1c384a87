/** A tiny instance of Figure 1's ensemble for tests: the same code and config machinery, small N, t ≤ 2. */
import { validateConfig } from '../../src/config.ts';
import type { EnsembleSettings } from '../../src/figures/ensemble/index.ts';
import { softCommitteeConfig } from '../../src/figures/softCommittee/index.ts';

export function tinyEnsembleSettings(N: number, seeds: number): EnsembleSettings {
  return {
    name: `tiny-ensemble-N${N}`,
    title: 'tiny',
    label: 'Soft committee machine',
    theory: 'Saad & Solla (1995)',
    Ks: [2],
    seeds: Array.from({ length: seeds }, (_, i) => i + 1),
    config: (K, seed) => validateConfig({ ...softCommitteeConfig(K, 'ci'), N, tMax: 2, recordEvery: 0.5, recordPoints: 6, seed }),
    presets: ['ensemble'],
  };
}
