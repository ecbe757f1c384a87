// The run cache's code digests (src/runs/digest.ts) of the sources being bundled, as esbuild
// `define` entries: a bundle carries the digests of the code it holds, and needs no esbuild
// where it runs (the GPU box has no npm install). One per set of digest entries: the engine
// code's, and each backend's (BACKENDS[*].digestEntries).
import { tsImport } from 'tsx/esm/api';

export async function codeDigestDefine() {
  const { codeDigestTable, ENGINE_ENTRIES } = await tsImport('../src/runs/digest.ts', import.meta.url);
  const { BACKENDS } = await tsImport('../src/backends.ts', import.meta.url);
  const sets = [ENGINE_ENTRIES, ...Object.values(BACKENDS).map((b) => b.digestEntries).filter((e) => e.length > 0)];
  return { __TSDYN_CODE_DIGESTS__: JSON.stringify(codeDigestTable(sets)) };
}
