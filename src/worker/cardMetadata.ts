/**
 * The Hub metadata of a model card, as sentence-transformers' SentenceTransformerModelCardData writes it: the YAML
 * front matter (base_model, datasets, library_name, pipeline_tag, tags with dataset_size / loss:, license, widget
 * examples from the validation data, metrics and model-index with the evaluation results), the widget examples
 * themselves, the license read from a base model's README.md, and BibTeX citations for the losses.
 *
 * Every value that comes from the user (texts, dataset and model names, metric names) is written as a YAML
 * double-quoted scalar with JSON escapes plus the line breaks YAML knows beyond JSON's (U+0085, U+2028, U+2029),
 * so a quote, newline, `---`, `: ` or `#` in it can neither end the front matter nor add a key.
 */
import type { MappedDataset } from '../engine/records';

export interface WidgetExample {
  source_sentence: string;
  sentences: string[];
}

export interface CardMetadata {
  baseModel: string | null;
  /** A Hub dataset id when the data came from the Hub. */
  hubDataset: string | null;
  license: string | null;
  /** The loss classes, outermost first (e.g. MatryoshkaLoss, MultipleNegativesRankingLoss). */
  lossClasses: string[];
  trainCount: number;
  widget: WidgetExample[];
  modelName: string;
  /** The fine-tuned model's metrics; null when not evaluated. */
  metrics: Record<string, number> | null;
  /** What the metrics were measured on (the validation split's name). */
  evaluationName: string;
}

/** `s` as a YAML double-quoted scalar that holds exactly `s`. */
export function yamlString(s: string): string {
  return JSON.stringify(s).replace(/[\u0085\u2028\u2029\u0080-\u009f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A number as YAML reads it back (finite numbers only; others as null). */
function yamlNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : '.nan';
}

/** `Cosine Ndcg@10` from `cosine_ndcg@10`, as sentence-transformers names a metric. */
export function metricDisplayName(key: string): string {
  return key
    .split('_')
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

const MAX_WIDGET_TEXT = 500;
const cut = (s: string) => (s.length <= MAX_WIDGET_TEXT ? s : `${s.slice(0, MAX_WIDGET_TEXT - 1)}…`);

/** A record's anchor and its candidate texts (positive first), whatever the record type. */
function anchorAndCandidates(record: Record<string, unknown>): { anchor: string | null; candidates: string[] } {
  const str = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const anchor = str(record.text)[0] ?? str(record.sentence1)[0] ?? null;
  return { anchor, candidates: [...str(record.text_pos), ...str(record.sentence2), ...str(record.text_neg)] };
}

/**
 * Up to `count` widget examples from the validation records, as sentence-transformers writes them: a source
 * sentence and three sentences to compare it with (its own positive / negative first, then other records' texts).
 */
export function widgetExamples(dataset: MappedDataset, count = 5): WidgetExample[] {
  const rows = (dataset.records as readonly object[]).map((r) => anchorAndCandidates(r as Record<string, unknown>));
  const pool = rows.flatMap((r) => [...r.candidates, ...(r.anchor === null ? [] : [r.anchor])]);
  const out: WidgetExample[] = [];
  for (let i = 0; i < rows.length && out.length < count; i++) {
    const { anchor, candidates } = rows[i];
    if (anchor === null || anchor.trim() === '') continue;
    const sentences: string[] = [];
    for (const s of [...candidates, ...pool.slice((i + 1) * 2), ...pool]) {
      if (sentences.length === 3) break;
      if (s.trim() !== '' && s !== anchor && !sentences.includes(cut(s))) sentences.push(cut(s));
    }
    if (sentences.length > 0) out.push({ source_sentence: cut(anchor), sentences });
  }
  return out;
}

/** The `license:` of a README.md's YAML front matter (a plain or quoted scalar), or null. */
export function licenseFromReadme(readme: string | null): string | null {
  if (readme === null) return null;
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(readme);
  if (!m) return null;
  const line = /^license:[ \t]*(.+?)[ \t]*$/m.exec(m[1]);
  if (!line) return null;
  const raw = line[1].replace(/^(['"])(.*)\1$/, '$2').trim();
  return /^[\w.+-]{1,64}$/.test(raw) ? raw : null;
}

/** A license id as the front matter may hold it (Hub ids: apache-2.0, mit, cc-by-4.0, other…). */
export function checkLicense(license: string): string | null {
  const id = license.trim().toLowerCase();
  return /^[a-z0-9][\w.+-]{0,63}$/.test(id) ? id : null;
}

/** Sets (or adds) `license:` in the card's front matter; a card without front matter gets one. */
export function withLicense(readme: string, license: string): string {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(readme);
  if (!m) return `---\nlicense: ${license}\n---\n${readme}`;
  const body = /^license:.*$/m.test(m[1]) ? m[1].replace(/^license:.*$/m, `license: ${license}`) : `${m[1]}\nlicense: ${license}`;
  return `---\n${body}\n---\n${readme.slice(m[0].length)}`;
}

function widgetYaml(widget: readonly WidgetExample[]): string[] {
  if (widget.length === 0) return [];
  return ['widget:', ...widget.flatMap((w) => [`- source_sentence: ${yamlString(w.source_sentence)}`, '  sentences:', ...w.sentences.map((s) => `  - ${yamlString(s)}`)])];
}

function modelIndexYaml(meta: CardMetadata): string[] {
  const metrics = Object.entries(meta.metrics ?? {}).filter(([, v]) => Number.isFinite(v));
  if (metrics.length === 0) return [];
  const name = meta.baseModel ? `SentenceTransformer based on ${meta.baseModel}` : meta.modelName;
  return [
    'metrics:',
    ...metrics.map(([k]) => `- ${yamlString(k)}`),
    'model-index:',
    `- name: ${yamlString(name)}`,
    '  results:',
    '  - task:',
    '      type: sentence-similarity',
    '      name: Sentence Similarity',
    '    dataset:',
    `      name: ${yamlString(meta.evaluationName)}`,
    `      type: ${yamlString(meta.evaluationName)}`,
    '    metrics:',
    ...metrics.flatMap(([k, v]) => [`    - type: ${yamlString(k)}`, `      value: ${yamlNumber(v)}`, `      name: ${yamlString(metricDisplayName(k))}`]),
  ];
}

/** The card's YAML front matter, `---` lines included. */
export function frontMatter(meta: CardMetadata): string[] {
  return [
    '---',
    ...(meta.baseModel ? [`base_model: ${yamlString(meta.baseModel)}`] : []),
    'library_name: sentence-transformers',
    'pipeline_tag: sentence-similarity',
    ...(meta.license ? [`license: ${yamlString(meta.license)}`] : []),
    ...(meta.hubDataset ? ['datasets:', `- ${yamlString(meta.hubDataset)}`] : []),
    'tags:',
    '- sentence-transformers',
    '- sentence-similarity',
    '- feature-extraction',
    '- generated_from_trainer',
    `- dataset_size:${meta.trainCount}`,
    ...meta.lossClasses.map((c) => `- ${yamlString(`loss:${c}`)}`),
    '- embedding-studio',
    ...widgetYaml(meta.widget),
    ...modelIndexYaml(meta),
    '---',
  ];
}

const SBERT = `@inproceedings{reimers-2019-sentence-bert,
    title = "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks",
    author = "Reimers, Nils and Gurevych, Iryna",
    booktitle = "Proceedings of the 2019 Conference on Empirical Methods in Natural Language Processing",
    month = "11",
    year = "2019",
    publisher = "Association for Computational Linguistics",
    url = "https://arxiv.org/abs/1908.10084",
}`;

/** BibTeX of the losses, by sentence-transformers class name (the papers its loss classes cite). */
export const LOSS_BIBTEX: Readonly<Record<string, string>> = {
  MultipleNegativesRankingLoss: `@misc{henderson2017efficient,
    title={Efficient Natural Language Response Suggestion for Smart Reply},
    author={Matthew Henderson and Rami Al-Rfou and Brian Strope and Yun-hsuan Sung and Laszlo Lukacs and Ruiqi Guo and Sanjiv Kumar and Balint Miklos and Ray Kurzweil},
    year={2017},
    eprint={1705.00652},
    archivePrefix={arXiv},
    primaryClass={cs.CL}
}`,
  CoSENTLoss: `@online{kexuefm-8847,
    title={CoSENT: A more efficient sentence vector scheme than Sentence-BERT},
    author={Su Jianlin},
    year={2022},
    month={Jan},
    url={https://kexue.fm/archives/8847},
}`,
  AnglELoss: `@misc{li2023angleoptimized,
    title={AnglE-optimized Text Embeddings},
    author={Xianming Li and Jing Li},
    year={2023},
    eprint={2309.12871},
    archivePrefix={arXiv},
    primaryClass={cs.CL}
}`,
  GISTEmbedLoss: `@misc{solatorio2024gistembed,
    title={GISTEmbed: Guided In-sample Selection of Training Negatives for Text Embedding Fine-tuning},
    author={Aivin V. Solatorio},
    year={2024},
    eprint={2402.16829},
    archivePrefix={arXiv},
    primaryClass={cs.LG}
}`,
  MatryoshkaLoss: `@misc{kusupati2024matryoshka,
    title={Matryoshka Representation Learning},
    author={Aditya Kusupati and Gantavya Bhatt and Aniket Rege and Matthew Wallingford and Aditya Sinha and Vivek Ramanujan and William Howard-Snyder and Kaifeng Chen and Sham Kakade and Prateek Jain and Ali Farhadi},
    year={2024},
    eprint={2205.13147},
    archivePrefix={arXiv},
    primaryClass={cs.LG}
}`,
  TripletLoss: `@misc{hermans2017defense,
    title={In Defense of the Triplet Loss for Person Re-Identification},
    author={Alexander Hermans and Lucas Beyer and Bastian Leibe},
    year={2017},
    eprint={1703.07737},
    archivePrefix={arXiv},
    primaryClass={cs.CV}
}`,
  MarginMSELoss: `@misc{hofstätter2021improving,
    title={Improving Efficient Neural Ranking Models with Cross-Architecture Knowledge Distillation},
    author={Sebastian Hofstätter and Sophia Althammer and Michael Schröder and Mete Sertkan and Allan Hanbury},
    year={2021},
    eprint={2010.02666},
    archivePrefix={arXiv},
    primaryClass={cs.IR}
}`,
};

/**
 * The citation section: Sentence-BERT, then each loss's BibTeX where known, else the loss's own reference
 * (`plain`: class name → the engine's one-line citation) as text.
 */
export function citationSection(lossClasses: readonly string[], plain: Readonly<Record<string, string | undefined>>): string[] {
  const out = ['## Citation', '', '### BibTeX', '', '#### Sentence Transformers', '', '```bibtex', SBERT, '```', ''];
  for (const c of new Set(lossClasses)) {
    const bib = Object.hasOwn(LOSS_BIBTEX, c) ? LOSS_BIBTEX[c] : null;
    const ref = plain[c];
    if (bib) out.push(`#### ${c}`, '', '```bibtex', bib, '```', '');
    else if (ref) out.push(`#### ${c}`, '', ref, '');
  }
  return out;
}
