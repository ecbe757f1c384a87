/**
 * What the explorer says about the cost of in-page SGD: the step count and the ETA's units.
 * A long setting must read as minutes of work before it starts, in the CLI's format (12m49s), not as "769 s" or a bare number.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { formatCount, formatEstimate, sgdSecondsEstimate, sgdSteps } from '../src/explorer/cost.ts';

describe('explorer: cost of in-page SGD', () => {
  it('counts tMax·N steps; the defaults are the 1.57·10⁶ the page names', () => {
    const d = validateConfig({});
    expect(sgdSteps(d)).toBe(d.tMax * d.N);
    expect(formatCount(sgdSteps(d))).toBe('1.57·10⁶');
    expect(formatCount(sgdSteps({ tMax: 10, N: 100 }))).toBe('1000');
    expect(formatCount(123456789)).toBe('1.23·10⁸');
  });
  it('estimates the time before the run in the CLI\'s format: the defaults about 12 s, 10⁸ steps 12 min 49 s', () => {
    expect(formatEstimate(sgdSecondsEstimate(validateConfig({})))).toBe('12s');
    expect(formatEstimate(sgdSecondsEstimate({ tMax: 1e4, N: 1e4 }))).toBe('12m49s');
    expect(formatEstimate(sgdSecondsEstimate({ tMax: 5, N: 100 }))).toBe('under a second');
  });
});
