import { describe, expect, it } from 'vitest';
import { fineTunedTitle } from '../../../src/ui/steps/Playground';

describe('the playground', () => {
  it("names the step of a running run's weights, and only while it trains", () => {
    expect(fineTunedTitle(12, true)).toBe('Fine-tuned so far (step 12)');
    expect(fineTunedTitle(0, true)).toBe('Fine-tuned so far (step 0)');
    expect(fineTunedTitle(12, false)).toBe('Fine-tuned');
    expect(fineTunedTitle(null, true)).toBe('Fine-tuned');
  });
});
