/**
 * The forgetting guard's measurement: Spearman correlation between cos(sentence1, sentence2) and the human
 * score on a general-domain similarity set (the bundled pairs.ts, or the user's own scored pairs), computed as
 * sentence-transformers' EmbeddingSimilarityEvaluator computes `spearman_cosine`. Both sides are embedded with
 * the query prompt, like the scored-pair evaluator. A model that embeds every pair alike (collapsed) has no
 * correlation: it scores 0, so the guard reports the drop instead of failing.
 */
import { EngineError } from '../../errors';
import type { ScoredPairRecord } from '../../records';
import { embedAll, TextTable, type EmbedFn } from '../embedTexts';
import { pairedCosine, spearman } from '../stats';
import { GENERAL_PAIRS } from './pairs';

/** The bundled set as scored pairs, labels on the 0..1 scale. */
export function bundledGeneralPairs(): ScoredPairRecord[] {
  return GENERAL_PAIRS.map(([sentence1, sentence2, score]) => ({ sentence1, sentence2, label: score / 5 }));
}

/** What the general-domain score was measured on, for the UI and the report. */
export const BUNDLED_GENERAL_SET = { name: 'bundled everyday pairs', pairs: GENERAL_PAIRS.length, metric: 'spearman_cosine' } as const;

/** Spearman correlation of the model's cosine similarities with the pairs' scores. */
export async function generalDomainScore(embed: EmbedFn, pairs: readonly ScoredPairRecord[] = bundledGeneralPairs()): Promise<number> {
  if (pairs.length < 3) {
    throw new EngineError('bad_dataset', `The general-domain set has ${pairs.length} pair(s); the forgetting check needs at least 3 scored pairs with different scores.`);
  }
  const labels = Float64Array.from(pairs, (p) => p.label);
  if (labels.every((l) => l === labels[0]) || labels.some((l) => !Number.isFinite(l))) {
    throw new EngineError('bad_dataset', 'The general-domain set needs numeric scores that vary; every pair has the same score or a score that is not a number.');
  }
  const table = new TextTable();
  const left = pairs.map((p) => table.id(p.sentence1, 'query'));
  const right = pairs.map((p) => table.id(p.sentence2, 'query'));
  const vectors = await embedAll(table, embed, 'General-domain check');
  const cosines = pairedCosine(left.map((i) => vectors[i]), right.map((i) => vectors[i]));
  const rho = spearman(cosines, labels);
  return Number.isFinite(rho) ? rho : 0;
}
