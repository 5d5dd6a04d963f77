/**
 * `train`'s forgetting guard: the model's Spearman correlation on the bundled general-domain pairs before and
 * after training (src/engine/eval/general), a `general` block in the summary, and a warning line when the drop
 * exceeds --forgetting-threshold (default the engine's). --no-forgetting-check skips it.
 */
import { generalDomainScore } from '../engine/eval/general/score';
import { forgettingVerdict, type ForgettingVerdict } from '../engine/eval/general/verdict';
import type { SentenceEncoder } from '../engine/model/encoder';
import type { CliIo } from './io';

/** What --forgetting-threshold / --no-forgetting-check asked for: null = no check. */
export type ForgettingCheck = { threshold: number } | null;

/** The general-domain score of `encoder`. */
export async function generalScore(encoder: SentenceEncoder, batchSize: number): Promise<number> {
  return generalDomainScore((texts, role) => encoder.embed(texts, { batchSize, role }));
}

/** The summary's `general` block, printing the verdict (a warning when the model forgot). */
export function reportForgetting(base: number, trained: number, threshold: number, io: CliIo): ForgettingVerdict {
  const v = forgettingVerdict(base, trained, threshold);
  io.err(`${v.verdict === 'forgot' ? 'general: warning: ' : 'general: '}${v.message}`);
  return v;
}
