/**
 * make schema: generate the JSON Schemas of the config files from their TypeScript types
 * (src/sweep/fileTypes.ts) with ts-json-schema-generator.
 *
 *   npx tsx pipeline/schema.ts           write schema/run-config.schema.json, schema/sweep.schema.json
 *   npx tsx pipeline/schema.ts --check   exit 1 if the committed files differ from what the types give
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';
import { writeFileAtomic } from '../src/io.ts';
import { ROOT } from '../src/root.ts';

export const SCHEMAS = {
  'run-config': { type: 'RunConfigFile', title: 'tsdyn run config' },
  sweep: { type: 'SweepFile', title: 'tsdyn sweep file' },
} as const;

export function schemaPath(name: keyof typeof SCHEMAS): string {
  return join(ROOT, 'schema', `${name}.schema.json`);
}

/** The schema text for one config type, deterministic (sorted by the generator, stable key order). */
export function generateSchema(name: keyof typeof SCHEMAS): string {
  const generator = createGenerator({
    path: join(ROOT, 'src/sweep/fileTypes.ts'),
    tsconfig: join(ROOT, 'tsconfig.json'),
    type: SCHEMAS[name].type,
    expose: 'export',
    topRef: false,
    jsDoc: 'extended',
    additionalProperties: false,
    skipTypeCheck: true,
  });
  const schema = generator.createSchema(SCHEMAS[name].type) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return `${JSON.stringify({ $schema, $id: `${name}.schema.json`, title: SCHEMAS[name].title, ...rest }, null, 2)}\n`;
}

function main(): number {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const name of Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[]) {
    const text = generateSchema(name);
    const path = schemaPath(name);
    if (check) {
      let committed = '';
      try {
        committed = readFileSync(path, 'utf8');
      } catch {
        /* missing counts as stale */
      }
      if (committed !== text) {
        process.stderr.write(`schema: ${path} is stale; run make schema\n`);
        stale++;
      }
    } else writeFileAtomic(path, text);
  }
  return stale ? 1 : 0;
}

if (process.argv[1]?.endsWith('schema.ts')) process.exit(main());
