/** tsdyn's version, from package.json (esbuild inlines it into dist/cli.js). */
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
