import { describe, expect, it } from 'vitest';
import { mapDataset, mapDatasetAsync, overlongInDataset, overlongInDatasetAsync } from '../../../src/engine/data';
import { runStepsAsync } from '../../../src/engine/data/cooperate';
import type { ParsedDataset } from '../../../src/engine/data/types';
import { EngineError } from '../../../src/engine/errors';
import type { MappedDataset } from '../../../src/engine/records';

function parsed(n: number): ParsedDataset {
  const rows = Array.from({ length: n }, (_, i) => ({ q: i % 97 === 0 ? '' : `question ${i % 5000}`, a: `answer ${i}` }));
  return { columns: ['q', 'a'], rows, rowNumbers: rows.map((_, i) => i + 2), problems: [], problemCount: 0, format: 'csv', hasHeader: true, delimiter: ',', quoted: true };
}

describe('cooperative loops', () => {
  it('mapDatasetAsync gives what mapDataset gives, reports progress up to twice the rows, and yields to the event loop', async () => {
    const p = parsed(60_000);
    const seen: number[] = [];
    let timersRan = 0;
    const timer = setInterval(() => timersRan++, 0);
    const result = await mapDatasetAsync(p, 'pair', { text: 'q', text_pos: 'a' }, { fileName: 'd.csv', onProgress: (done, total) => seen.push(done / total) });
    clearInterval(timer);
    expect(result).toEqual(mapDataset(p, 'pair', { text: 'q', text_pos: 'a' }, { fileName: 'd.csv' }));
    expect(seen.at(-1)).toBe(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(timersRan + seen.length).toBeGreaterThan(1);
  });

  it('stops with a cancelled EngineError once the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(mapDatasetAsync(parsed(10), 'pair', { text: 'q', text_pos: 'a' }, { fileName: 'd.csv', signal: controller.signal })).rejects.toThrow(
      new EngineError('cancelled', 'Mapping d.csv was cancelled.'),
    );
    // Aborted while it runs: it stops at the next slice instead of running to the end.
    const running = new AbortController();
    let counted = 0;
    const dataset: MappedDataset = { type: 'pair', records: Array.from({ length: 200_000 }, (_, i) => ({ text: `t${i}`, text_pos: `p${i}` })) };
    const slow = (text: string): number => {
      counted++;
      const until = performance.now() + 0.01;
      while (performance.now() < until);
      return text.length;
    };
    setTimeout(() => running.abort(), 30);
    await expect(overlongInDatasetAsync(dataset, slow, 4, { signal: running.signal, what: 'Counting tokens of d.csv' })).rejects.toThrow('Counting tokens of d.csv was cancelled.');
    expect(counted).toBeLessThan(2 * dataset.records.length);
  });

  it('overlongInDatasetAsync finds the texts overlongInDataset finds', async () => {
    const dataset: MappedDataset = { type: 'pair', records: Array.from({ length: 3000 }, (_, i) => ({ text: 'x'.repeat(i % 13), text_pos: 'y'.repeat(i % 7) })) };
    const count = (t: string) => t.length;
    expect(await overlongInDatasetAsync(dataset, count, 6)).toEqual(overlongInDataset(dataset, count, 6));
  });

  it('runStepsAsync reports the end even for a loop that never yields', async () => {
    const seen: [number, number][] = [];
    function* none(): Generator<number, string, void> {
      return 'done';
    }
    expect(await runStepsAsync(none(), 0, { onProgress: (d, t) => seen.push([d, t]) })).toBe('done');
    expect(seen).toEqual([[0, 0]]);
  });
});
