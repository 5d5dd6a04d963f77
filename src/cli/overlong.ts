/**
 * The report of texts longer than the model's max length, for `train`: every text of the dataset is tokenised once,
 * which takes minutes on millions of records, so it runs as a cooperative loop with progress lines after a second
 * and Ctrl-C handled (exit 130, "interrupted while counting tokens of PATH").
 */
import { overlongInDatasetAsync } from '../engine/data';
import type { LoadedModelFiles } from '../engine/io/modelFolder';
import type { MappedDataset } from '../engine/records';
import { TextTokenizer } from '../engine/tokenizer';
import type { CliIo } from './io';
import { interruptible, progressTicker } from './phases';
import { plural } from './report';

/** Counts (and shows the first few) texts longer than the max length: kept, but the model sees their start only. */
export function reportOverlong(dataset: MappedDataset, files: LoadedModelFiles, maxLength: number, io: CliIo, dataPath: string): Promise<number> {
  return interruptible(io, `counting tokens of ${dataPath}`, async (signal) => {
    const tokenizer = new TextTokenizer(files.tokenizerJson, files.tokenizerConfig, files.specialTokensMap, { fallbackPadId: files.config.padTokenId });
    const tick = progressTicker(io);
    const overlong = await overlongInDatasetAsync(dataset, (text) => tokenizer.countTokens(text), maxLength, {
      signal,
      what: `Counting tokens of ${dataPath}`,
      onProgress: (done, total) => tick(() => `data: counting tokens: ${done.toLocaleString('en-US')} of ${plural(total, 'record')}`),
    });
    if (overlong.length > 0) {
      const examples = overlong.slice(0, 3).map((t) => `record ${t.row} ${t.field}: ${t.tokens} tokens`).join('; ');
      io.err(`data: ${plural(overlong.length, 'text')} longer than ${maxLength} tokens will be truncated (${examples}${overlong.length > 3 ? '; …' : ''}); raise --max-length to keep more`);
    }
    return overlong.length;
  });
}
