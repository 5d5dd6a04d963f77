/**
 * The report of texts longer than the model's max length, for `train`. Tokenising every text takes minutes on
 * millions of records, so up to `OVERLONG_SAMPLE` records are counted exactly and a larger dataset is counted on an
 * evenly spaced sample of that many (the count is then an estimate, and says so); the loop is cooperative, with
 * progress lines after a second and Ctrl-C handled (exit 130, "interrupted while counting tokens of PATH"). The
 * trainer itself tokenises lazily, batch by batch.
 */
import { overlongInDatasetAsync } from '../engine/data';
import type { LoadedModelFiles } from '../engine/io/modelFolder';
import { tokenizerOf } from '../engine/model/load';
import type { MappedDataset } from '../engine/records';
import type { CliIo } from './io';
import { interruptible, progressTicker } from './phases';
import { plural } from './report';

/** Records counted exactly; a larger dataset is counted on an evenly spaced sample of this many. */
export const OVERLONG_SAMPLE = 100_000;

/** How many texts will be cut, and whether that figure was estimated from a sample. */
export interface OverlongReport {
  texts: number;
  estimated: boolean;
}

/** Every `stride`-th record (1 when the dataset is small enough to count whole). */
export function sampleStride(records: number, sample = OVERLONG_SAMPLE): number {
  return records <= sample ? 1 : Math.ceil(records / sample);
}

function sampled(dataset: MappedDataset, stride: number): MappedDataset {
  if (stride === 1) return dataset;
  const records = dataset.records as readonly object[];
  const picked: object[] = [];
  for (let i = 0; i < records.length; i += stride) picked.push(records[i]);
  return { ...dataset, records: picked } as MappedDataset;
}

/** Counts (and shows the first few) texts longer than the max length: kept, but the model sees their start only. */
export function reportOverlong(dataset: MappedDataset, files: LoadedModelFiles, maxLength: number, io: CliIo, dataPath: string): Promise<OverlongReport> {
  return interruptible(io, `counting tokens of ${dataPath}`, async (signal) => {
    const tokenizer = tokenizerOf(files);
    const tick = progressTicker(io);
    const stride = sampleStride(dataset.records.length);
    const sample = sampled(dataset, stride);
    if (stride > 1) io.err(`data: counting tokens on every ${stride}th record (${plural(sample.records.length, 'record')} of ${dataset.records.length.toLocaleString('en-US')})`);
    const overlong = await overlongInDatasetAsync(sample, (text) => tokenizer.countTokens(text), maxLength, {
      signal,
      what: `Counting tokens of ${dataPath}`,
      onProgress: (done, total) => tick(() => `data: counting tokens: ${done.toLocaleString('en-US')} of ${plural(total, 'record')}`),
    });
    const texts = overlong.length * stride;
    if (overlong.length > 0) {
      const examples = overlong.slice(0, 3).map((t) => `record ${(t.row - 1) * stride + 1} ${t.field}: ${t.tokens} tokens`).join('; ');
      const count = stride > 1 ? `about ${plural(texts, 'text')} (from the sample)` : plural(texts, 'text');
      io.err(`data: ${count} longer than ${maxLength} tokens will be truncated (${examples}${overlong.length > 3 ? '; …' : ''}); raise --max-length to keep more`);
    }
    return { texts, estimated: stride > 1 };
  });
}
