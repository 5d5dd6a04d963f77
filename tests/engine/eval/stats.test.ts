import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageRanks, cosine, cosineMatrix, pearson, scoredPairMetrics, spearman } from '../../../src/engine/eval/stats';
import { oracle, TOL } from './oracle';

describe('cosine', () => {
  it('matches hand values', () => {
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(cosine([3, 4], [-3, -4])).toBeCloseTo(-1, 12);
  });

  it('is 0 for a zero vector, never NaN', () => {
    expect(cosine([0, 0, 0], [1, 2, 3])).toBe(0);
    expect(cosine(new Float32Array(3), new Float32Array(3))).toBe(0);
    expect(cosineMatrix([[0, 0]], [[1, 0], [0, 0]])[0]).toEqual(new Float64Array([0, 0]));
  });

  it('rejects vectors of different dimensions', () => {
    expect(() => cosine([1, 2], [1, 2, 3])).toThrow(/different dimensions/);
  });

  it('builds the matrix row by row', () => {
    const m = cosineMatrix([[1, 0], [0, 1]], [[1, 0], [1, 1], [0, -1]]);
    expect(m.length).toBe(2);
    expect(Array.from(m[0])).toEqual([1, expect.closeTo(Math.SQRT1_2, 12), 0]);
    expect(Array.from(m[1])).toEqual([0, expect.closeTo(Math.SQRT1_2, 12), -1]);
  });
});

describe('pearson', () => {
  it('matches a hand-computed value', () => {
    // x = [1,2,3], y = [2,4,7]: Σdxdy = 5, Σdx² = 2, Σdy² = 114/9 → r = 15/√228
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(15 / Math.sqrt(228), 12);
  });

  it('is NaN when an input is constant (undefined correlation, as scipy)', () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNaN();
  });

  it('rejects mismatched or too short inputs', () => {
    expect(() => pearson([1, 2], [1, 2, 3])).toThrow(/paired/);
    expect(() => pearson([1], [1])).toThrow(/at least 2/);
  });
});

describe('spearman', () => {
  it('ranks ties by their average', () => {
    expect(Array.from(averageRanks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(Array.from(averageRanks([3, 1, 3, 3]))).toEqual([3, 1, 3, 3]);
  });

  it('matches a hand-computed value with ties', () => {
    // ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]; centred: dx = [-1.5,0,0,1.5], dy = [-1.5,.5,-.5,1.5]
    // Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → ρ = 4.5 / √22.5 = √0.9
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(Math.sqrt(0.9), 12);
  });

  it('is 1 for any monotone relation, NaN for a constant input', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('rejects NaN values', () => {
    expect(() => spearman([1, NaN, 3], [1, 2, 3])).toThrow(/NaN/);
  });
});

describe('scoredPairMetrics', () => {
  it('reproduces the oracle STS metrics', () => {
    const m = scoredPairMetrics(oracle.sts.a, oracle.sts.b, oracle.sts.gold);
    expect(Math.abs(m.pearson_cosine - oracle.sts.pearson_cosine)).toBeLessThan(TOL);
    expect(Math.abs(m.spearman_cosine - oracle.sts.spearman_cosine)).toBeLessThan(TOL);
  });

  it('reproduces the oracle from Float32Array embeddings', () => {
    const f32 = (vs: number[][]) => vs.map((v) => Float32Array.from(v));
    const m = scoredPairMetrics(f32(oracle.sts.a), f32(oracle.sts.b), oracle.sts.gold);
    expect(Math.abs(m.pearson_cosine - oracle.sts.pearson_cosine)).toBeLessThan(TOL);
    expect(Math.abs(m.spearman_cosine - oracle.sts.spearman_cosine)).toBeLessThan(TOL);
  });

  it('gives NaN correlations when every pair has the same cosine', () => {
    const a = [[1, 0], [2, 0], [3, 0]];
    const m = scoredPairMetrics(a, a, [0, 0.5, 1]);
    expect(m.pearson_cosine).toBeNaN();
    expect(m.spearman_cosine).toBeNaN();
  });

  it('rejects a label count that does not match the pairs', () => {
    expect(() => scoredPairMetrics([[1, 0], [0, 1]], [[1, 0], [0, 1]], [1])).toThrow(/labels/);
  });
});

describe('correlation properties', () => {
  const values = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 2, maxLength: 30 });

  it('spearman is unchanged by a strictly increasing transform and stays in [-1, 1]', () => {
    fc.assert(
      fc.property(values, values, (x, y) => {
        const n = Math.min(x.length, y.length);
        const [a, b] = [x.slice(0, n), y.slice(0, n)];
        const rho = spearman(a, b);
        const rhoT = spearman(a.map((v) => v * v * v + 7), b);
        if (Number.isNaN(rho)) return Number.isNaN(rhoT);
        return Math.abs(rho - rhoT) < 1e-12 && rho >= -1 && rho <= 1;
      }),
    );
  });

  it('pearson is symmetric and ±1 on exact linear relations', () => {
    fc.assert(
      fc.property(values, (x) => {
        const r = pearson(x, x.map((v) => 3 - 2 * v));
        const sym = pearson(x, x.map((v) => v * v)) - pearson(x.map((v) => v * v), x);
        return (Number.isNaN(r) || Math.abs(r + 1) < 1e-12) && (Number.isNaN(sym) || Math.abs(sym) < 1e-12);
      }),
    );
  });
});
