import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../../../src/ui/store';
import type { ModelSummary } from '../../../src/worker/protocol';

const model = (parameters: number): ModelSummary => ({
  name: 'org/model', source: 'hub', family: 'BERT', architecture: 'BertModel', parameters, hiddenSize: 8, layers: 1, heads: 1, vocabSize: 10,
  maxLength: 16, maxPositions: 16, pooling: 'mean', normalize: false, suggestedOptions: null, suggestedValidationFraction: null,
  prompts: { query: '', document: '' }, promptSource: 'none', includePrompt: true, weightsFile: 'model.safetensors', tokenizerFrom: 'tokenizer.json',
});
const NONE = { query: '', document: '' };

describe('the settings form starts at the learning rate for the model size (uniem rule)', () => {
  it('1e-4 up to 80M parameters, 5e-5 up to 200M, 8e-6 above', () => {
    const store = createStudioStore();
    for (const [parameters, lr] of [[22_700_000, 1e-4], [80_000_000, 1e-4], [80_000_001, 5e-5], [200_000_001, 8e-6]] as const) {
      store.getState().modelLoaded(model(parameters));
      store.getState().modelDefaults(16, null, NONE);
      expect(store.getState().settings.learningRate, String(parameters)).toBe(lr);
    }
  });

  it('a model suggestion (the demo model) still wins, and no model keeps the form default', () => {
    const store = createStudioStore();
    store.getState().modelLoaded(model(22_700_000));
    store.getState().modelDefaults(16, { learningRate: 4e-3 }, NONE);
    expect(store.getState().settings.learningRate).toBe(4e-3);
    const bare = createStudioStore();
    bare.getState().modelDefaults(16, null, NONE);
    expect(bare.getState().settings.learningRate).toBe(2e-5);
  });

  it('the user can override it', () => {
    const store = createStudioStore();
    store.getState().modelLoaded(model(22_700_000));
    store.getState().modelDefaults(16, null, NONE);
    store.getState().settingsChanged({ learningRate: 3e-5 });
    expect(store.getState().settings.learningRate).toBe(3e-5);
  });
});
