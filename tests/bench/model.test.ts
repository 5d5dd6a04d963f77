import { describe, expect, it } from 'vitest';
import { architectureOf } from '../../src/engine/architectures/registry';
import { aggregateKernels, median } from '../../bench/measure';
import { benchConfig, fakeTokenizer, mulberry32, randomWeights, SHAPES } from '../../bench/model';

const shapesOf = (config: ReturnType<typeof benchConfig>) => architectureOf(config).tensorShapes(config);

describe('bench model', () => {
  it('mulberry32 is reproducible from its seed and stays in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mulberry32(8)()).not.toBe(xs[0]);
  });

  it('MiniLM-L6 has 22,565,376 parameters: all-MiniLM-L6-v2\'s 22,713,216 less the pooler (384·384 + 384) the engine does not use', () => {
    const config = benchConfig(SHAPES.minilm);
    const shapes = shapesOf(config);
    const total = [...shapes.values()].reduce((n, shape) => n + shape.reduce((x, y) => x * y, 1), 0);
    expect(total).toBe(22_713_216 - (384 * 384 + 384));
    expect(shapes.get('encoder.layer.0.output.dense.weight')).toEqual([384, 1536]);
    expect(shapes.get('encoder.layer.0.attention.output.dense.weight')).toEqual([384, 384]);
    expect(shapes.get('encoder.layer.0.intermediate.dense.bias')).toEqual([1536]);
  });

  it('random weights: matrices with std ≈ 0.02, LayerNorm weights 1, biases 0, same seed same values', () => {
    const config = benchConfig(SHAPES.tiny);
    const w = randomWeights(config, 3);
    const q = w.get('encoder.layer.0.attention.self.query.weight')!.data;
    const std = Math.sqrt(q.reduce((s, x) => s + x * x, 0) / q.length);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023);
    expect(w.get('embeddings.LayerNorm.weight')!.data.every((x) => x === 1)).toBe(true);
    expect(w.get('encoder.layer.1.output.dense.bias')!.data.every((x) => x === 0)).toBe(true);
    expect(randomWeights(config, 3).get('embeddings.word_embeddings.weight')!.data).toEqual(w.get('embeddings.word_embeddings.weight')!.data);
  });

  it('fake tokenizer: fixed length, [CLS] … [SEP], ids in the vocabulary, full attention mask', () => {
    const t = fakeTokenizer(30522, 1).encodeBatch(['a', 'b', 'c'], 64);
    expect([t.batchSize, t.seqLen, t.inputIds.length]).toEqual([3, 64, 192]);
    expect(t.attentionMask.every((m) => m === 1)).toBe(true);
    expect([t.inputIds[0], t.inputIds[63], t.inputIds[64], t.inputIds[191]]).toEqual([101, 102, 101, 102]);
    expect(Math.max(...t.inputIds)).toBeLessThan(30522);
    expect(Math.min(...t.inputIds.slice(1, 63))).toBeGreaterThanOrEqual(999);
  });
});

describe('bench measure helpers', () => {
  it('median of odd and even lists', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('aggregateKernels sums times by kernel name, largest first, with shares of the total', () => {
    const { total, rows } = aggregateKernels(
      [
        { name: 'MatMul', kernelTimeMs: 6 },
        { name: 'Add', kernelTimeMs: 1 },
        { name: 'MatMul', kernelTimeMs: 2 },
        { name: 'Softmax', kernelTimeMs: { error: 'no timer' } },
        { name: 'Add', kernelTimeMs: 1 },
      ],
      2,
    );
    expect(total).toBe(10);
    expect(rows).toEqual([
      { kernel: 'MatMul', calls: 2, ms: 8, share: 0.8 },
      { kernel: 'Add', calls: 2, ms: 2, share: 0.2 },
    ]);
  });
});
