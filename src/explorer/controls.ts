/**
 * The explorer's controls (one registry: the page builds its form from it) and the URL-hash
 * encoding of a config, so a setting can be shared as a link.
 *
 * The hash lists only the fields that differ from DEFAULT_CONFIG, as `key=value` pairs. A value
 * is written raw when it is a string that does not parse as JSON (e.g. `model=two-layer`), and
 * as JSON otherwise (numbers, arrays, objects, and strings such as "12" that would otherwise
 * read back as numbers), so decoding is exact. Decoding goes through validateConfig: a bad
 * hash gives the same one-line `config.FIELD: …` message the CLI gives.
 */
import { ACTIVATION_NAMES } from '../activations/registry.ts';
import { DEFAULT_CONFIG, OPTIONAL_FIELD_DEFAULTS, secondLayerLr, validateConfig, type RunConfig } from '../config.ts';

type Field = keyof RunConfig;

export interface Control {
  field: Field;
  label: string;
  kind: 'select' | 'int' | 'number' | 'text' | 'json';
  options?: readonly string[];
  step?: number;
  /** Shown only for the two-layer model. */
  twoLayerOnly?: boolean;
}

export const CONTROLS = [
  { field: 'model', label: 'model', kind: 'select', options: ['soft-committee', 'two-layer'] },
  { field: 'activation', label: 'activation g', kind: 'select', options: ACTIVATION_NAMES },
  { field: 'K', label: 'K (student units)', kind: 'int', step: 1 },
  { field: 'M', label: 'M (teacher units)', kind: 'int', step: 1 },
  { field: 'N', label: 'N (input dim.)', kind: 'int', step: 1 },
  { field: 'lr', label: 'η (learning rate)', kind: 'number', step: 0.05 },
  { field: 'lr2', label: 'η₂ (2nd-layer rate)', kind: 'number', step: 0.05, twoLayerOnly: true },
  { field: 'weightDecay', label: 'λ (weight decay)', kind: 'number', step: 0.01 },
  { field: 'sigma', label: 'σ (label noise)', kind: 'number', step: 0.1 },
  { field: 'batchSize', label: 'B (minibatch)', kind: 'int', step: 1 },
  { field: 'studentScale', label: 'student scale', kind: 'number', step: 0.1 },
  { field: 'teacherScale', label: 'teacher scale', kind: 'number', step: 0.1 },
  { field: 'studentVScale', label: 'student v scale', kind: 'number', step: 0.1, twoLayerOnly: true },
  { field: 'vTeacher', label: 'v* ("ones" or [..])', kind: 'json', twoLayerOnly: true },
  { field: 'seed', label: 'seed', kind: 'text' },
  { field: 'tMax', label: 't_max', kind: 'number', step: 10 },
] as const satisfies readonly Control[];

function encodeValue(x: unknown): string {
  if (typeof x === 'string') {
    let parses = true;
    try {
      JSON.parse(x);
    } catch {
      parses = false;
    }
    if (!parses) return encodeURIComponent(x);
  }
  return encodeURIComponent(JSON.stringify(x));
}

function decodeValue(s: string): unknown {
  const text = decodeURIComponent(s);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `#k=v&…` for the fields of `config` that differ from the defaults ('#' alone for the defaults). */
export function configToHash(config: RunConfig): string {
  // The defaults as validation fills them in for this model (a soft committee never trains v).
  const defaults = validateConfig(config.model === DEFAULT_CONFIG.model ? {} : { model: config.model }) as unknown as Record<string, unknown>;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    const def = key === 'model' ? DEFAULT_CONFIG.model : defaults[key];
    if (JSON.stringify(value) === JSON.stringify(def)) continue;
    parts.push(`${key}=${encodeValue(value)}`);
  }
  return `#${parts.join('&')}`;
}

/** The config a hash names (validated; throws ConfigError naming the field). */
export function hashToConfig(hash: string): RunConfig {
  const body = hash.replace(/^#/, '');
  const raw: Record<string, unknown> = {};
  for (const part of body.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    raw[key] = eq < 0 ? true : decodeValue(part.slice(eq + 1));
  }
  return validateConfig(raw);
}

/** Text shown in a control's input for the config's current value. */
export function controlText(control: Control, config: RunConfig): string {
  // Optional fields are absent at their default (config.ts): show the value in effect.
  const value = control.field === 'lr2' ? secondLayerLr(config) : (config[control.field] ?? OPTIONAL_FIELD_DEFAULTS[control.field as keyof typeof OPTIONAL_FIELD_DEFAULTS]);
  return control.kind === 'json' && typeof value !== 'string' ? JSON.stringify(value) : String(value);
}

/** The config with one control's input text applied (validated; throws ConfigError naming the field). */
export function applyControl(config: RunConfig, control: Control, text: string): RunConfig {
  let value: unknown = text;
  if (control.kind === 'int' || control.kind === 'number') value = text.trim() === '' ? NaN : Number(text);
  else if (control.kind === 'json') value = decodeValue(encodeURIComponent(text.trim()));
  else if (control.kind === 'text') value = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
  const next: Record<string, unknown> = { ...config, [control.field]: value };
  // A soft committee has v* = 1 by definition; leaving the two-layer model keeps the rest.
  if (control.field === 'model' && value === 'soft-committee') {
    next.vTeacher = 'ones';
    delete next.lr2;
  }
  if (next.init === undefined) delete next.init;
  return validateConfig(next);
}
