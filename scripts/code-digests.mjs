// The run cache's code digests (src/runs/digest.ts) of the sources being bundled, as esbuild
// `define` entries: a bundle carries the digests of the code it holds, and needs no esbuild
// where it runs (the GPU box has no npm install). One per set of entries a digest is asked
// for: each (engine, backend)'s code and each backend's (src/engineBackends.ts).
import { tsImport } from 'tsx/esm/api';

export async function codeDigestDefine() {
  const { codeDigestTable, digestEntrySets } = await tsImport('../src/runs/digest.ts', import.meta.url);
  return { __TSDYN_CODE_DIGESTS__: JSON.stringify(codeDigestTable(digestEntrySets())) };
}
