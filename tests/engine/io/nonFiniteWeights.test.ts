/**
 * A model whose weights hold NaN or ±Infinity is refused when it loads, naming the file, the tensor and how many
 * values (it used to embed every text as [null, …] and train into a NaN model, both with exit 0). The same check
 * guards the weights about to be saved.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bert } from '../../../src/engine/architectures/bert';
import type { BertConfig } from '../../../src/engine/architectures/bert/config';
import { selectWeights } from '../../../src/engine/io/weights';
import { loadModelFolder } from '../../../src/engine/io/modelFolder';
import { sourceFromDirectory } from '../../../src/engine/io/modelFolderNode';
import { countNonFinite } from '../../../src/engine/model/finite';
import { tempDir } from '../../cli/run';
import { poisonedTinyBert } from '../../helpers/poisonedModel';
import { loadTinyBert } from '../../helpers/tinyBert';

const tmp = tempDir('es-nonfinite-');
afterAll(() => tmp.cleanup());

describe('non-finite weights', () => {
  it('countNonFinite counts NaN and ±Infinity, not large finite values', () => {
    expect(countNonFinite(Float32Array.from([1, NaN, 3e38, -Infinity, 0, Infinity]))).toEqual({ count: 3, first: 1 });
    expect(countNonFinite(Float32Array.from([1, -3e38, 0]))).toEqual({ count: 0, first: -1 });
  });

  it('a model with NaN in a tensor is refused when it loads, naming the file, the tensor and the count', async () => {
    const dir = poisonedTinyBert(join(tmp.dir, 'nan'), 'encoder.layer.0.attention.self.query.weight', [NaN, NaN]);
    const name = (await loadTinyBert()).weights.get('encoder.layer.0.attention.self.query.weight')?.data.length ?? 0;
    await expect(loadModelFolder(sourceFromDirectory(dir))).rejects.toThrow(
      `model.safetensors: tensor 'encoder.layer.0.attention.self.query.weight' holds 2 NaN or infinite value(s) of ${name.toLocaleString('en-US')} ` +
        '(the first at index 3); such a model embeds texts as NaN. Download the model again, or use an intact copy of it.',
    );
  });

  it('Infinity counts too, and the weights to save are checked the same way', async () => {
    const files = await loadTinyBert();
    const weights = new Map([...files.weights].map(([n, t]) => [n, { shape: t.shape, data: t.data.slice() }]));
    (weights.get('embeddings.LayerNorm.bias') as { data: Float32Array }).data[5] = -Infinity;
    expect(() => selectWeights(weights, bert, files.config as BertConfig, 'the weights to save')).toThrow(
      /^the weights to save: tensor 'embeddings\.LayerNorm\.bias' holds 1 NaN or infinite value\(s\) of \d+ \(the first at index 5\)/,
    );
  });
});
