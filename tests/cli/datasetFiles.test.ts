/** `train --data` on files that are not datasets, unknown column names, and Ctrl-C while a large file is read. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_BERT_DIR } from '../helpers/tinyBert';
import { interruptCli, runCli, tempDir } from './run';

const tmp = tempDir('es-cli-datafiles-');
afterAll(() => tmp.cleanup());
const NO_MODEL = join(tmp.dir, 'no-model');

function binary(name: string, bytes: number[]): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, Uint8Array.from(bytes));
  return path;
}

const train = (data: string, model = TINY_BERT_DIR) => runCli(['train', '--model', model, '--data', data, '--out', join(tmp.dir, 'out')]);

describe('train --data on files that are not UTF-8 datasets', () => {
  it('refuses a PNG, a ZIP and a UTF-16 file renamed .csv (exit 2, one line naming the file and the fix)', async () => {
    const png = binary('photo.csv', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, ...Array.from({ length: 3000 }, (_, i) => (i * 31) % 256)]);
    const zip = binary('archive.csv', [0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0, ...Array.from({ length: 200 }, (_, i) => (i * 7) % 256)]);
    const text = 'text,text_pos\nhow do I reset my password?,Open settings and choose reset.\n';
    const utf16 = binary('export.csv', [0xff, 0xfe, ...[...text].flatMap((c) => [c.charCodeAt(0), 0])]);
    const runs = await Promise.all([train(png), train(zip), train(utf16)]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(runs[0].stderr).toBe('error: photo.csv: this is a PNG image, not a CSV file. Choose the CSV, TSV or JSON Lines file that holds your examples.\n');
    expect(runs[1].stderr).toBe('error: archive.csv: this is a ZIP archive, not a CSV file. Unzip it first and choose the file inside.\n');
    expect(runs[2].stderr).toMatch(/^error: export\.csv: the file is UTF-16 \(little-endian\) text; the app reads UTF-8\. Save it as UTF-8 .*\n$/);
  });

  it('refuses a JSON array in a .csv and 50,000 columns', async () => {
    const array = tmp.file('pairs.csv', JSON.stringify([{ text: 'a', text_pos: 'b' }]));
    const wide = tmp.file('wide.csv', `${Array.from({ length: 50_000 }, (_, i) => `c${i}`).join(',')}\n${Array(50_000).fill('x').join(',')}\n`);
    const [a, w] = await Promise.all([train(array), train(wide)]);
    expect([a.code, w.code]).toEqual([2, 2]);
    expect(a.stderr).toContain('error: pairs.csv: this is a JSON array, not CSV; the app reads JSON Lines (one object per line). Convert it, e.g. with `jq -c ".[]" pairs.csv > pairs.jsonl`');
    expect(w.stderr).toMatch(/^error: wide\.csv: line 1 has 50,000 fields separated by ","; .*the separator is probably wrong/);
  });
});

describe('train --data with unknown column names', () => {
  it('says the columns were mapped by column order because no name was recognised', async () => {
    const rows = Array.from({ length: 4 }, (_, i) => JSON.stringify({ foo: `question number ${i}?`, bar: `the answer to question ${i}` }));
    const r = await train(tmp.file('foobar.jsonl', `${rows.join('\n')}\n`), NO_MODEL);
    expect(r.stderr).toContain('foobar.jsonl: jsonl, 4 rows → 4 pair records (text=foo, text_pos=bar, by column order: no column name was recognised)\n');
    expect(r.stderr).toContain(
      'data: No column name was recognised, so text=foo, text_pos=bar were chosen by column order and content; check them, or name the columns text, text_pos (--record-type and --columns choose by hand).\n',
    );
    expect(r.stderr).not.toContain(', detected)');
  });
});

describe('Ctrl-C while a large dataset is read', () => {
  it('exits 130 before the read ends, with one line naming the phase', async () => {
    const line = (i: number) => `${JSON.stringify({ text: `what is the meaning of question number ${i}?`, text_pos: `it means the answer number ${i}, more or less` })}\n`;
    const big = join(tmp.dir, 'big.jsonl');
    writeFileSync(big, Array.from({ length: 600_000 }, (_, i) => line(i)).join(''));
    // Interrupted as soon as the read is announced (a file of 10 MB or more is), whatever the machine's speed.
    const r = await interruptCli(['train', '--model', TINY_BERT_DIR, '--data', big, '--out', join(tmp.dir, 'big-out')], /reading .*big\.jsonl \([\d.]+ MB\)/, 120_000);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/^data: reading .*big\.jsonl \(71\.2 MB\)$/m);
    // It stopped while reading: the line that ends the read never came.
    expect(r.stderr).not.toContain('pair records');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`interrupted while reading ${big}`);
  }, 150_000);

  it('prints progress while counting the tokens of every text, and Ctrl-C there exits 130 naming the phase', async () => {
    const r = await interruptCli(['train', '--model', TINY_BERT_DIR, '--data', join(tmp.dir, 'big.jsonl'), '--out', join(tmp.dir, 'big-out')], /counting tokens: [\d,]+ of/, 150_000);
    expect(r.code, r.stderr).toBe(130);
    // 600,000 records are counted on every 6th (100,000), with progress once a second.
    expect(r.stderr).toContain('data: counting tokens on every 6th record (100000 records of 600,000)\n');
    expect(r.stderr).toMatch(/^data: counting tokens: [\d,]+ of 100000 records$/m);
    expect(r.stderr).not.toMatch(/^train: /m);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`interrupted while counting tokens of ${join(tmp.dir, 'big.jsonl')}`);
  }, 180_000);
});
