/**
 * The model card's Hub metadata: front matter keys as sentence-transformers writes them, hostile user values kept
 * inside their YAML scalars, widget examples from validation records, the base model's license, the training log
 * and the loss citations.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import type { MappedDataset } from '../../src/engine/records';
import { checkLicense, frontMatter, licenseFromReadme, metricDisplayName, widgetExamples, withLicense, yamlString, type CardMetadata } from '../../src/worker/cardMetadata';
import { modelCard, type ModelCardData } from '../../src/worker/modelCard';

/** User texts that would break naive YAML: quotes, newlines, a document marker, colons, comments, odd line breaks. */
const HOSTILE_TEXTS = [
  'say "hi" and \'bye\'',
  'line one\nline two',
  '---',
  'a\n---\nlicense: evil',
  'key: value',
  '# not a comment',
  '- not a list',
  '{"json": true}',
  'tab\there\r\nCRLF',
  'next\u0085line\u2028sep\u2029par',
  '\\ backslash \\n',
];

const meta: CardMetadata = {
  baseModel: 'sentence-transformers/all-MiniLM-L6-v2',
  hubDataset: 'sentence-transformers/natural-questions',
  license: 'apache-2.0',
  lossClasses: ['MatryoshkaLoss', 'MultipleNegativesRankingLoss'],
  trainCount: 900,
  widget: [{ source_sentence: 'how tall is everest', sentences: ['Everest is 8,849 m high.', 'Paris is in France.'] }],
  modelName: 'm',
  metrics: { 'cosine_ndcg@10': 0.75, cosine_accuracy: 0.5 },
  evaluationName: 'validation',
};

describe('frontMatter', () => {
  const yaml = frontMatter(meta).join('\n');

  it('writes the keys the Hub and sentence-transformers use', () => {
    expect(yaml).toBe(
      [
        '---',
        'base_model: "sentence-transformers/all-MiniLM-L6-v2"',
        'library_name: sentence-transformers',
        'pipeline_tag: sentence-similarity',
        'license: "apache-2.0"',
        'datasets:',
        '- "sentence-transformers/natural-questions"',
        'tags:',
        '- sentence-transformers',
        '- sentence-similarity',
        '- feature-extraction',
        '- generated_from_trainer',
        '- dataset_size:900',
        '- "loss:MatryoshkaLoss"',
        '- "loss:MultipleNegativesRankingLoss"',
        '- embedding-studio',
        'widget:',
        '- source_sentence: "how tall is everest"',
        '  sentences:',
        '  - "Everest is 8,849 m high."',
        '  - "Paris is in France."',
        'metrics:',
        '- "cosine_ndcg@10"',
        '- "cosine_accuracy"',
        'model-index:',
        '- name: "SentenceTransformer based on sentence-transformers/all-MiniLM-L6-v2"',
        '  results:',
        '  - task:',
        '      type: sentence-similarity',
        '      name: Sentence Similarity',
        '    dataset:',
        '      name: "validation"',
        '      type: "validation"',
        '    metrics:',
        '    - type: "cosine_ndcg@10"',
        '      value: 0.75',
        '      name: "Cosine Ndcg@10"',
        '    - type: "cosine_accuracy"',
        '      value: 0.5',
        '      name: "Cosine Accuracy"',
        '---',
      ].join('\n'),
    );
  });

  it('omits datasets, license, widget and model-index when there are none', () => {
    const bare = frontMatter({ ...meta, hubDataset: null, license: null, widget: [], metrics: null }).join('\n');
    for (const key of ['datasets:', 'license:', 'widget:', 'model-index:', 'metrics:']) expect(bare).not.toContain(key);
  });

  it.each(HOSTILE_TEXTS)('keeps a hostile value inside its scalar: %j', (text) => {
    const lines = frontMatter({ ...meta, baseModel: text, hubDataset: text, widget: [{ source_sentence: text, sentences: [text] }] });
    // Still one block: only the first and last lines are '---', and no line starts a new key with the value.
    expect(lines.filter((l) => l === '---')).toEqual(['---', '---']);
    expect(lines[0]).toBe('---');
    expect(lines.at(-1)).toBe('---');
    for (const line of lines) expect(line).not.toMatch(/[\n\r\u0085\u2028\u2029]/);
    const scalar = (prefix: string) => JSON.parse(lines.find((l) => l.startsWith(prefix))!.slice(prefix.length)) as string;
    expect(scalar('base_model: ')).toBe(text);
    expect(scalar('- source_sentence: ')).toBe(text);
    expect(lines.filter((l) => l.startsWith('source_sentence') || l.startsWith('sentences:'))).toEqual([]);
  });
});

describe('yamlString', () => {
  it('escapes the line breaks YAML knows beyond JSON', () => {
    expect(yamlString('a\u2028b\u0085c')).toBe('"a\\u2028b\\u0085c"');
    expect(yamlString('say "hi"\n---\nkey: v')).toBe('"say \\"hi\\"\\n---\\nkey: v"');
  });
});

describe('widgetExamples', () => {
  it('takes each anchor with its positive first and other texts after, up to three', () => {
    const ds = {
      type: 'pair',
      records: [
        { text: 'q1', text_pos: 'p1' },
        { text: 'q2', text_pos: 'p2' },
        { text: 'q3', text_pos: 'p3' },
      ],
    } as unknown as MappedDataset;
    const w = widgetExamples(ds, 2);
    expect(w).toHaveLength(2);
    expect(w[0].source_sentence).toBe('q1');
    expect(w[0].sentences[0]).toBe('p1');
    expect(w[0].sentences).toHaveLength(3);
    expect(w[0].sentences).not.toContain('q1');
    expect(new Set(w[0].sentences).size).toBe(3);
    expect(w[1]).toMatchObject({ source_sentence: 'q2', sentences: expect.arrayContaining(['p2']) });
  });

  it('reads scored pairs by sentence1 / sentence2', () => {
    const ds = { type: 'scored_pair', records: [{ sentence1: 'a', sentence2: 'b', label: 1 }] } as unknown as MappedDataset;
    expect(widgetExamples(ds)).toEqual([{ source_sentence: 'a', sentences: ['b'] }]);
  });
});

describe('licenses', () => {
  it('reads the base model card license, plain or quoted', () => {
    expect(licenseFromReadme('---\nlanguage: en\nlicense: apache-2.0\ntags:\n- x\n---\n# M')).toBe('apache-2.0');
    expect(licenseFromReadme("---\nlicense: 'mit'\n---\n")).toBe('mit');
    expect(licenseFromReadme('# no front matter\nlicense: mit')).toBeNull();
    expect(licenseFromReadme('---\nlicense: "a b: c"\n---\n')).toBeNull();
    expect(licenseFromReadme(null)).toBeNull();
  });

  it('checks and sets a license in a card', () => {
    expect(checkLicense(' MIT ')).toBe('mit');
    expect(checkLicense('mit\nfoo: bar')).toBeNull();
    expect(withLicense('---\nlicense: mit\ntags: []\n---\n# M\n', 'apache-2.0')).toBe('---\nlicense: apache-2.0\ntags: []\n---\n# M\n');
    expect(withLicense('---\ntags: []\n---\n# M\n', 'mit')).toBe('---\ntags: []\nlicense: mit\n---\n# M\n');
    expect(withLicense('# M\n', 'mit')).toBe('---\nlicense: mit\n---\n# M\n');
  });

  it('names metrics as sentence-transformers does', () => {
    expect(metricDisplayName('cosine_ndcg@10')).toBe('Cosine Ndcg@10');
    expect(metricDisplayName('spearman_cosine')).toBe('Spearman Cosine');
  });
});

describe('modelCard with metadata', () => {
  const data: ModelCardData = {
    modelName: 'm',
    baseModel: 'org/base',
    baseIsHub: true,
    datasetName: 'd.jsonl',
    trainCount: 10,
    validationCount: 4,
    recordType: 'pair',
    loss: 'cosent',
    options: { ...DEFAULT_TRAINING_OPTIONS },
    maxLength: 64,
    pooling: 'mean',
    normalize: false,
    hiddenSize: 32,
    steps: 3,
    elapsedMs: 1000,
    before: null,
    after: { spearman_cosine: 0.8 },
    primaryMetric: 'spearman_cosine',
    lossCurve: [
      { step: 1, loss: 3 },
      { step: 2, loss: 2 },
      { step: 3, loss: 1 },
    ],
    onnx: false,
    license: 'mit',
    evals: [{ step: 2, epoch: 0.5, metric: 'spearman_cosine', value: 0.7 }],
    stepEpochs: [
      { step: 1, epoch: 0.25 },
      { step: 2, epoch: 0.5 },
      { step: 3, epoch: 0.75 },
    ],
    versions: { studio: '0.1.0', tfjs: '4.22.0' },
  };
  const card = modelCard(data);

  it('has the training log, versions and the loss BibTeX', () => {
    expect(card).toContain(['| Epoch | Step | Training Loss | spearman_cosine |', '|:--|--:|--:|--:|', '| 0.25 | 1 | 3.0000 | – |', '| 0.5 | 2 | 2.0000 | 0.7000 |', '| 0.75 | 3 | 1.0000 | – |'].join('\n'));
    expect(card).toContain('- Embedding Studio: 0.1.0\n- TensorFlow.js: 4.22.0');
    expect(card).toContain('#### CoSENTLoss');
    expect(card).toContain('url={https://kexue.fm/archives/8847}');
    expect(card).toContain('@inproceedings{reimers-2019-sentence-bert');
    expect(card).toContain('license: "mit"');
    expect(card).toContain('- "loss:CoSENTLoss"');
  });
});
