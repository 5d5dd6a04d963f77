import { describe, expect, it } from 'vitest';
import { advancedChanges, advancedProblems, advancedSummary, invalidNote } from '../../src/ui/advancedSettings';
import { createStudioStore } from '../../src/ui/store';
import { DEFAULT_SETTINGS, modelDefaultSettings, settingsProblems } from '../../src/ui/store/settingsSlice';
import { DEMO_TRAINING } from '../../src/engine/demo';
import type { ModelSummary } from '../../src/worker/protocol';

const model = (over: Partial<ModelSummary> = {}): ModelSummary => ({
  name: 'org/model', source: 'hub', family: 'BERT', architecture: 'BertModel', parameters: 22_700_000, hiddenSize: 8, layers: 4, heads: 1, vocabSize: 10,
  maxLength: 64, maxPositions: 128, pooling: 'mean', normalize: false, suggestedOptions: null, suggestedValidationFraction: null,
  prompts: { query: '', document: '' }, promptSource: 'none', includePrompt: true, weightsFile: 'model.safetensors', tokenizerFrom: 'tokenizer.json',
  ...over,
});

/** A store with `m` loaded the way the bridge loads it: the summary, then its defaults in the form. */
function loaded(m: ModelSummary) {
  const store = createStudioStore();
  store.getState().modelLoaded(m);
  store.getState().modelDefaults(m.maxLength, m.suggestedOptions, m.prompts);
  return store;
}

describe('Advanced settings: what changed from the model defaults', () => {
  it('nothing, right after a model loads: not the demo model’s dropout off, not an e5 model’s prompts', () => {
    for (const [m, fromBare] of [
      [model({ name: 'demo', suggestedOptions: DEMO_TRAINING }), ['dropout']],
      [model({ name: 'e5', prompts: { query: 'query: ', document: 'passage: ' }, promptSource: 'suggested' }), ['queryPrompt', 'documentPrompt']],
      [model(), []],
    ] as const) {
      const s = loaded(m).getState();
      // The form does differ from the bare defaults; the count is from the model's.
      expect(advancedChanges(s.settings, DEFAULT_SETTINGS), m.name).toEqual(fromBare);
      expect(advancedChanges(s.settings, modelDefaultSettings(s.model.summary, s.mapping.recordType)), m.name).toEqual([]);
    }
  });

  it('counts each expert field the user edits, and not the everyday ones', () => {
    const m = model({ name: 'demo', suggestedOptions: DEMO_TRAINING });
    const store = loaded(m);
    const defaults = modelDefaultSettings(m, 'pair');
    store.getState().settingsChanged({ epochs: 3, batchSize: 64, learningRate: 1e-4, maxLength: 32, evaluations: 4 });
    expect(advancedChanges(store.getState().settings, defaults)).toEqual([]);
    store.getState().settingsChanged({ seed: 7, dropout: 0.1, queryPrompt: 'q: ' });
    expect(advancedChanges(store.getState().settings, defaults)).toEqual(['dropout', 'seed', 'queryPrompt']);
    store.getState().settingsChanged({ seed: defaults.seed });
    expect(advancedChanges(store.getState().settings, defaults)).toEqual(['dropout', 'queryPrompt']);
  });

  it('counts the frozen layers only while the strategy freezes layers', () => {
    const withK = { ...DEFAULT_SETTINGS, freezeLayers: 2 };
    expect(advancedChanges(withK, DEFAULT_SETTINGS)).toEqual([]);
    expect(advancedChanges({ ...withK, strategy: 'freeze_layers' }, DEFAULT_SETTINGS)).toEqual(['strategy', 'freezeLayers']);
  });

  it('finds the invalid expert fields, not the everyday ones', () => {
    const settings = { ...DEFAULT_SETTINGS, warmupRatio: 2, matryoshkaDims: 'x', epochs: 0 };
    const problems = settingsProblems(settings, 512, 384);
    expect(problems.epochs).toBeDefined();
    expect(advancedProblems(settings, problems)).toEqual(['warmupRatio', 'matryoshkaDims']);
    expect(advancedProblems(DEFAULT_SETTINGS, settingsProblems(DEFAULT_SETTINGS, 512, 384))).toEqual([]);
  });
});

describe('Advanced settings summary', () => {
  it('names the section, then how many changed when any; the invalid count apart (shown in red) when any', () => {
    expect(advancedSummary(0)).toBe('Advanced settings');
    expect(advancedSummary(1)).toBe('Advanced settings · 1 changed');
    expect(advancedSummary(3)).toBe('Advanced settings · 3 changed');
    expect(invalidNote(0)).toBeNull();
    expect(invalidNote(2)).toBe('2 invalid');
  });
});
