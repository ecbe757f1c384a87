/**
 * The JSON Schemas in schema/ are what the TypeScript types give (regenerating changes nothing),
 * they describe the fields the validators accept, and the example configs point at them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, OPTIONAL_FIELDS, validateConfig } from '../src/config.ts';
import { SWEEP_FIELDS, validateSweep } from '../src/sweep/spec.ts';
import { generateSchema, schemaPath, SCHEMAS } from '../pipeline/schema.ts';

const read = (name: keyof typeof SCHEMAS) => JSON.parse(readFileSync(schemaPath(name), 'utf8'));

describe('JSON Schemas', () => {
  it.each(Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[])('%s: regenerating from the types gives the committed file', (name) => {
    expect(generateSchema(name) === readFileSync(schemaPath(name), 'utf8')).toBe(true);
  });

  it('the run-config schema lists exactly the fields validateConfig accepts, and no others', () => {
    const s = read('run-config');
    expect(s.additionalProperties).toBe(false);
    const fields = Object.keys(s.properties).sort();
    expect(fields).toEqual([...Object.keys(DEFAULT_CONFIG), ...OPTIONAL_FIELDS, '$schema', '$comment', 'description'].sort());
    // Every listed field is accepted by the validator (with a valid value), an unlisted one is not.
    const valid: Record<string, unknown> = { ...DEFAULT_CONFIG, activation: 'linear', weightDecay: 0.1, $schema: 'x', $comment: 'x', description: 'x' };
    for (const f of fields) {
      if (f === 'lr2') expect(() => validateConfig({ model: 'two-layer', lr2: 0.3 })).not.toThrow();
      else expect(() => validateConfig({ [f]: valid[f] })).not.toThrow();
    }
    expect(() => validateConfig({ eta: 1 })).toThrow('config.eta: unknown field');
  });

  it('the sweep schema lists the top-level fields validateSweep accepts, engines and metrics as enums', () => {
    const s = read('sweep');
    expect(s.additionalProperties).toBe(false);
    for (const f of Object.keys(s.properties)) expect(() => validateSweep({ [f]: undefined })).not.toThrow();
    expect(s.definitions.SweepEngine.enum).toEqual(['ode', 'sgd', 'sampler']);
    expect(s.definitions.SweepMetric.enum).toContain('maxAbsLogRatio');
    expect(Object.keys(s.definitions.SweepValues.properties).sort()).toEqual([...SWEEP_FIELDS].sort());
  });

  it('the example configs reference their schema and validate', () => {
    for (const file of readdirSync('configs').filter((f) => f.endsWith('.json'))) {
      const raw = JSON.parse(readFileSync(`configs/${file}`, 'utf8'));
      if (file.includes('sweep')) {
        expect(raw.$schema).toBe('../schema/sweep.schema.json');
        expect(() => validateSweep(raw)).not.toThrow();
      } else {
        expect(raw.$schema).toBe('../schema/run-config.schema.json');
        expect(() => validateConfig(raw)).not.toThrow();
      }
    }
  });
});
