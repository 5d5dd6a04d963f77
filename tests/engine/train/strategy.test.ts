import { describe, expect, it } from 'vitest';
import { trainableParamNames } from '../../../src/engine/train/strategy';

const NAMES = [
  'embeddings.word_embeddings.weight',
  'embeddings.LayerNorm.weight',
  'embeddings.LayerNorm.bias',
  'encoder.layer.0.attention.self.query.weight',
  'encoder.layer.0.attention.self.query.bias',
  'encoder.layer.1.output.dense.weight',
  'encoder.layer.1.output.LayerNorm.bias',
  'encoder.layer.10.output.dense.bias',
];

describe('trainableParamNames', () => {
  it('trains everything under full fine-tuning', () => {
    expect(trainableParamNames(NAMES, { kind: 'full', freezeEmbeddings: false, freezeLayers: 0 })).toEqual(NAMES);
  });

  it('trains only biases under BitFit, LayerNorm biases included', () => {
    expect(trainableParamNames(NAMES, { kind: 'bitfit', freezeEmbeddings: false, freezeLayers: 0 })).toEqual([
      'embeddings.LayerNorm.bias',
      'encoder.layer.0.attention.self.query.bias',
      'encoder.layer.1.output.LayerNorm.bias',
      'encoder.layer.10.output.dense.bias',
    ]);
  });

  it('freezes the embeddings and the first K layers, telling layer 1 from layer 10', () => {
    expect(trainableParamNames(NAMES, { kind: 'full', freezeEmbeddings: true, freezeLayers: 2 })).toEqual([
      'encoder.layer.10.output.dense.bias',
    ]);
    expect(trainableParamNames(NAMES, { kind: 'full', freezeEmbeddings: false, freezeLayers: 1 })).toEqual([
      ...NAMES.slice(0, 3),
      'encoder.layer.1.output.dense.weight',
      'encoder.layer.1.output.LayerNorm.bias',
      'encoder.layer.10.output.dense.bias',
    ]);
  });
});
