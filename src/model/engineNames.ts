/**
 * The names of tsdyn's engines, at the bottom of the import graph so that the trajectory type,
 * run keys and the driver can name an engine without importing the engines themselves. The
 * registry (src/engines.ts) is a Record over these names, so a name without an entry (or an
 * entry without a name) does not compile.
 */
export const ENGINE_NAMES = ['ode', 'sgd', 'sampler'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
