/**
 * The similarity playground's corpus: which texts a query is ranked against — the validation split's documents
 * (positives and hard negatives, not the anchors queries stand in for), the documents of the whole dataset
 * (training and validation), or texts the user pasted (one per line) — as unique texts, capped so that a
 * query never embeds an unbounded corpus; the cut is reported, not hidden.
 */
import { EngineError } from '../engine/errors';
import type { DatasetSplit } from '../engine/data';
import { corpusOf } from './dataOps';
import type { PlaygroundCorpus } from './protocol';

/** The most texts one playground corpus holds (each is embedded once per model and kept for the next query). */
export const PLAYGROUND_LIMIT = 5000;

export interface PlaygroundTexts {
  /** Identifies the corpus for caching its embeddings. */
  key: string;
  texts: string[];
  /** Unique texts beyond the limit, left out. */
  cut: number;
}

function capped(key: string, all: readonly string[]): PlaygroundTexts {
  const unique = [...new Set(all)];
  return { key, texts: unique.slice(0, PLAYGROUND_LIMIT), cut: Math.max(0, unique.length - PLAYGROUND_LIMIT) };
}

/** The texts of `corpus` for `split`; a pasted corpus with no text is refused plainly. */
export function playgroundTexts(split: DatasetSplit, corpus: PlaygroundCorpus): PlaygroundTexts {
  switch (corpus.kind) {
    case 'validation':
      return capped('validation', corpusOf(split.validation));
    case 'dataset':
      return capped('dataset', [...corpusOf(split.train), ...corpusOf(split.validation)]);
    case 'pasted': {
      const lines = corpus.texts.map((t) => t.trim()).filter((t) => t !== '');
      if (lines.length === 0) throw new EngineError('bad_option', 'Paste the texts to search, one per line, or search the validation texts or the whole dataset.');
      return capped(`pasted\u0000${lines.join('\n')}`, lines);
    }
  }
}
