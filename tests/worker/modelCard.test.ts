import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import { modelCard, type ModelCardData } from '../../src/worker/modelCard';

const data: ModelCardData = {
  modelName: 'minilm-support',
  baseModel: 'sentence-transformers/all-MiniLM-L6-v2',
  baseIsHub: true,
  datasetName: 'support.jsonl',
  trainCount: 900,
  validationCount: 100,
  recordType: 'pair',
  loss: 'mnrl',
  options: { ...DEFAULT_TRAINING_OPTIONS, batchSize: 16, learningRate: 3e-5 },
  maxLength: 128,
  pooling: 'mean',
  normalize: true,
  hiddenSize: 384,
  steps: 57,
  elapsedMs: 61_000,
  before: { 'cosine_ndcg@10': 0.5, 'cosine_mrr@10': 0.4 },
  after: { 'cosine_ndcg@10': 0.75, 'cosine_mrr@10': 0.6 },
  primaryMetric: 'cosine_ndcg@10',
  lossCurve: [{ step: 1, loss: 2.5 }, { step: 2, loss: 2.25 }],
  onnx: false,
};

describe('modelCard', () => {
  const card = modelCard(data);

  it('has sentence-transformers front matter with the base model', () => {
    expect(card.startsWith('---\nbase_model: "sentence-transformers/all-MiniLM-L6-v2"\nlibrary_name: sentence-transformers\n')).toBe(true);
    expect(card).toContain('pipeline_tag: sentence-similarity');
  });

  it('states dataset, loss with its parameters and hyperparameters', () => {
    expect(card).toContain('900 training records, 100 validation records');
    expect(card).toContain('`MultipleNegativesRankingLoss`');
    expect(card).toContain('scale=20');
    expect(card).toContain('- per_device_train_batch_size: 16');
    expect(card).toContain('- learning_rate: 0.00003');
    expect(card).toContain('- warmup: 0.1 of the steps');
  });

  it('tabulates before/after with the difference, primary metric in bold', () => {
    expect(card).toContain('| **cosine_ndcg@10** | 0.5000 | 0.7500 | +0.2500 |');
    expect(card).toContain('| cosine_mrr@10 | 0.4000 | 0.6000 | +0.2000 |');
  });

  it('has usage snippets and the loss curve as data', () => {
    expect(card).toContain('SentenceTransformer("path/to/minilm-support")');
    expect(card).toContain('step,loss\n1,2.500000\n2,2.250000\n```');
  });

  it('shows the transformers.js pipeline only when the folder holds onnx/model.onnx', () => {
    const withOnnx = modelCard({ ...data, onnx: true });
    expect(withOnnx).toContain('`onnx/model.onnx` is the fine-tuned encoder in ONNX');
    expect(withOnnx).toContain("await pipeline('feature-extraction', 'path/to/minilm-support');");
    expect(withOnnx).toContain("{ pooling: 'mean', normalize: true }");
    const cls = modelCard({ ...data, onnx: true, pooling: 'cls', normalize: false });
    expect(cls).toContain("{ pooling: 'cls', normalize: false }");
    const max = modelCard({ ...data, onnx: true, pooling: 'max' });
    expect(max).toContain("pooling: 'none'");
    expect(max).toContain('pools with `max`, which the pipeline does not offer');
    expect(card).not.toContain("pipeline('feature-extraction'");
    expect(card).toContain('This export has no ONNX model. Export again from Embedding Studio with "Include ONNX model for transformers.js" ticked');
  });

  it('omits base_model for a local model and says when nothing was evaluated', () => {
    const local = modelCard({ ...data, baseIsHub: false, baseModel: 'my-folder', before: null, after: null });
    expect(local).not.toContain('base_model:');
    expect(local).toContain('_Not evaluated._');
  });

  it('names the prompts and encodes queries and documents with their prompt names when the model has prompts', () => {
    const card = modelCard({ ...data, prompts: { named: { query: 'query: ', passage: 'passage: ' }, queryName: 'query', documentName: 'passage', defaultPromptName: null } });
    expect(card).toContain('- **Prompts:** `query`: `query: `, `passage`: `passage: `');
    expect(card).toContain('query_embeddings = model.encode(["How is the weather today?"], prompt_name="query")');
    expect(card).toContain('document_embeddings = model.encode(sentences, prompt_name="passage")');
    expect(modelCard(data)).not.toContain('prompt_name');
  });
});

