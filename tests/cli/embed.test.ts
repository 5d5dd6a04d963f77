import { afterAll, describe, expect, it } from 'vitest';
import { textLines } from '../../src/cli/embed';
import { golden, TINY_BERT_DIR } from '../helpers/tinyBert';
import { jsonLines, maxDiff, runCli, tempDir } from './run';

const tmp = tempDir('es-cli-embed-');
afterAll(() => tmp.cleanup());
const texts = tmp.file('texts.txt', `${golden.tokenize.texts.join('\n')}\n`);

describe('textLines', () => {
  it('reads one text per line, ignoring one final newline and a BOM', () => {
    expect(textLines('\uFEFFa\r\nb c\n', 'f')).toEqual(['a', 'b c']);
    expect(textLines('a', 'f')).toEqual(['a']);
    expect(() => textLines('a\n\n', 'f')).toThrow('f (--input) line 2 is empty');
    expect(() => textLines('a\n  \nb', 'f')).toThrow('f (--input) line 2 is empty');
    expect(() => textLines('', 'f')).toThrow('f (--input) holds no texts');
  });

  it('takes a lone CR as a line break (old Mac files), so each text gets its own vector', () => {
    expect(textLines('a\rb c\r', 'f')).toEqual(['a', 'b c']);
    expect(textLines('a\r\nb\rc\n', 'f')).toEqual(['a', 'b', 'c']);
    expect(() => textLines('a\r\rb', 'f')).toThrow('f (--input) line 2 is empty');
  });
});

describe('embed', () => {
  it('prints one JSON array per line that reproduces the oracle pooled embeddings', async () => {
    const r = await runCli(['embed', '--model', TINY_BERT_DIR, '--input', texts]);
    expect(r.code, r.stderr).toBe(0);
    const vectors = jsonLines(r.stdout) as number[][];
    expect(vectors).toHaveLength(golden.tokenize.texts.length);
    expect(maxDiff(vectors, golden.forward.pooled)).toBeLessThan(1e-4);
  });

  it('--normalize and --pooling change the head', async () => {
    const normalized = await runCli(['embed', '--model', TINY_BERT_DIR, '--input', texts, '--normalize', '--batch-size', '3']);
    expect(normalized.code, normalized.stderr).toBe(0);
    expect(maxDiff(jsonLines(normalized.stdout) as number[][], golden.forward.pooled_normalized)).toBeLessThan(1e-4);
    const cls = await runCli(['embed', '--model', TINY_BERT_DIR, '--input', texts, '--pooling', 'cls', '--backend', 'cpu']);
    expect(cls.code, cls.stderr).toBe(0);
    expect(maxDiff(jsonLines(cls.stdout) as number[][], golden.forward.pooled_cls as number[][])).toBeLessThan(1e-4);
  });

  it('refuses an empty line in the middle, naming it, but accepts a missing final newline', async () => {
    const blank = tmp.file('blank.txt', 'first\n\nthird\n');
    const r = await runCli(['embed', '--model', TINY_BERT_DIR, '--input', blank]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*blank\.txt \(--input\) line 2 is empty/m);
    const noNewline = tmp.file('two.txt', 'first\nsecond');
    const ok = await runCli(['embed', '--model', TINY_BERT_DIR, '--input', noNewline]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(jsonLines(ok.stdout)).toHaveLength(2);
  });

  it('--prompt query puts --query-prompt before every line: the vectors of the prefixed lines', async () => {
    const prefixed = tmp.file('prefixed.txt', `${golden.tokenize.texts.map((t) => `query: ${t}`).join('\n')}\n`);
    const expected = await runCli(['embed', '--model', TINY_BERT_DIR, '--input', prefixed]);
    const r = await runCli(['embed', '--model', TINY_BERT_DIR, '--input', texts, '--query-prompt', 'query: ', '--prompt', 'query']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/prompts: query "query: ", document none/);
    expect(maxDiff(jsonLines(r.stdout) as number[][], jsonLines(expected.stdout) as number[][])).toBe(0);
    // Without --prompt the folder names no default prompt: the texts go in as they are.
    const plain = await runCli(['embed', '--model', TINY_BERT_DIR, '--input', texts, '--query-prompt', 'query: ']);
    expect(maxDiff(jsonLines(plain.stdout) as number[][], golden.forward.pooled)).toBeLessThan(1e-4);
    const bad = await runCli(['embed', '--model', TINY_BERT_DIR, '--input', texts, '--prompt', 'queries']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--prompt/);
  });
});
