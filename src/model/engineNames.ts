/**
 * The names of tsdyn's engines and backends, at the bottom of the import graph so that the
 * trajectory type, run keys, printed provenance and the driver can name them without importing
 * the engines themselves. The engine registry (src/engines.ts) is a Record over the engine
 * names and the (engine, backend) table (src/engineBackends.ts) a Record over both, so a name
 * without its entries (or an entry without a name) does not compile.
 */
export const ENGINE_NAMES = ['ode', 'sgd', 'sampler'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Where an engine's arithmetic runs: the CPU (TypeScript), or a GPU through WebGPU. */
export const BACKEND_NAMES = ['cpu', 'webgpu'] as const;
export type Backend = (typeof BACKEND_NAMES)[number];
