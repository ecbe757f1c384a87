/**
 * What the explorer says about the cost of in-page SGD: the step count and the ETA's units.
 * The default setting must read as minutes of work, not as "612.3 s" or a bare number.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { formatCount, formatEta, sgdSteps } from '../src/explorer/cost.ts';

describe('explorer: cost of in-page SGD', () => {
  it('counts tMax·N steps; the defaults are the 1.57·10⁶ the page names', () => {
    const d = validateConfig({});
    expect(sgdSteps(d)).toBe(d.tMax * d.N);
    expect(formatCount(sgdSteps(d))).toBe('1.57·10⁶');
    expect(formatCount(sgdSteps({ tMax: 10, N: 100 }))).toBe('1000');
    expect(formatCount(123456789)).toBe('1.23·10⁸');
  });
  it('gives an ETA in seconds, minutes or hours', () => {
    expect(formatEta(12.34)).toBe('12.3 s');
    expect(formatEta(612.3)).toBe('10.2 min');
    expect(formatEta(7200)).toBe('2.0 h');
    expect(formatEta(NaN)).toBe('…');
  });
});
