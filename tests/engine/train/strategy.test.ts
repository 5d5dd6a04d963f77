import { describe, expect, it } from 'vitest';
import { bertLayerOf } from '../../../src/engine/architectures/bert';
import type { BertConfig } from '../../../src/engine/architectures/bert/config';
import { trainableParamNames } from '../../../src/engine/train/strategy';

/** BERT's rule for a 12-layer model. */
const layerOf = (name: string) => bertLayerOf(name, { numHiddenLayers: 12 } as BertConfig);

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
    expect(trainableParamNames(NAMES, { kind: 'full', freezeEmbeddings: false, freezeLayers: 0 }, layerOf)).toEqual(NAMES);
  });

  it('trains only biases under BitFit, LayerNorm biases included', () => {
    expect(trainableParamNames(NAMES, { kind: 'bitfit', freezeEmbeddings: false, freezeLayers: 0 }, layerOf)).toEqual([
      'embeddings.LayerNorm.bias',
      'encoder.layer.0.attention.self.query.bias',
      'encoder.layer.1.output.LayerNorm.bias',
      'encoder.layer.10.output.dense.bias',
    ]);
  });

  it('freezes the embeddings and the first K layers, telling layer 1 from layer 10', () => {
    expect(trainableParamNames(NAMES, { kind: 'full', freezeEmbeddings: true, freezeLayers: 2 }, layerOf)).toEqual([
      'encoder.layer.10.output.dense.bias',
    ]);
    expect(trainableParamNames(NAMES, { kind: 'full', freezeEmbeddings: false, freezeLayers: 1 }, layerOf)).toEqual([
      ...NAMES.slice(0, 3),
      'encoder.layer.1.output.dense.weight',
      'encoder.layer.1.output.LayerNorm.bias',
      'encoder.layer.10.output.dense.bias',
    ]);
  });
});
