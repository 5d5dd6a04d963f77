/**
 * The studio's "Mine hard negatives": the training split's pairs mined with the base or the fine-tuned encoder
 * (engine/data/mining.ts: FlagEmbedding's rank window, sentence-transformers' margins), returned as the JSONL
 * the CLI's `mine` writes, for the page to download.
 */
import type { DatasetSplit } from '../engine/data';
import { mineHardNegativeGroups } from '../engine/data/mining';
import { minedGroupLines, miningPairs } from '../engine/data/minedRecords';
import type { SentenceEncoder } from '../engine/model/encoder';
import type { Progress } from './dataOps';
import type { MineSettings, MinedResult } from './protocol';

export async function mineSplit(split: DatasetSplit, encoder: SentenceEncoder, settings: MineSettings, progress: Progress): Promise<MinedResult> {
  const pairs = miningPairs(split.train, 'The training split');
  const groups = await mineHardNegativeGroups(pairs, (texts, role) => encoder.embed(texts, { batchSize: 32, role }), {
    rangeForSampling: settings.range,
    count: settings.negatives,
    seed: settings.seed,
    batchSize: 32,
    ...(settings.absoluteMargin !== null ? { absoluteMargin: settings.absoluteMargin } : {}),
    ...(settings.relativeMargin !== null ? { relativeMargin: settings.relativeMargin } : {}),
    ...(settings.maxScore !== null ? { maxScore: settings.maxScore } : {}),
    onProgress: (done, total) => progress(done, total, 'Embedding texts to mine'),
  });
  const negatives = groups.reduce((n, g) => n + g.text_neg.length, 0);
  const short = groups.filter((g) => g.text_neg.length < settings.negatives).length;
  return { type: 'mined', jsonl: minedGroupLines(groups), groups: groups.length, negatives, short };
}
