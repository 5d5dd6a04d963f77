/**
 * `mine`: hard negatives for a pair dataset, mined with a model folder (the base model, or one `train` wrote),
 * written as FlagEmbedding-style `group` rows {query, pos, neg, pos_scores, neg_scores} in JSONL, atomically.
 * The rank window is FlagEmbedding's `--range_for_sampling` (`10-210`: ranks 10..209, 0-based), the margins and
 * the maximum score sentence-transformers' `mine_hard_negatives` filters (see ../engine/data/mining.ts); the
 * sampling is seeded. Rows of triplets and groups count as pairs of their anchor and each positive.
 */
import { mineHardNegativeGroups } from '../engine/data/mining';
import { atomicWriteFile } from '../engine/io/atomicWriteNode';
import { minedGroupLines, miningPairs } from '../engine/data/minedRecords';
import { CliError, Flags, type FlagSpec } from './args';
import { datasetChoice, HUB_DATA_FLAGS, readDataset } from './dataset';
import { textLines } from './embed';
import { checkInputFile, fsError, readTextFile, type CliIo } from './io';
import { backendChoice, DEFAULT_EMBED_BATCH, EMBED_BATCH_RANGE, headOverrides, MODEL_FLAGS, openModel } from './model';
import { plural } from './report';

const str = { type: 'string' } as const;

export const MINE_FLAGS: FlagSpec = {
  ...MODEL_FLAGS,
  ...HUB_DATA_FLAGS,
  data: str,
  out: str,
  'record-type': str,
  rename: str,
  columns: str,
  candidates: str,
  range: str,
  negatives: str,
  'absolute-margin': str,
  'relative-margin': str,
  'max-score': str,
  seed: str,
};

/** FlagEmbedding's default window is 10-210 and its default count 15. */
export const DEFAULT_RANGE: readonly [number, number] = [10, 210];
export const DEFAULT_NEGATIVES = 15;

/** `--range FROM-TO` → [from, to): whole numbers with 0 ≤ from < to. */
export function parseRange(raw: string | undefined): readonly [number, number] {
  if (raw === undefined) return DEFAULT_RANGE;
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(raw);
  const from = m ? Number(m[1]) : NaN;
  const to = m ? Number(m[2]) : NaN;
  if (!m || !(from < to)) throw new CliError(`--range must be FROM-TO with whole numbers FROM < TO (ranks FROM..TO−1 of the mining model), e.g. --range 10-210, not '${raw.slice(0, 20)}'`);
  return [from, to];
}

export async function mineCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = Flags.parse('mine', argv, MINE_FLAGS);
  const modelDir = flags.required('model');
  const dataPath = flags.required('data');
  const outPath = flags.required('out');
  const head = headOverrides(flags);
  const backend = backendChoice(flags);
  const choice = datasetChoice(flags);
  const range = parseRange(flags.string('range'));
  const count = flags.number('negatives', { min: 1, max: 10_000, integer: true, typical: '15' }) ?? DEFAULT_NEGATIVES;
  const absoluteMargin = flags.number('absolute-margin', { min: 0, max: 2, typical: '0.1' });
  const relativeMargin = flags.number('relative-margin', { min: 0, max: 1, typical: '0.05' });
  const maxScore = flags.number('max-score', { min: -1, max: 1, typical: '0.9' });
  const seed = flags.number('seed', { min: 0, max: 2 ** 32 - 1, integer: true, typical: '42' }) ?? 0;
  const batchSize = flags.number('batch-size', EMBED_BATCH_RANGE) ?? DEFAULT_EMBED_BATCH;
  checkInputFile(dataPath, '--data');
  const candidatesPath = flags.string('candidates');
  if (candidatesPath !== undefined) checkInputFile(candidatesPath, '--candidates');

  const mapped = await readDataset(dataPath, choice, io);
  const pairs = miningPairs(mapped.dataset, `${dataPath} (--data)`);
  const candidates = candidatesPath === undefined ? undefined : textLines(await readTextFile(candidatesPath, '--candidates'), candidatesPath);
  const { encoder } = await openModel(modelDir, head, backend, io);
  const started = performance.now();
  let unmined = 0;
  let lastShown = 0;
  const groups = await mineHardNegativeGroups(pairs, (texts, role) => encoder.embed(texts, { batchSize, role }), {
    rangeForSampling: range,
    count,
    seed,
    batchSize,
    ...(candidates ? { candidates } : {}),
    ...(absoluteMargin !== undefined ? { absoluteMargin } : {}),
    ...(relativeMargin !== undefined ? { relativeMargin } : {}),
    ...(maxScore !== undefined ? { maxScore } : {}),
    onUnmined: () => unmined++,
    onProgress: (done, total) => {
      if (performance.now() - lastShown < 2000 && done < total) return;
      lastShown = performance.now();
      io.err(`mine: embedded ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} texts`);
    },
  });
  encoder.dispose();
  try {
    await atomicWriteFile(outPath, new TextEncoder().encode(minedGroupLines(groups)));
  } catch (e) {
    throw fsError(e, 'write the mined groups to', `${outPath} (--out)`) ?? e;
  }
  const negatives = groups.reduce((n, g) => n + g.text_neg.length, 0);
  const short = groups.filter((g) => g.text_neg.length < count).length;
  io.err(
    `mine: ${plural(groups.length, 'group')} with ${plural(negatives, 'negative')} from ranks ${range[0]}..${range[1] - 1} in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `${short} with fewer than ${count}${unmined > 0 ? ` (${unmined} with none)` : ''}; written to ${outPath}`,
  );
  io.out(JSON.stringify({ groups: groups.length, negatives, short_groups: short, unmined, out: outPath, range: [range[0], range[1]], negatives_per_query: count, seed }));
  return 0;
}
