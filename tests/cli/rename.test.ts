/** `--rename old=new`: columns renamed before detection and --columns, and a rename that cannot be done refused. */
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_BERT_DIR } from '../helpers/tinyBert';
import { runCli, tempDir } from './run';

const tmp = tempDir('es-cli-rename-');
afterAll(() => tmp.cleanup());

const qqp = tmp.file('qqp.csv', 'question1,question2,is_duplicate\nhow do i learn go,best way to learn go,1\nis tea healthy,why is the sky blue,0\nwhat is rust,how does iron rust,0\nhow to cook rice,best way to cook rice,1\n');
const evaluate = (...extra: string[]) => runCli(['eval', '--model', TINY_BERT_DIR, '--data', qqp, ...extra]);

describe('--rename', () => {
  it('renames before detection, so uniem-style names are found; --columns then uses the new names', async () => {
    const [renamed, partial] = await Promise.all([
      evaluate('--rename', 'question1=sentence1,question2=sentence2,is_duplicate=label'),
      evaluate('--rename', 'question1=left', '--record-type', 'scored_pair', '--columns', 'sentence1=left,sentence2=question2,label=is_duplicate'),
    ]);
    expect(renamed.code).toBe(0);
    expect(renamed.stderr).toContain('4 rows → 4 scored_pair records (sentence1=sentence1, sentence2=sentence2, label=label, detected)');
    expect(partial.code).toBe(0);
    expect(partial.stderr).toContain('scored_pair records (sentence1=left, sentence2=question2, label=is_duplicate)');
  });

  it('refuses an unknown column, a clash and a malformed value, naming the file and the fix (exit 2)', async () => {
    const [unknown, clash, malformed] = await Promise.all([evaluate('--rename', 'q3=x'), evaluate('--rename', 'question1=question2'), evaluate('--rename', 'question1')]);
    expect([unknown.code, clash.code, malformed.code]).toEqual([2, 2, 2]);
    expect(unknown.stderr).toBe("error: --rename: qqp.csv: there is no column 'q3' to rename; its columns are 'question1', 'question2', 'is_duplicate'\n");
    expect(clash.stderr).toBe("error: --rename: qqp.csv: columns 'question1' and 'question2' would both be called 'question2'; give each column its own name\n");
    expect(malformed.stderr).toMatch(/^error: --rename takes old=new column names separated by commas/);
  });
});
