import { describe, expect, it } from 'vitest';
import { DEFAULT_FORGETTING_THRESHOLD, forgettingVerdict } from '../../../../src/engine/eval/general/verdict';

describe('forgettingVerdict', () => {
  it('keeps a drop equal to the threshold and flags one just above it', () => {
    expect(forgettingVerdict(0.85, 0.8, 0.05).verdict).toBe('kept');
    expect(forgettingVerdict(0.85, 0.7999, 0.05).verdict).toBe('forgot');
  });

  it('reports the drop as base − trained, and a gain as held', () => {
    const v = forgettingVerdict(0.6, 0.7, 0.05);
    expect(v.drop).toBeCloseTo(-0.1, 12);
    expect(v.verdict).toBe('kept');
    expect(v.message).toBe('General-domain similarity held: 0.600 before, 0.700 after.');
  });

  it('says how far it fell and what to do when it forgot', () => {
    const v = forgettingVerdict(0.8, 0.6, 0.05);
    expect(v.verdict).toBe('forgot');
    expect(v.message).toContain('from 0.800 to 0.600 (−0.200, more than the 0.050 allowed)');
    expect(v.message).toContain('lower learning rate');
  });

  it('a threshold of 0 flags any drop; the default is 0.05', () => {
    expect(forgettingVerdict(0.5, 0.4999, 0).verdict).toBe('forgot');
    expect(forgettingVerdict(0.5, 0.5, 0).verdict).toBe('kept');
    expect(DEFAULT_FORGETTING_THRESHOLD).toBe(0.05);
    expect(forgettingVerdict(0.9, 0.86).threshold).toBe(0.05);
  });

  it('refuses a negative or non-numeric threshold', () => {
    expect(() => forgettingVerdict(0.5, 0.4, -0.01)).toThrow(RangeError);
    expect(() => forgettingVerdict(0.5, 0.4, Number.NaN)).toThrow(RangeError);
  });
});
