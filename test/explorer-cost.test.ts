/**
 * What the explorer says about the cost of in-page SGD: the step count and the ETA's units.
 * A long setting must read as minutes of work before it starts, not as "612.3 s" or a bare number.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { formatCount, formatEta, sgdSecondsEstimate, sgdSteps } from '../src/explorer/cost.ts';

describe('explorer: cost of in-page SGD', () => {
  it('counts tMax·N steps; the defaults are the 1.57·10⁶ the page names', () => {
    const d = validateConfig({});
    expect(sgdSteps(d)).toBe(d.tMax * d.N);
    expect(formatCount(sgdSteps(d))).toBe('1.57·10⁶');
    expect(formatCount(sgdSteps({ tMax: 10, N: 100 }))).toBe('1000');
    expect(formatCount(123456789)).toBe('1.23·10⁸');
  });
  it('estimates seconds before the run: the defaults about 12 s, 10⁸ steps a quarter of an hour', () => {
    expect(formatEta(sgdSecondsEstimate(validateConfig({})))).toBe('12.1 s');
    expect(formatEta(sgdSecondsEstimate({ tMax: 1e4, N: 1e4 }))).toBe('12.8 min');
  });
  it('gives an ETA in seconds, minutes or hours', () => {
    expect(formatEta(12.34)).toBe('12.3 s');
    expect(formatEta(612.3)).toBe('10.2 min');
    expect(formatEta(7200)).toBe('2.0 h');
    expect(formatEta(0.004)).toBe('under 0.1 s');
    expect(formatEta(NaN)).toBe('…');
  });
});
