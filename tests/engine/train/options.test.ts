import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_OPTIONS, describeRange, OPTION_RANGES, rangeProblem, validateTrainingOptions, type TrainingOptions } from '../../../src/engine/train/options';

const d = DEFAULT_TRAINING_OPTIONS;

describe('option ranges', () => {
  it('describes a range with its bounds and a typical value', () => {
    expect(describeRange(OPTION_RANGES.learningRate)).toBe('a number ≥ 0 and ≤ 1 (typical: 2e-5)');
    expect(describeRange(OPTION_RANGES.dropout)).toBe('a number ≥ 0 and < 1 (typical: 0.1)');
    expect(describeRange(OPTION_RANGES.batchSize)).toBe('a whole number ≥ 1 and ≤ 65536 (typical: 32)');
  });

  it('accepts the edges and refuses just past them, NaN, Infinity and fractions of whole numbers', () => {
    const lr = OPTION_RANGES.learningRate;
    expect(rangeProblem(0, lr)).toBeNull();
    expect(rangeProblem(1, lr)).toBeNull();
    expect(rangeProblem(1.0000001, lr)).toBe('must be a number ≥ 0 and ≤ 1 (typical: 2e-5)');
    expect(rangeProblem(-1e-9, lr)).not.toBeNull();
    expect(rangeProblem(1e308, lr)).not.toBeNull();
    expect(rangeProblem(Number.POSITIVE_INFINITY, lr)).not.toBeNull();
    expect(rangeProblem(Number.NaN, lr)).not.toBeNull();
    expect(rangeProblem(0.999, OPTION_RANGES.dropout)).toBeNull();
    expect(rangeProblem(1, OPTION_RANGES.dropout)).not.toBeNull();
    expect(rangeProblem(32.5, OPTION_RANGES.batchSize)).toBe('must be a whole number ≥ 1 and ≤ 65536 (typical: 32)');
    expect(rangeProblem(0, OPTION_RANGES.scale)).toBe('must be a number > 0 and ≤ 1000 (typical: 20)');
    expect(rangeProblem(2 ** 32, OPTION_RANGES.seed)).not.toBeNull();
    expect(rangeProblem(2 ** 32 - 1, OPTION_RANGES.seed)).toBeNull();
  });

  it('the defaults are valid', () => {
    expect(validateTrainingOptions(d)).toEqual([]);
  });

  it('names every absurd field of a TrainingOptions, with its range', () => {
    const absurd: TrainingOptions = {
      ...d,
      learningRate: 1e308,
      weightDecay: 1e308,
      length: { kind: 'epochs', epochs: 1e9 },
      batchSize: 1e12,
      warmup: { kind: 'steps', steps: -1 },
      dropout: Number.NaN,
      lossParams: { temperature: 0 },
      strategy: { ...d.strategy, freezeLayers: 1.5 },
    };
    expect(validateTrainingOptions(absurd)).toEqual([
      { field: 'learningRate', message: 'learning rate must be a number ≥ 0 and ≤ 1 (typical: 2e-5), not 1e+308' },
      { field: 'weightDecay', message: 'weight decay must be a number ≥ 0 and ≤ 1 (typical: 0.01), not 1e+308' },
      { field: 'epochs', message: 'epochs must be a whole number ≥ 1 and ≤ 10000 (typical: 1), not 1000000000' },
      { field: 'batchSize', message: 'batch size must be a whole number ≥ 1 and ≤ 65536 (typical: 32), not 1000000000000' },
      { field: 'warmupSteps', message: 'warmup steps must be a whole number ≥ 0 and ≤ 10000000 (typical: 100), not -1' },
      { field: 'dropout', message: 'dropout must be a number ≥ 0 and < 1 (typical: 0.1), not NaN' },
      { field: 'freezeLayers', message: 'frozen layers must be a whole number ≥ 0 and ≤ 1000 (typical: 0), not 1.5' },
      { field: 'temperature', message: 'temperature must be a number ≥ 0.001 and ≤ 100 (typical: 0.05), not 0' },
    ]);
    expect(validateTrainingOptions({ ...d, length: { kind: 'steps', steps: 0 }, warmup: { kind: 'ratio', ratio: 2 } }).map((p) => p.field)).toEqual(['steps', 'warmupRatio']);
  });
});
