import { describe, expect, it } from 'vitest';
import { NO_SHAPE } from '../../../src/engine/data/shapeFacts';
import { createStudioStore } from '../../../src/ui/store';
import { currentPlan, DEFAULT_SETTINGS, optionsToSettings, planKey, settingsProblems, settingsToOptions } from '../../../src/ui/store/settingsSlice';
import type { DatasetSummary, MappingSummary, StepPoint } from '../../../src/worker/protocol';

const dataset: DatasetSummary = {
  role: 'train', fileName: 'a.csv', sizeBytes: 10, format: 'csv', rowCount: 3, columns: ['a', 'b'], preview: [['x', 'y']],
  problems: [], problemCount: 0, hub: null, renames: {}, detected: { recordType: 'pair', mapping: { text: 'a', text_pos: 'b' }, note: null },
};
const point = (step: number): StepPoint => ({ step, epoch: 0, loss: 1 / step, lr: 1e-3, examplesPerSec: 10, elapsedMs: step * 100 });

describe('dataset slice', () => {
  it('goes loading → ready, and an error replaces the previous file', () => {
    const store = createStudioStore();
    store.getState().datasetLoading('train');
    expect(store.getState().dataset.status).toBe('loading');
    store.getState().datasetProgress('train', { done: 5, total: 10, label: 'a.csv', unit: 'bytes' });
    expect(store.getState().dataset.progress?.done).toBe(5);
    store.getState().datasetLoaded(dataset);
    expect(store.getState().dataset).toMatchObject({ status: 'ready', summary: dataset, progress: null });
    store.getState().datasetFailed('train', 'bad.csv: line 2 is broken');
    expect(store.getState().dataset).toMatchObject({ status: 'error', summary: null, error: 'bad.csv: line 2 is broken' });
    expect(store.getState().validationFile.status).toBe('idle');
  });
});

describe('mapping slice', () => {
  it('keeps the applied summary and the split', () => {
    const store = createStudioStore();
    const summary: MappingSummary = {
      recordType: 'scored_pair', mapping: { sentence1: 'a', sentence2: 'b', label: 'c' }, kept: 9, skipped: 1, skippedRows: [{ row: 4, reason: 'empty' }],
      duplicates: 0, labelScale: { min: 0, max: 5, normalisedFrom: '0..5' }, trainCount: 8, validationCount: 1, split: { kind: 'fraction', fraction: 0.2, seed: 1 }, shape: NO_SHAPE,
    };
    store.getState().mappingChosen('scored_pair', summary.mapping, summary.split);
    expect(store.getState().mapping.status).toBe('applying');
    store.getState().mappingApplied(summary);
    expect(store.getState().mapping).toMatchObject({ status: 'ready', recordType: 'scored_pair', split: { fraction: 0.2 } });
    store.getState().mappingFailed('no label column');
    expect(store.getState().mapping).toMatchObject({ status: 'error', summary: null, error: 'no label column' });
  });
});

describe('settings slice', () => {
  it('follows the record type until the user picks a loss', () => {
    const store = createStudioStore();
    store.getState().recordTypeChanged('scored_pair');
    expect(store.getState().settings.loss).toBe('cosent');
    store.getState().settingsChanged({ loss: 'cosine' });
    store.getState().recordTypeChanged('scored_pair');
    expect(store.getState().settings.loss).toBe('cosine');
  });

  it('takes a model suggestion, and the pretrained default otherwise', () => {
    const store = createStudioStore();
    store.getState().modelDefaults(32, { learningRate: 1e-3, batchSize: 16, length: { kind: 'epochs', epochs: 2 }, dropout: 0 }, { query: 'query: ', document: 'passage: ' });
    expect(store.getState().settings).toMatchObject({ maxLength: 32, learningRate: 1e-3, batchSize: 16, epochs: 2, dropout: 0, queryPrompt: 'query: ', documentPrompt: 'passage: ' });
    expect(settingsToOptions(store.getState().settings, 100).dropout).toBe(0);
    store.getState().modelDefaults(256, null, { query: '', document: '' });
    expect(store.getState().settings).toMatchObject({ maxLength: 256, learningRate: 2e-5, dropout: 'config', queryPrompt: '' });
  });

  it('keeps a loss the records need when the model suggests one for other records', () => {
    const store = createStudioStore();
    store.getState().mappingChosen('scored_pair', { sentence1: 'a', sentence2: 'b', label: 'c' }, { kind: 'fraction', fraction: 0.1, seed: 42 });
    store.getState().recordTypeChanged('scored_pair');
    store.getState().modelDefaults(32, { loss: 'mnrl', learningRate: 4e-3 }, { query: '', document: '' });
    expect(store.getState().settings).toMatchObject({ loss: 'cosent', learningRate: 4e-3 });
    store.getState().settingsChanged({ loss: 'cosine' });
    store.getState().recordTypeChanged('pair');
    expect(store.getState().settings.loss).toBe('mnrl');
  });

  it('shows the saved run after a reload, and checkpoints every ~10% of a run', () => {
    const s = { ...DEFAULT_SETTINGS, maxSteps: 40, batchSize: 16, miniBatchSize: 8, strategy: 'bitfit' as const, evaluations: 4, seed: 7 };
    const o = settingsToOptions(s, 40);
    expect(o.checkpointEverySteps).toBe(4);
    expect(o.miniBatchSize).toBe(8);
    expect(settingsToOptions({ ...s, maxSteps: 1000 }, 1000).checkpointEverySteps).toBe(20);
    expect(optionsToSettings(o, 64, 40)).toEqual({ ...s, maxLength: 64 });
    expect(optionsToSettings(o, 64, 0).evaluations).toBe(DEFAULT_SETTINGS.evaluations);
  });

  it("holds the engine's plan only for the settings and the mapping it was asked for", () => {
    const store = createStudioStore();
    const summary: MappingSummary = {
      recordType: 'pair', mapping: { text: 'a', text_pos: 'b' }, kept: 20, skipped: 0, skippedRows: [], duplicates: 0, labelScale: null,
      trainCount: 18, validationCount: 2, split: { kind: 'fraction', fraction: 0.1, seed: 42 }, shape: NO_SHAPE,
    };
    store.getState().mappingApplied(summary);
    const plan = { totalSteps: 7, stepsPerEpoch: 7, epochs: 1, warmupSteps: 1, schedule: { kind: 'linear' as const, peakLr: 2e-5, warmupSteps: 1, totalSteps: 7 }, checkpointEverySteps: 1 };
    store.getState().planReceived({ key: planKey(store.getState().settings), mapping: summary, plan });
    expect(currentPlan(store.getState())).toBe(plan);
    store.getState().settingsChanged({ queryPrompt: 'query: ', maxLength: 64 }); // they do not shape the run's length
    expect(currentPlan(store.getState())).toBe(plan);
    store.getState().settingsChanged({ gradAccumSteps: 2 });
    expect(currentPlan(store.getState())).toBeNull();
    store.getState().settingsChanged({ gradAccumSteps: 1 });
    expect(currentPlan(store.getState())).toBe(plan);
    store.getState().mappingApplied({ ...summary });
    expect(currentPlan(store.getState())).toBeNull();
  });

  it('converts to TrainingOptions', () => {
    const s = { ...DEFAULT_SETTINGS, batchSize: 16, epochs: 2, strategy: 'freeze_layers' as const, freezeLayers: 3, evaluations: 4 };
    const o = settingsToOptions(s, 56);
    expect(o.length).toEqual({ kind: 'epochs', epochs: 2 });
    expect(o.strategy).toEqual({ kind: 'full', freezeEmbeddings: false, freezeLayers: 3 });
    expect(o.evalEverySteps).toBe(14);
    expect(settingsToOptions({ ...s, maxSteps: 10 }, 10).length).toEqual({ kind: 'steps', steps: 10 });
    expect(settingsToOptions({ ...s, strategy: 'bitfit' }, 442).strategy.kind).toBe('bitfit');
    expect(o.miniBatchSize).toBe(0);
    expect(settingsToOptions({ ...s, miniBatchSize: 16 }, 442)).toMatchObject({ batchSize: 16, miniBatchSize: 16 });
  });

  it('starts with GradCache off and accepts only a whole number ≥ 0 as its mini-batch', () => {
    const store = createStudioStore();
    expect(store.getState().settings.miniBatchSize).toBe(0);
    expect(settingsProblems(store.getState().settings)).toEqual({});
    store.getState().settingsChanged({ miniBatchSize: 24 });
    expect(store.getState().settings.miniBatchSize).toBe(24);
    expect(settingsProblems(store.getState().settings)).toEqual({});
    const range = 'must be a whole number ≥ 0 and ≤ 65536 (typical: 32, or 0 for off)';
    expect(settingsProblems({ ...DEFAULT_SETTINGS, miniBatchSize: -1 })).toEqual({ miniBatchSize: `Mini-batch size ${range}, not -1.` });
    expect(settingsProblems({ ...DEFAULT_SETTINGS, miniBatchSize: 2.5 })).toEqual({ miniBatchSize: `Mini-batch size ${range}, not 2.5.` });
    expect(Object.keys(settingsProblems({ ...DEFAULT_SETTINGS, miniBatchSize: Number.NaN }))).toEqual(['miniBatchSize']);
  });

  it("checks every field as it is typed with the engine's validators, each problem on its own field", () => {
    expect(settingsProblems(DEFAULT_SETTINGS, 512)).toEqual({});
    const problems = settingsProblems(
      { ...DEFAULT_SETTINGS, batchSize: 0, gradAccumSteps: 0, learningRate: 3, warmupRatio: 1.5, maxSteps: -1, seed: -1, maxLength: 600 },
      512,
    );
    expect(problems).toEqual({
      batchSize: 'Batch size must be a whole number ≥ 1 and ≤ 65536 (typical: 32), not 0.',
      gradAccumSteps: 'Gradient accumulation steps must be a whole number ≥ 1 and ≤ 10000 (typical: 1), not 0.',
      learningRate: 'Learning rate must be a number ≥ 0 and ≤ 1 (typical: 2e-5), not 3.',
      warmupRatio: 'Warmup ratio must be a number ≥ 0 and ≤ 1 (typical: 0.1), not 1.5.',
      maxSteps: 'Steps must be a whole number ≥ 1 and ≤ 10000000 (typical: 1000), not -1. Or 0 to run whole epochs.',
      seed: 'Seed must be a whole number ≥ 0 and ≤ 4294967295 (typical: 42), not -1.',
      maxLength: "The max length 600 does not fit this model: it takes 2 to 512 tokens (config.json's max_position_embeddings is 512). Choose a whole number in that range.",
    });
    // Whole epochs are checked when they are what runs; frozen layers with the strategy that freezes them.
    expect(Object.keys(settingsProblems({ ...DEFAULT_SETTINGS, epochs: 0 }))).toEqual(['epochs']);
    expect(settingsProblems({ ...DEFAULT_SETTINGS, epochs: 0, maxSteps: 10 })).toEqual({});
    expect(Object.keys(settingsProblems({ ...DEFAULT_SETTINGS, strategy: 'freeze_layers', freezeLayers: 1.5 }))).toEqual(['freezeLayers']);
    expect(settingsProblems({ ...DEFAULT_SETTINGS, strategy: 'full', freezeLayers: 1.5 })).toEqual({});
    // The max length needs a model to be checked against; its edges pass.
    expect(settingsProblems({ ...DEFAULT_SETTINGS, maxLength: 600 })).toEqual({});
    expect(settingsProblems({ ...DEFAULT_SETTINGS, maxLength: 512 }, 512)).toEqual({});
    expect(settingsProblems({ ...DEFAULT_SETTINGS, maxLength: 2 }, 512)).toEqual({});
    expect(Object.keys(settingsProblems({ ...DEFAULT_SETTINGS, maxLength: 1 }, 512))).toEqual(['maxLength']);
    expect(Object.keys(settingsProblems({ ...DEFAULT_SETTINGS, learningRate: 1, warmupRatio: 0, seed: 0, batchSize: 65_536 }, 512))).toEqual([]);
  });

  it('checks the prompts as the engine does, with the error on the field', () => {
    expect(settingsProblems({ ...DEFAULT_SETTINGS, queryPrompt: 'query: ', documentPrompt: 'passage: ' })).toEqual({});
    expect(settingsProblems({ ...DEFAULT_SETTINGS, queryPrompt: 'a\u0007b' })).toEqual({ queryPrompt: 'The query prompt holds a control character; a prompt must be plain text.' });
    expect(settingsProblems({ ...DEFAULT_SETTINGS, documentPrompt: 'x'.repeat(2001) }).documentPrompt).toMatch(/at most 2000/);
  });
});

describe('training slice', () => {
  it("appends step batches, filters history on resume, and takes the worker's word on whether a run can resume", () => {
    const store = createStudioStore();
    const t = () => store.getState().training;
    store.getState().trainingRequested(10);
    expect(t()).toMatchObject({ status: 'preparing', totalSteps: 10, steps: [] });
    store.getState().trainingStarted(10, 0);
    store.getState().stepsReceived([point(1), point(2)]);
    store.getState().stepsReceived([point(3)]);
    expect(t().steps.map((p) => p.step)).toEqual([1, 2, 3]);
    store.getState().checkpointSaved(2);
    store.getState().trainingResumable(true);
    store.getState().trainingFailed('The GPU ran out of memory', 'out_of_memory');
    expect(t()).toMatchObject({ status: 'error', resumable: true, checkpointStep: 2, errorCode: 'out_of_memory' });
    store.getState().trainingRequested(null);
    expect(t()).toMatchObject({ error: null, errorCode: null });
    store.getState().trainingStarted(10, 2);
    expect(t()).toMatchObject({ resumable: false });
    expect(t().steps.map((p) => p.step)).toEqual([1, 2]);
    store.getState().stepsReceived([point(3)]);
    store.getState().trainingResumable(false);
    store.getState().trainingFinished(false);
    expect(t()).toMatchObject({ status: 'done', resumable: false });
    // A refused Train click (settings the engine rejects) leaves the finished run as it was: not resumable.
    store.getState().trainingFailed('batch size must be …', 'bad_option');
    expect(t()).toMatchObject({ status: 'error', resumable: false });
  });

  it('restores a run from a reload', () => {
    const store = createStudioStore();
    store.getState().trainingRestored([point(1), point(2)], [], 10, 2, false, true);
    expect(store.getState().training).toMatchObject({ status: 'interrupted', resumable: true, totalSteps: 10 });
    store.getState().trainingRestored([point(1), point(2)], [], 10, 2, false, true, 'stopped');
    expect(store.getState().training).toMatchObject({ status: 'stopped', resumable: true, totalSteps: 10 });
  });
});

describe('evaluation and export slices', () => {
  it('stores base and trained results, and resets the trained one', () => {
    const store = createStudioStore();
    const e = () => store.getState().evaluation;
    store.getState().evaluationRequested();
    store.getState().evaluationReceived({ which: 'base', metrics: { ndcg: 0.1 }, primaryMetric: 'ndcg', primaryValue: 0.1 });
    store.getState().evaluationReceived({ which: 'trained', metrics: { ndcg: 0.5 }, primaryMetric: 'ndcg', primaryValue: 0.5 });
    store.getState().evaluationDone();
    expect(e()).toMatchObject({ status: 'ready', base: { primaryValue: 0.1 }, trained: { primaryValue: 0.5 } });
    store.getState().evaluationReset('trained');
    expect(e().trained).toBeNull();
    expect(e().base?.primaryValue).toBe(0.1);
  });

  it('keeps the last exported zip', () => {
    const store = createStudioStore();
    store.getState().exportRequested();
    store.getState().exportReady({ fileName: 'm.zip', url: 'blob:1', files: ['config.json'], sizeBytes: 3 });
    expect(store.getState().exporting).toMatchObject({ status: 'ready', last: { fileName: 'm.zip' } });
  });
});

describe('export slice', () => {
  it('keeps the ONNX option, and a new export clears the previous transformers.js check', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    expect(s().exporting.includeOnnx).toBe(true);
    s().includeOnnxChanged(false);
    expect(s().exporting.includeOnnx).toBe(false);
    s().onnxCheckRequested();
    s().onnxCheckProgress('loading transformers.js');
    expect(s().onnxCheck).toEqual({ status: 'running', stage: 'loading transformers.js', result: null, error: null });
    s().onnxCheckFailed('no backend');
    expect(s().onnxCheck).toEqual({ status: 'error', stage: null, result: null, error: 'no backend' });
    s().exportRequested();
    s().exportReady({ fileName: 'm.zip', url: 'blob:1', files: ['onnx/model.onnx'], sizeBytes: 3 });
    expect(s().exporting).toMatchObject({ status: 'ready', includeOnnx: false, last: { fileName: 'm.zip' } });
    expect(s().onnxCheck.status).toBe('idle');
    s().recipeRequested();
    s().recipeFailed('bad loss');
    expect(s().recipe).toEqual({ status: 'error', error: 'bad loss', last: null });
    s().recipeReady({ fileName: 'r.zip', url: 'blob:2', files: ['train.py'], sizeBytes: 4 });
    expect(s().recipe).toMatchObject({ status: 'ready', error: null, last: { fileName: 'r.zip' } });
  });
});
