/**
 * Stand-in for the `webgpu` package inside the bundled batch runner (scripts/build-batch.mjs):
 * loads Dawn's Node addon from `dawn.node` next to the bundle, so the bundle needs no
 * node_modules. Same `create` export as the package.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const addon = createRequire(import.meta.url)(join(here, 'dawn.node')) as { create: (flags: string[]) => GPU };
export const create = addon.create;
